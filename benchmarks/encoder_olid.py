"""OLID subtask A, 5-fold CV: the pipeline's harassment verdict (encoder + TF-IDF + rules).

    # 1. one encoder fine-tune per fold (torch venv; each writes foldK.npy, its held-out probabilities)
    for k in 0 1 2 3 4; do
      /tmp/finetune/bin/python -m classifiers.train_encoder --data ../shared/data --olid-fold $k \
          --heads harassment --save-fold /tmp/olid-folds --epochs 2 --max-tokens 64 --threads 1
    done
    # 2. the verdict, per fold (project venv, no torch)
    .venv/bin/python benchmarks/encoder_olid.py --data ../shared/data --folds /tmp/olid-folds

Same 5 stratified folds (random_state 13) as classifiers.train_harassment. For every fold the
TF-IDF model is refit on the fold's training side (classifiers.train_harassment.fit, OLID +
Davidson as shipped) and the encoder's probabilities are those of a model fine-tuned without the
fold. The held-out tweets are parsed by the whole spaCy model and judged by
classifiers.harassment.harassment_findings with the pipeline's probability
(classifiers.combine: mean of TF-IDF and encoder): what `hallwatch classify` decides, rules
included. Prints macro-F1 per fold for the encoder alone, TF-IDF alone, their mean at 0.5, and the
pipeline verdict; and, for threshold choice, the pipeline's mean macro-F1 over a threshold grid.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import spacy  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from classifiers import harassment  # noqa: E402
from classifiers.pipeline import MODEL_NAME  # noqa: E402
from classifiers.train_harassment import Settings, fit, read_extra, read_olid  # noqa: E402

GRID = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--folds", type=Path, default=Path("/tmp/olid-folds"))
    args = parser.parse_args()
    started = time.perf_counter()
    texts, labels = read_olid(args.data)
    splits = list(StratifiedKFold(5, shuffle=True, random_state=13).split(texts, labels))
    extra_x, extra_y = read_extra(args.data, Settings())
    nlp = spacy.load(MODEL_NAME)
    rows, grid_rows = [], []
    for k, (train, test) in enumerate(splits):
        path = args.folds / f"fold{k}.npy"
        if not path.exists():
            print(f"fold {k}: {path} missing (run classifiers.train_encoder --olid-fold {k} first)")
            continue
        encoder_p = np.load(path)
        if len(encoder_p) != len(test):
            print(f"fold {k}: {path} has {len(encoder_p)} probabilities, the fold has {len(test)}")
            return 1
        tfidf = fit([texts[i] for i in train] + extra_x, np.concatenate([labels[train], np.asarray(extra_y, dtype=int)]))
        fold_texts = [texts[i] for i in test]
        docs = list(nlp.pipe(fold_texts, batch_size=256))
        tfidf_p = tfidf.scores([harassment.model_text(t) for t in fold_texts])
        mean_p = (tfidf_p + encoder_p) / 2
        y = labels[test]
        judged = harassment.score_harassment(docs, mean_p)
        scores = np.asarray([s for s, _ in judged])
        verdict = scores >= harassment.HARASSMENT_THRESHOLD
        row = [f1_score(y, p, average="macro") for p in (encoder_p >= 0.5, tfidf_p >= 0.5, mean_p >= 0.5, verdict)]
        rows.append(row)
        grid_rows.append([f1_score(y, scores >= t, average="macro") for t in GRID])
        print(f"fold {k}: encoder {row[0]:.4f}  TF-IDF {row[1]:.4f}  mean {row[2]:.4f}  "
              f"pipeline verdict @ {harassment.HARASSMENT_THRESHOLD} {row[3]:.4f}", flush=True)
    if not rows:
        return 1
    mean = np.mean(rows, axis=0)
    print(f"mean over {len(rows)} fold(s): encoder {mean[0]:.4f}  TF-IDF {mean[1]:.4f}  mean {mean[2]:.4f}  "
          f"pipeline verdict {mean[3]:.4f}  ({time.perf_counter() - started:.0f} s)")
    grid = np.mean(grid_rows, axis=0)
    print("pipeline verdict by threshold: " + ", ".join(f"{t}: {g:.4f}" for t, g in zip(GRID, grid)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

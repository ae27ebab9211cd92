"""Classifier accuracy: school dev set per category (item level) and student-PII spans; OLID CV.

    .venv/bin/python benchmarks/classifier_accuracy.py --data ../shared/data
    .venv/bin/python benchmarks/classifier_accuracy.py --data ../shared/data --skip-olid

The roster is read from DATA/school/roster with monitor.config.load_directory (the same path as
`hallwatch eval`). OLID subtask A macro-F1 is 5-fold cross-validated with the project's own
training code (classifiers.train_harassment), a fresh model per fold. Prints counts only.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.contract import read_items  # noqa: E402
from classifiers.evaluate import evaluate, format_table  # noqa: E402
from classifiers.pipeline import Analyzer  # noqa: E402
from monitor.config import load_directory  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--skip-olid", action="store_true")
    args = parser.parse_args()
    school = args.data / "school"
    parsed = read_items(school / "dev.jsonl")
    analyzer = Analyzer(load_directory(school / "roster"))
    print(f"school dev set: {len(parsed.items)} items ({school / 'dev.jsonl'})")
    print(format_table(evaluate(parsed.records, analyzer.analyze(parsed.items))))
    if args.skip_olid:
        return
    import subprocess

    # the training script's own CV (no model written): the measure that made the committed artifact
    subprocess.run([sys.executable, "-m", "classifiers.train_harassment", "--data", str(args.data), "--cv-only"], check=True,
                   cwd=Path(__file__).resolve().parents[1])


if __name__ == "__main__":
    main()

"""Item-level P/R/F1 of one category that `hallwatch eval` does not score (today: personal_use).

    .venv/bin/python benchmarks/holdout/score_category.py personal_use benchmarks/holdout/roster benchmarks/holdout/personal_use6.jsonl

Same counting as classifiers/evaluate.py (an item is predicted positive when it has any finding
of the category), through the same analyzer as `hallwatch classify`.
"""
from __future__ import annotations

import sys
from pathlib import Path

from classifiers.contract import read_items
from classifiers.evaluate import Score, format_table
from classifiers.pipeline import get_analyzer
from monitor.config import load_directory


def score(category: str, config: Path, path: Path) -> Score:
    parsed = read_items(path)
    found = get_analyzer(load_directory(config)).analyze(parsed.items)
    result = Score()
    for record, findings in zip(parsed.records, found):
        gold = category in record.get("labels", [])
        predicted = any(f.category == category for f in findings)
        result.tp += gold and predicted
        result.fp += predicted and not gold
        result.fn += gold and not predicted
    return result


if __name__ == "__main__":
    category, config, path = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    print(format_table({category: score(category, config, path)}))

"""Print the training corpus's counts per file and label, as a Markdown table.

Run from the repository root: ``python training/count.py``. The table in
training/README.md is this script's output.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "school"
LABELS = ["media_inquiry", "confidential", "personal_use", "harassment", "student_pii", "none"]


def counts(path: Path) -> tuple[int, Counter, int, int]:
    """Items, label counts, positives (of the file's own category) and hard negatives."""
    category = path.stem
    labels: Counter = Counter()
    items = positives = negatives = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        items += 1
        labels.update(row["labels"])
        if category in row["labels"]:
            positives += 1
        elif row["kind_of_case"].startswith("hard negative"):
            negatives += 1
    return items, labels, positives, negatives


def main() -> None:
    header = ["file", "items", "positives", "hard negatives"] + LABELS
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    total: Counter = Counter()
    for path in sorted(ROOT.glob("*.jsonl")):
        items, labels, pos, neg = counts(path)
        total.update(labels)
        total["_items"] += items
        cells = [path.name, str(items), str(pos), str(neg)] + [str(labels[x]) for x in LABELS]
        print("| " + " | ".join(cells) + " |")
    cells = ["total", str(total["_items"]), "", ""] + [str(total[x]) for x in LABELS]
    print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

"""Counts per holdout file and label, as the Markdown table in README.md.

    .venv/bin/python benchmarks/holdout/counts.py

Reads the files only (no classifier runs), so it can be rerun to check the README's table.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Every file that is a holdout today: this folder's batches and the teen holdouts. Batches measured
# in three or more rounds became development batches (../media_inquiry/, ../confidential/,
# ../personal_use/, ../harassment/dev2.jsonl, ../teen/dev2.jsonl) and are not counted here.
FILES = sorted(HERE.glob("*.jsonl")) + sorted((HERE.parent / "teen").glob("holdout*.jsonl"))
COLUMNS = ("student_pii", "photo_no_consent", "harassment", "media_inquiry", "confidential", "personal_use", "none")


def count(path: Path) -> tuple[int, Counter, int, int, Counter]:
    labels: Counter = Counter()
    spans: Counter = Counter()
    items = two = media = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        items += 1
        labels.update(record["labels"])
        two += len(record["labels"]) > 1
        media += bool(record.get("media"))
        spans.update(s["label"] for s in record.get("spans", []))
    return items, labels, two, media, spans


def table(paths: list[Path]) -> str:
    head = "| file | items | " + " | ".join(COLUMNS) + " | two labels | with media | spans |"
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    for path in paths:
        items, labels, two, media, spans = count(path)
        span_text = ", ".join(f"{k} {v}" for k, v in sorted(spans.items())) or "-"
        cells = [str(labels.get(c, 0)) for c in COLUMNS]
        rows.append(f"| {path.relative_to(HERE.parent.parent)} | {items} | " + " | ".join(cells) + f" | {two} | {media} | {span_text} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table([Path(p) for p in sys.argv[1:]] or FILES))

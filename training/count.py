"""Print the training corpus's counts per file and label, as a Markdown table.

Run from the repository root: ``python training/count.py``. The table in
training/README.md is this script's output.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "school"
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")
HANDLE = re.compile(r"@[\w.]+|https?://\S+")
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


def registers(path: Path) -> Counter:
    """Rough register and channel counts: emoji, all lower case, all caps, platforms, kinds."""
    out: Counter = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        words = HANDLE.sub("", row["text"])
        letters = [ch for ch in words if ch.isalpha()]
        out["emoji"] += bool(EMOJI.search(row["text"]))
        out["all lower case"] += bool(letters) and all(ch.islower() for ch in letters)
        out["all caps"] += len(letters) > 10 and all(ch.isupper() for ch in letters)
        out["account's own"] += row["author"]["is_account"]
        out[row["platform"]] += 1
        out[row["kind"]] += 1
    return out


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
    print()
    cols = ["emoji", "all lower case", "all caps", "account's own", "post", "comment", "reply",
            "facebook", "instagram", "x", "youtube", "blog", "tiktok"]
    print("| file | " + " | ".join(cols) + " |")
    print("|" + "---|" * (len(cols) + 1))
    for path in sorted(ROOT.glob("*.jsonl")):
        reg = registers(path)
        print(f"| {path.name} | " + " | ".join(str(reg[c]) for c in cols) + " |")


if __name__ == "__main__":
    main()

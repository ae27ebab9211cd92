"""The hand-written training corpus under training/school/ keeps its shape and its promises.

The model engineer trains on these files, so a malformed line, an unknown label, a duplicated
item, a roster name (which would make an item student PII by accident) or a file that drifts far
from half positives and half hard negatives would silently spoil the model. Nothing here needs a
database or a network.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "training" / "school"
FILES = {  # file -> (its category, its id prefix)
    "media_inquiry.jsonl": ("media_inquiry", "mi"),
    "confidential.jsonl": ("confidential", "cf"),
    "personal_use.jsonl": ("personal_use", "pu"),
    "harassment.jsonl": ("harassment", "ha"),
}
LABELS = {"none", "student_pii", "photo_no_consent", "harassment", "media_inquiry",
          "confidential", "personal_use", "personal_info", "student_tagged"}
SPAN_LABELS = {"STUDENT_NAME", "PERSON", "STUDENT_ID", "PHONE", "EMAIL", "ADDRESS", "DOB",
               "HEALTH", "OTHER_PII"}
PLATFORMS = {"facebook", "instagram", "x", "youtube", "blog", "tiktok"}
KINDS = {"post", "comment", "reply"}
MIN_ITEMS = 300


def _shared_dirs() -> list[Path]:
    """Where the shared data folder may sit: beside the main checkout or above a worktree."""
    env = os.environ.get("HALLWATCH_SHARED")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared", REPO.parents[1] / "shared"]
    return [c for c in candidates if (c / "data" / "school").is_dir()]


def _rows(name: str) -> list[tuple[int, dict]]:
    path = CORPUS / name
    out = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            out.append((lineno, json.loads(line)))
        except json.JSONDecodeError as exc:  # pragma: no cover - the assertion message is the point
            pytest.fail(f"{path.name} line {lineno}: not JSON ({exc})")
    return out


def _roster_names() -> set[str]:
    """Full names (first or preferred + last) of every student and staff member in both rosters."""
    dirs = [REPO / "config" / "example"] + [d / "data" / "school" / "roster" for d in _shared_dirs()]
    names = set()
    for folder in dirs:
        for csv_path in (folder / "students.csv", folder / "staff.csv"):
            if not csv_path.exists():
                continue
            with csv_path.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    for first in (row.get("first_name"), row.get("preferred_name")):
                        if first:
                            names.add(f"{first} {row['last_name']}".lower())
    return names


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_line_has_the_classify_shape_and_labels(name):
    category, prefix = FILES[name]
    rows = _rows(name)
    assert len(rows) >= MIN_ITEMS, f"{name}: {len(rows)} items, want at least {MIN_ITEMS}"
    for lineno, row in rows:
        where = f"{name} line {lineno}"
        assert re.fullmatch(rf"{prefix}-\d{{4}}", row["id"]), where
        assert row["platform"] in PLATFORMS, where
        assert row["kind"] in KINDS, where
        assert isinstance(row["account"], str) and row["account"], where
        assert set(row["author"]) == {"name", "is_account"}, where
        assert isinstance(row["author"]["name"], str) and row["author"]["name"].strip(), where
        assert isinstance(row["author"]["is_account"], bool), where
        assert isinstance(row["text"], str) and row["text"].strip(), where
        assert row["media"] == [], where
        datetime.fromisoformat(row["created_at"].replace("Z", "+00:00"))
        labels = row["labels"]
        assert labels and set(labels) <= LABELS, f"{where}: labels {labels}"
        assert len(set(labels)) == len(labels), where
        assert labels == ["none"] or "none" not in labels, f"{where}: none beside a label"
        assert isinstance(row["kind_of_case"], str) and row["kind_of_case"].strip(), where
        if category not in labels:
            assert row["kind_of_case"].startswith("hard negative"), f"{where}: unnamed negative"
        else:
            assert not row["kind_of_case"].startswith("hard negative"), where
        # spans index into the text and exist exactly when the item is student PII
        spans = row["spans"]
        assert bool(spans) == ("student_pii" in labels), f"{where}: spans vs student_pii"
        for span in spans:
            assert span["label"] in SPAN_LABELS, where
            assert 0 <= span["start"] < span["end"] <= len(row["text"]), where


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_file_is_about_half_positives_half_hard_negatives(name):
    category, _ = FILES[name]
    rows = [row for _, row in _rows(name)]
    positives = sum(category in row["labels"] for row in rows)
    share = positives / len(rows)
    assert 0.4 <= share <= 0.6, f"{name}: {positives}/{len(rows)} positives"
    # a file only teaches its own category: no other school category is labelled in it
    others = Counter(lab for row in rows for lab in row["labels"]
                     if lab not in {category, "none", "student_pii"})
    assert not others, f"{name}: other categories {dict(others)}"


def test_personal_use_positives_are_the_accounts_own_posts():
    """AP80-SM: personal use is the account used for personal ends, never a commenter's post."""
    for lineno, row in _rows("personal_use.jsonl"):
        if "personal_use" in row["labels"]:
            assert row["author"]["is_account"], f"personal_use.jsonl line {lineno}"


def test_ids_and_texts_are_unique_across_files():
    ids, texts = Counter(), Counter()
    for name in FILES:
        for _, row in _rows(name):
            ids[row["id"]] += 1
            texts[" ".join(row["text"].lower().split())] += 1
    assert [i for i, n in ids.items() if n > 1] == []
    assert [t for t, n in texts.items() if n > 1] == []


def test_no_roster_name_appears():
    """A roster name would turn an item into student PII (or a staff mention) by accident."""
    names = _roster_names()
    assert len(names) > 30  # the example roster alone has 36 people
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names)) + r")\b")
    hits = []
    for name in FILES:
        for lineno, row in _rows(name):
            for field in (row["text"], row["author"]["name"]):
                match = pattern.search(" ".join(field.lower().split()))
                if match:
                    hits.append(f"{name} line {lineno}: {match.group(1)}")
    assert hits == []


def test_no_text_is_copied_from_the_dev_sets():
    """The corpus is new text: dev.jsonl and the benchmark dev batches stay fair measures."""
    sources = [REPO / "benchmarks" / "inquiries" / "dev.jsonl", REPO / "benchmarks" / "teen" / "dev.jsonl"]
    sources += [d / "data" / "school" / "dev.jsonl" for d in _shared_dirs()]
    seen = set()
    for src in sources:
        if src.exists():
            for line in src.read_text(encoding="utf-8").splitlines():
                seen.add(" ".join(json.loads(line)["text"].lower().split()))
    assert seen, "no dev set found to compare against"
    copied = [row["id"] for name in FILES for _, row in _rows(name)
              if " ".join(row["text"].lower().split()) in seen]
    assert copied == []

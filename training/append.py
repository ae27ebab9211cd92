"""Append hand-written items to a training corpus file.

The corpus was written by hand in a compact one-line form so the writer could keep the
focus on the text; this script expands each line into the `hallwatch classify` input shape
plus `labels`, `spans` and `kind_of_case`. Usage::

    python training/append.py training/school/media_inquiry.jsonl mi < batch.txt
    python training/append.py training/school/media_inquiry.jsonl mi 6001 < batch.txt  # ids from mi-6001

A later round's batch takes its own id range (the optional start), so a writer's items stay
recognisable by id and no id is reused.

Line form (fields separated by " ;; "):

    account ;; kind ;; author ;; labels ;; kind_of_case ;; text

- `account` is a slug whose suffix gives the platform (-fb, -ig, -x, -yt, -blog, -tt).
- `author` "*" means the account itself posted (its display name is derived from the slug);
  "*Name" is the account posting under the given display name.
- `labels` is a comma list: none, mi, cf, pu, ha, pii (or the full category names).
- `kind_of_case` starting "hn:" is expanded to "hard negative: ".
- In `text`, [[Name]] marks a STUDENT_NAME span and [[words|LABEL]] a span of another label.
- A line starting with "#" or empty is skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

PLATFORMS = {"-fb": "facebook", "-ig": "instagram", "-x": "x", "-yt": "youtube",
             "-blog": "blog", "-tt": "tiktok"}
LABELS = {"none": "none", "mi": "media_inquiry", "cf": "confidential", "pu": "personal_use",
          "ha": "harassment", "pii": "student_pii", "ph": "photo_no_consent"}
SCHOOLS = {
    "maple-ridge-elementary": "Maple Ridge Elementary",
    "aspen-heights-school": "Aspen Heights School",
    "riverbend-jr-high": "Riverbend Junior High",
    "foothills-composite": "Foothills Composite High School",
    "rockyview-sd": "Rockyview School Division",
    "willow-creek-elementary": "Willow Creek Elementary",
    "cedar-valley-middle": "Cedar Valley Middle School",
    "northgate-high": "Northgate High School",
    "prairie-rose-elementary": "Prairie Rose Elementary",
    "st-brendan-catholic": "St. Brendan Catholic School",
    "lakeview-secondary": "Lakeview Secondary",
    "bow-crossing-school": "Bow Crossing School",
    "sunridge-middle": "Sunridge Middle School",
    "elkhorn-elementary": "Elkhorn Elementary",
}
SPAN = re.compile(r"\[\[(.+?)(?:\|([A-Z_]+))?\]\]")
START = datetime(2025, 9, 2, 13, 0, tzinfo=timezone.utc)


def display_name(account: str) -> str:
    """The account's own display name, for posts the account itself made."""
    base = account
    for suffix in PLATFORMS:
        if account.endswith(suffix):
            base = account[: -len(suffix)]
            break
    if account.endswith("-blog"):
        teacher, _, subject = base.partition("-")
        return f"{teacher.title()} {subject.replace('-', ' ').title()} Blog"
    return SCHOOLS.get(base, base.replace("-", " ").title())


def platform(account: str) -> str:
    for suffix, name in PLATFORMS.items():
        if account.endswith(suffix):
            return name
    raise ValueError(f"no platform suffix in account {account!r}")


def spans_of(text: str) -> tuple[str, list[dict]]:
    out, spans, pos = [], [], 0
    length = 0
    for m in SPAN.finditer(text):
        chunk = text[pos:m.start()]
        out.append(chunk)
        length += len(chunk)
        word = m.group(1)
        spans.append({"start": length, "end": length + len(word),
                      "label": m.group(2) or "STUDENT_NAME"})
        out.append(word)
        length += len(word)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), spans


def created_at(item_id: str) -> str:
    h = int(hashlib.sha256(item_id.encode()).hexdigest(), 16)
    day = START + timedelta(days=h % 290, minutes=(h >> 12) % 600)
    return day.strftime("%Y-%m-%dT%H:%M:00Z")


def main(path: str, prefix: str, start: int | None = None) -> None:
    target = Path(path)
    existing = target.read_text(encoding="utf-8").splitlines() if target.exists() else []
    ids = {json.loads(line)["id"] for line in existing}
    n = len(existing) if start is None else start - 1
    seen = {json.loads(line)["text"] for line in existing}
    rows = []
    for lineno, raw in enumerate(sys.stdin, 1):
        raw = raw.strip()
        if not raw or raw.startswith("#"):
            continue
        parts = raw.split(" ;; ")
        if len(parts) != 6:
            sys.exit(f"stdin line {lineno}: expected 6 fields, got {len(parts)}: {raw[:60]}")
        account, kind, author, labels, case, text = (p.strip() for p in parts)
        if kind not in {"post", "comment", "reply"}:
            sys.exit(f"stdin line {lineno}: bad kind {kind!r}")
        is_account = author.startswith("*")
        name = author[1:] if is_account else author
        if is_account and not name:
            name = display_name(account)
        if name == display_name(account):
            is_account = True  # the account replying under its own name
        labs = [LABELS[x.strip()] for x in labels.split(",")]
        if case.startswith("hn:"):
            case = "hard negative: " + case[3:].strip()
        text, spans = spans_of(text)
        if text in seen:
            sys.exit(f"stdin line {lineno}: duplicate text {text[:60]!r}")
        seen.add(text)
        if spans and "student_pii" not in labs:
            labs.append("student_pii")  # a span marks student PII by construction
        if "student_pii" in labs and not spans:
            sys.exit(f"stdin line {lineno}: student_pii without a span")
        n += 1
        item_id = f"{prefix}-{n:04d}"
        if item_id in ids:
            sys.exit(f"stdin line {lineno}: id {item_id} is already in {target}; pick another start")
        rows.append({"id": item_id, "platform": platform(account), "kind": kind,
                     "account": account, "author": {"name": name, "is_account": is_account},
                     "text": text, "media": [], "created_at": created_at(item_id),
                     "labels": labs, "spans": spans, "kind_of_case": case})
    with target.open("a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{target}: +{len(rows)} -> {n}")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: append.py FILE PREFIX [START] < batch.txt")
    if len(sys.argv) == 4 and not (sys.argv[3].isdigit() and 0 < int(sys.argv[3]) < 10000):
        sys.exit(f"append.py: START must be a number from 1 to 9999, not {sys.argv[3]!r}")
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) == 4 else None)

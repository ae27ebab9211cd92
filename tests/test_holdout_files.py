"""The holdout batches' shape (benchmarks/holdout/, benchmarks/teen/holdout*.jsonl) and the development batches'.

These files judge the classifiers, so a broken one would give a wrong number without anyone
noticing: every item must load through the classify contract, carry labels from the known
vocabulary, and (for student_pii) spans that sit inside the text on word boundaries and name
students of the holdout roster. Nothing here runs a classifier.
"""
from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from classifiers.contract import read_items
from classifiers.findings import CATEGORIES, SPAN_LABELS
from classifiers.roster import Roster, fold
from monitor.config import load_directory

from tests.conftest import EXAMPLE_CONFIG, REPO, SHARED

HOLDOUT = REPO / "benchmarks" / "holdout"
ROSTER_DIR = HOLDOUT / "roster"
CATEGORY_FILES = {c: HOLDOUT / f"{c}.jsonl" for c in ("student_pii", "photo_no_consent")}
# Former holdouts, development batches since rounds 5b, 5c and 7 (their numbers shaped decisions;
# benchmarks/holdout/README.md), measured with this roster. Path -> category. harassment/dev2.jsonl
# holds holdout/harassment.jsonl to harassment5.jsonl, and since round 10 harassment7 and
# harassment9; confidential/dev2.jsonl holds confidential3, 4 and (round 10) 6.
MOVED_DEV_FILES = {REPO / "benchmarks" / "media_inquiry" / "dev.jsonl": "media_inquiry",
                    REPO / "benchmarks" / "confidential" / "dev.jsonl": "confidential",
                    REPO / "benchmarks" / "personal_use" / "dev2.jsonl": "personal_use",
                    REPO / "benchmarks" / "harassment" / "dev2.jsonl": "harassment",
                    REPO / "benchmarks" / "media_inquiry" / "dev2.jsonl": "media_inquiry",
                    REPO / "benchmarks" / "confidential" / "dev2.jsonl": "confidential"}
# Rounds 5b-5c (2026-12-02, fourth session): a new writer, replacing the batches moved to development.
SIXTH_FILES = [HOLDOUT / "personal_use6.jsonl"]
# Round 6 (2026-12-03): four new writers, before the sixth corpus round and retrain.
SEVENTH_FILES = [HOLDOUT / f"{c}.jsonl" for c in ("harassment6", "confidential5", "media_inquiry5")]
# Rounds 7 and 7b (2026-12-03, second session): new writers, replacing the batches moved to development
# (their harassment and confidential batches are development batches since round 10).
EIGHTH_FILES = [HOLDOUT / "media_inquiry6.jsonl"]
# Round 8 (2026-12-03, third session): two new writers, before the eighth corpus round and retrain.
NINTH_FILES = [HOLDOUT / f"{c}.jsonl" for c in ("harassment8", "confidential7")]
# Round 10 (2026-12-04, second session): two new writers, replacing the batches moved to development.
TENTH_FILES = [HOLDOUT / f"{c}.jsonl" for c in ("harassment10", "confidential8")]
# Round 11 (2026-12-04, third session): two new writers, after the round's rule changes, for the next.
ELEVENTH_FILES = [HOLDOUT / f"{c}.jsonl" for c in ("harassment11", "confidential9")]
LATER_FILES = [*SIXTH_FILES, *SEVENTH_FILES, *EIGHTH_FILES, *NINTH_FILES, *TENTH_FILES, *ELEVENTH_FILES]
# The teen batches moved to development in round 7 (teen/holdout.jsonl to holdout6.jsonl) and round 10
# (holdout9.jsonl), on the shared school roster like teen/dev.jsonl.
TEEN_DEV2 = REPO / "benchmarks" / "teen" / "dev2.jsonl"
# Development batches by writers outside the corpus: thresholds are chosen on them, never trained on.
DEV_FILES = [*(REPO / "benchmarks" / d / "dev.jsonl" for d in ("teen", "harassment", "personal_use", "inquiries")),
             TEEN_DEV2, *MOVED_DEV_FILES]
# Teen holdouts: round 6 (2026-12-03) and round 7 (its second session), each by a new writer
# before that round's training.
TEEN7 = REPO / "benchmarks" / "teen" / "holdout7.jsonl"
TEEN8 = REPO / "benchmarks" / "teen" / "holdout8.jsonl"
TEEN10 = REPO / "benchmarks" / "teen" / "holdout10.jsonl"  # round 10 (2026-12-04, second session)
TEEN_FILES = (TEEN7, TEEN8, TEEN10)
ALL_FILES = [*CATEGORY_FILES.values(), *MOVED_DEV_FILES, *LATER_FILES, *TEEN_FILES]
# written for this roster's accounts and names (the dev2 files hold later writers' batches in their own
# invented divisions, whose accounts resolve to no school here, and personal_use's and harassment's
# also this roster's first batch)
ON_ROSTER = [*CATEGORY_FILES.values(), *(p for p, c in MOVED_DEV_FILES.items() if p.stem == "dev" and c != "personal_use")]
FIELDS = ("id", "platform", "kind", "account", "author", "text", "media", "consent_tag", "labels", "spans", "created_at")
PLATFORMS = {"facebook", "instagram", "x", "youtube", "blog", "bluesky", "threads", "tiktok"}

# STUDENT_NAME spans that deliberately do not match a roster entry, as benchmarks/holdout/README.md
# lists them: misspellings of current students (PII by the rules) and new students not yet on
# the roster, named with grade or class context.
OFF_ROSTER = {
    "tallula greyeyes": "misspelt Tallulah Greyeyes",
    "matilda vos": "misspelt Matilda Voss",
    "ottilie": "new Grade 3 student, not yet on the roster",
    "evander k": "new Grade 2 student, not yet on the roster",
    "mirabel": "new Grade 4 student, not yet on the roster",
}


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def roster() -> Roster:
    return Roster.build(load_directory(ROSTER_DIR))


def _norm(name: str) -> str:
    """'Paloma.ReyesWhitman', 'Dawit B.', "O'Rourke" -> lower-case words without punctuation."""
    words = re.sub(r"[^a-z0-9 ]", "", re.sub(r"[-._]", " ", fold(name)))
    return " ".join(words.split())


def _name_forms(roster: Roster) -> dict[str, list]:
    """Every written form of a student's name: first, preferred, full, 'first l', the handle 'firstlast'."""
    forms: dict[str, list] = {}
    for s in roster.directory.students:
        last = _norm(s.last_name)
        for first in filter(None, (s.first_name, s.preferred_name)):
            f = _norm(first)
            for form in (f, f"{f} {last}", f"{f} {last[0]}", (f + last).replace(" ", ""), f"{f} {last.replace(' ', '')}"):
                forms.setdefault(form, []).append(s)
    return forms


def test_roster_loads_with_the_contract_columns() -> None:
    directory = load_directory(ROSTER_DIR)  # raises ConfigError naming file, line and field
    assert len(directory.students) >= 60
    schools = {s.school for s in directory.students}
    assert len(schools) == 4
    assert {s.grade for s in directory.students} >= {"K", "1", "6", "9", "12"}
    assert {s.media_consent for s in directory.students} == {"yes", "no", "limited"}
    expiries = {s.consent_expires for s in directory.students if s.consent_expires}
    # consent that lapsed before the items were written and consent that lapses while they were
    assert min(expiries) < date(2026, 9, 1) and any(date(2026, 9, 1) < e < date(2026, 12, 1) for e in expiries)
    assert any(s.consent_expires is None and s.media_consent == "yes" for s in directory.students)
    assert 25 <= len(directory.staff) <= 30
    for school in schools:
        roles = {m.role for m in directory.staff if m.school == school}
        assert {"principal", "vice_principal", "teacher"} <= roles, school
    assert any(not m.active for m in directory.staff)


def test_roster_names_are_new() -> None:
    """No student or staff name of the development rosters: a name seen in development says nothing."""
    def names(folder: Path) -> set[tuple[str, str]]:
        out = set()
        for file in ("students.csv", "staff.csv"):
            with open(folder / file, encoding="utf-8") as fh:
                out |= {(fold(r["first_name"]), fold(r["last_name"])) for r in csv.DictReader(fh)}
        return out

    ours = names(ROSTER_DIR)
    others = [EXAMPLE_CONFIG] + [p for p in [SHARED / "data" / "school" / "roster"] if p.is_dir()]
    for folder in others:
        theirs = names(folder)
        assert not ours & theirs, folder
        assert not {f for f, _ in ours} & {f for f, _ in theirs}, folder
        assert not {last for _, last in ours} & {last for _, last in theirs}, folder


def test_account_slugs_resolve_to_their_school(roster: Roster) -> None:
    """First names resolve within the posting school, which the classifier infers from the slug."""
    schools = {s.school for s in roster.directory.students}
    seen: dict[str, str | None] = {}
    for path in ON_ROSTER:
        for r in _records(path):
            seen[r["account"]] = roster.school_of(r["account"])
    assert set(seen.values()) >= schools
    for account, school in seen.items():
        if account.startswith("tamarack-sd-") or account.endswith("-blog"):
            assert school is None, account  # division accounts and class blogs: division-wide
        else:
            assert school in schools, account


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_items_have_the_dev_shape(path: Path) -> None:
    parsed = read_items(path)
    assert not parsed.errors
    records = _records(path)
    assert len(parsed.items) == len(records) >= (80 if path in TEEN_FILES else 60)
    for r in records:
        assert tuple(sorted(r)) == tuple(sorted(FIELDS)), r["id"]
        assert r["platform"] in PLATFORMS and r["kind"] in ("post", "comment", "reply"), r["id"]
        assert isinstance(r["author"]["name"], str) and r["author"]["name"] and isinstance(r["author"]["is_account"], bool), r["id"]
        assert r["text"].strip() and r["text"] == r["text"].strip(), r["id"]
        assert r["consent_tag"] in (None, "on-file", "none"), r["id"]
        assert datetime.fromisoformat(r["created_at"].replace("Z", "+00:00")).tzinfo is not None, r["id"]
        for m in r["media"]:
            assert m["type"] in ("photo", "video") and m["alt_text"].strip() and isinstance(m["tagged"], list), r["id"]


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_labels_are_known_and_balanced(path: Path) -> None:
    records = _records(path)
    vocabulary = set(CATEGORIES) | {"none"}
    for r in records:
        labels = r["labels"]
        assert labels and len(labels) == len(set(labels)) and set(labels) <= vocabulary, r["id"]
        assert labels == ["none"] or "none" not in labels, r["id"]
        if "photo_no_consent" in labels:
            assert r["media"], r["id"]
    category = "harassment" if path in TEEN_FILES else MOVED_DEV_FILES[path] if path in MOVED_DEV_FILES else path.stem.rstrip("0123456789")
    positives = sum(category in r["labels"] for r in records)
    assert 0.4 <= positives / len(records) <= 0.6, (path.name, positives, len(records))
    if path in TEEN_FILES:
        assert {tuple(r["labels"]) for r in records} == {("harassment",), ("none",)}
    if category == "photo_no_consent":
        assert all(r["media"] for r in records)
    if category == "personal_use":
        assert all(r["author"]["is_account"] for r in records if "personal_use" in r["labels"])


def test_ids_are_unique_across_every_holdout_file() -> None:
    ids = [r["id"] for path in ALL_FILES for r in _records(path)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_spans_sit_on_words_inside_the_text(path: Path) -> None:
    for r in _records(path):
        text, spans = r["text"], r["spans"]
        assert bool(spans) == ("student_pii" in r["labels"]), r["id"]
        last_end = 0
        for s in sorted(spans, key=lambda s: s["start"]):
            start, end = s["start"], s["end"]
            assert s["label"] in SPAN_LABELS, r["id"]
            assert 0 <= start < end <= len(text), r["id"]
            assert start >= last_end, f"{r['id']}: overlapping spans"
            last_end = end
            piece = text[start:end]
            assert piece == piece.strip() and piece[0].isalnum(), (r["id"], piece)
            assert start == 0 or not text[start - 1].isalnum(), (r["id"], piece)
            assert end == len(text) or not text[end].isalnum(), (r["id"], piece)


def test_student_spans_name_holdout_students(roster: Roster) -> None:
    forms = _name_forms(roster)
    ids = {s.student_id for s in roster.directory.students}
    for path in ON_ROSTER:
        for r in _records(path):
            school = roster.school_of(r["account"])
            for s in r["spans"]:
                piece = r["text"][s["start"]:s["end"]]
                if s["label"] == "STUDENT_NAME":
                    key = _norm(piece)
                    if key in OFF_ROSTER:
                        continue
                    found = forms.get(key) or forms.get(key.replace(" ", ""))
                    assert found, f"{r['id']}: {piece!r} is not a holdout student (add it to OFF_ROSTER and the README if deliberate)"
                    if " " not in key and school:  # a first name alone must be someone at the posting school
                        assert any(st.school == school for st in found), (r["id"], piece)
                elif s["label"] in ("STUDENT_ID", "EMAIL"):
                    number = re.search(r"\d{7}", piece)
                    assert number and number.group() in ids, (r["id"], piece)


def test_off_roster_names_are_listed_in_the_readme() -> None:
    readme = fold((HOLDOUT / "README.md").read_text(encoding="utf-8"))
    for name in ("Tallula Greyeyes", "matilda vos", "Ottilie", "Evander K.", "Mirabel", "Jonas"):
        assert fold(name) in readme, name


@pytest.mark.parametrize("batch", TEEN_FILES, ids=lambda p: p.name)
def test_teen_batch_is_new_wording(batch: Path) -> None:
    def norm(t: str) -> str:
        return " ".join(re.sub(r"[^a-z0-9 ]", "", fold(t)).split()) or t.strip()  # an emoji-only text compares as itself

    earlier = {norm(r["text"]) for p in (REPO / "benchmarks" / "teen").glob("*.jsonl") if p != batch for r in _records(p)}
    texts = [norm(r["text"]) for r in _records(batch)]
    assert len(texts) == len(set(texts))
    assert not set(texts) & earlier


@pytest.mark.parametrize("path", LATER_FILES, ids=lambda p: p.name)
def test_later_batches_are_new_wording(path: Path) -> None:
    """A later batch of a category repeats no text of that category's other batches."""
    def norm(t: str) -> str:
        return " ".join(re.sub(r"[^a-z0-9 ]", "", fold(t)).split()) or t.strip()  # an emoji-only text compares as itself

    category = path.stem.rstrip("0123456789")
    others = [p for p in HOLDOUT.glob(f"{category}*.jsonl") if p != path and p.stem.rstrip("0123456789") == category]
    others += [p for p, c in MOVED_DEV_FILES.items() if c == category]  # its batches moved to development
    assert others, path.name
    earlier = {norm(r["text"]) for p in others for r in _records(p)}
    texts = [norm(r["text"]) for r in _records(path)]
    assert len(texts) == len(set(texts)) and not set(texts) & earlier


def test_no_holdout_or_development_text_is_in_the_training_corpus() -> None:
    """A holdout measures text the model never saw, and a development batch stands for writers it
    never saw (thresholds are chosen on it): none of their texts may sit in training/school."""
    def norm(t: str) -> str:
        return " ".join(re.sub(r"[^a-z0-9 ]", "", fold(t)).split()) or t.strip()  # an emoji-only text compares as itself

    corpus = {norm(r["text"]) for p in (REPO / "training" / "school").glob("*.jsonl") for r in _records(p)}
    holdouts = [*ALL_FILES, *(REPO / "benchmarks" / "teen").glob("holdout*.jsonl"),
                *(REPO / "benchmarks" / "inquiries").glob("holdout*.jsonl"), *DEV_FILES]
    for path in holdouts:
        shared = {norm(r["text"]) for r in _records(path)} & corpus
        assert not shared, (path.name, sorted(shared)[:3])


@pytest.mark.parametrize("path", DEV_FILES, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_development_batches_load_with_the_dev_fields(path: Path) -> None:
    parsed = read_items(path)
    records = _records(path)
    assert not parsed.errors and len(parsed.items) == len(records) >= 80
    vocabulary = set(CATEGORIES) | {"none"}
    for r in records:
        assert tuple(sorted(r)) == tuple(sorted(FIELDS)), r["id"]
        assert r["labels"] and set(r["labels"]) <= vocabulary, r["id"]

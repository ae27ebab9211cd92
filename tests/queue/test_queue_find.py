"""monitor.queue's finding-your-way and undo, and the clause words every finding can cite."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from classifiers.base import CLAUSES
from classifiers.harassment import HARASSMENT_CLAUSE
from monitor import queue
from monitor.config import Division
from monitor.db import Database
from monitor.models import ReviewItem
from monitor.users import Viewer, require_user, viewer_for
from monitor.web.clauses import parse, quote
from monitor.web.times import due_phrase, local
from tests.queue.helpers import COMMS, NOW, WILLOW, WILLOW_ADMIN, WILLOW_PRINCIPAL, example_division, make_user, routed_item

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def division() -> Division:
    return example_division()


def viewer(db: Database, division: Division, email: str) -> Viewer:
    with db.sessions() as session:
        return viewer_for(division, require_user(session, email))


def test_walking_back_gives_the_same_pages_as_walking_forward(db: Database, division: Division) -> None:
    make_user(db, division, COMMS, "communications_manager")
    make_user(db, division, WILLOW_ADMIN, "account_admin")
    # equal due minutes with different severities: the more severe first, then the id
    rows = [routed_item(db, division, WILLOW, [(cat, sev)], kind="post", now=NOW + timedelta(seconds=s))
            for cat, sev, s in (("student_pii", "medium", 5), ("harassment", "high", 30), ("personal_use", "low", 0), ("student_pii", "medium", 50), ("student_pii", "medium", 70))]
    for email in (COMMS, WILLOW_ADMIN):
        who = viewer(db, division, email)
        with db.sessions() as session:
            forward, cursor = [], None
            pages = []
            while True:
                page = queue.list_items(session, who, after=cursor, limit=2)
                pages.append([r.id for r in page.items])
                forward += [r.id for r in page.items]
                if not page.next_cursor:
                    break
                cursor = page.next_cursor
            # 09:00:05, 09:00:30, 09:00:00 and 09:00:50 are one minute: high, medium (lower id), medium, low; 09:01:10 last
            assert forward == [rows[1].id, rows[0].id, rows[3].id, rows[2].id, rows[4].id]
            back = queue.list_items(session, who, before=page.prev_cursor, limit=2)
            assert [r.id for r in back.items] == pages[-2] and back.next_cursor and back.prev_cursor
            first = queue.list_items(session, who, before=back.prev_cursor, limit=2)
            assert [r.id for r in first.items] == pages[0] and first.prev_cursor is None
            with pytest.raises(queue.InvalidInput, match="after, before"):
                queue.list_items(session, who, after=cursor, before=cursor)


def test_counts_are_scoped_to_the_viewer(db: Database, division: Division) -> None:
    make_user(db, division, WILLOW_ADMIN, "account_admin")
    make_user(db, division, COMMS, "communications_manager")
    routed_item(db, division, WILLOW, [("student_pii", "medium"), ("harassment", "high")], kind="post")
    routed_item(db, division, "northgate-high-fb", [("media_inquiry", "medium")], kind="post")
    with db.sessions() as session:
        mine = queue.counts(session, viewer(db, division, WILLOW_ADMIN))
        everyone = queue.counts(session, viewer(db, division, COMMS))
    assert mine.states["open"] == 1 and mine.categories == {"student_pii": 1, "harassment": 1}
    assert everyone.states["open"] == 2 and everyone.categories["media_inquiry"] == 1


def test_the_resolved_history_is_counted_only_up_to_the_cap(db: Database, division: Division, monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(db, division, WILLOW_ADMIN, "account_admin")
    admin = viewer(db, division, WILLOW_ADMIN)
    reviews = [routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post") for _ in range(4)]
    queue.bulk_dismiss(db, admin, [r.id for r in reviews[:3]], None, NOW)
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    with db.sessions() as session:
        counted = queue.counts(session, admin)
    assert counted.states == {"open": 1, "claimed": 0, "resolved": 3, "escalated": 0}  # 3 = more than the cap of 2
    assert counted.categories == {"student_pii": 1}, "resolved items are not to do"


def test_undo_dismiss_restores_the_state_and_note_within_the_window_only(db: Database, division: Division) -> None:
    make_user(db, division, WILLOW_ADMIN, "account_admin")
    make_user(db, division, WILLOW_PRINCIPAL, "principal")
    admin, principal = viewer(db, division, WILLOW_ADMIN), viewer(db, division, WILLOW_PRINCIPAL)
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    queue.escalate(db, division, admin, review.id, NOW, "asked the principal")
    queue.claim(db, admin, review.id, NOW)
    done = queue.resolve(db, division, admin, review.id, "dismissed", "", NOW)
    with pytest.raises(queue.PermissionDenied, match="only they can undo"):
        queue.undo_dismiss(db, principal, review.id, NOW)
    with pytest.raises(queue.ConflictError, match="changed by someone else"):
        queue.undo_dismiss(db, admin, review.id, NOW, done.version - 1)
    back = queue.undo_dismiss(db, admin, review.id, NOW + timedelta(minutes=9), done.version)
    assert back.active and back.state == "claimed" and back.claimed_by == WILLOW_ADMIN and back.note == "asked the principal" and back.outcome is None
    with pytest.raises(queue.ConflictError, match="not dismissed"):
        queue.undo_dismiss(db, admin, review.id, NOW)
    queue.resolve(db, division, admin, review.id, "dismissed", "", NOW)
    with pytest.raises(queue.ConflictError, match="more than 10 minutes ago"):
        queue.undo_dismiss(db, admin, review.id, NOW + timedelta(minutes=10, seconds=1))
    with db.sessions() as session:
        row = session.get(ReviewItem, review.id)
        assert row.outcome == "dismissed"
        assert queue.escalation_notes(queue.history(session, row)) == ["asked the principal"]


def test_every_clause_the_monitor_cites_has_its_words() -> None:
    cited = set(CLAUSES.values()) | {HARASSMENT_CLAUSE}
    cited |= set(re.findall(r'"((?:AP80-SM|AP1311|AP140C|AP193|AP146) [^"]+)"', (ROOT / "monitor" / "governance.py").read_text()))
    readme = (Path("/work/shared/policies/README.md"))
    if readme.is_file():  # the procedures' own table of what each finding rests on
        for cell in re.findall(r"\| ((?:AP[0-9A-Z-]+ [^|]+))\|", readme.read_text()):
            cited.add(cell.strip())
    assert len(cited) > 15
    missing = [c.ref for ref in cited for c in quote(ref) if not c.words]
    assert not missing, f"clauses.json lacks the words of {sorted(set(missing))}"


def test_clause_references_are_parsed_as_the_procedures_write_them() -> None:
    assert parse("AP80-SM Establishing; AP193 1.2, 3.1, 3.2; AP1311 1.4.6") == [
        ("AP80-SM", "Establishing"), ("AP193", "1.2"), ("AP193", "3.1"), ("AP193", "3.2"), ("AP1311", "1.4.6")]
    assert parse("AP80-SM Account Management") == [("AP80-SM", "Account Management")]
    unknown = quote("AP999 9.9; AP1311 1.5.1")
    assert unknown[0].words is None and unknown[0].ref == "AP999 9.9"
    assert unknown[1].words == "Any media inquiries received via professional social media sites are to be referred to the District Communications Manager."
    assert parse("") == []


def test_times_read_in_the_division_zone() -> None:
    assert local(NOW, "America/Edmonton") == "2026-11-23 02:00 MST"
    assert local(NOW.replace(month=7), "America/Edmonton") == "2026-07-23 03:00 MDT"
    assert due_phrase(NOW + timedelta(hours=3, minutes=59), NOW) == "due in 3 h"
    assert due_phrase(NOW - timedelta(hours=2, seconds=30), NOW) == "overdue 2 h"
    assert due_phrase(NOW + timedelta(minutes=25), NOW) == "due in 25 min"
    assert due_phrase(NOW + timedelta(days=3, hours=5), NOW) == "due in 3 d 5 h"
    assert due_phrase(NOW - timedelta(hours=1), NOW, active=False) == ""

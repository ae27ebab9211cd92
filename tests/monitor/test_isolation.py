"""One bad item or account never stops the rest (issue 10, item 1), on SQLite and PostgreSQL.

Poison here is injected in-process where the real one cannot be made on both engines (a row the
database refuses); tests/faults/ drives the real poisons through `hallwatch run` subprocesses.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.base import AccountRef, FetchResult
from connectors.items import Author, Item
from connectors.registry import get_connector
from monitor.config import load_division
from monitor.db import Database, DatabaseGone
from monitor.models import Cursor, Finding, QuarantinedItem, RunAccount, StoredItem
from monitor.runs import run_cycle

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
POISON = "dg2-2-c1"


class RefusedRow(Exception):
    """What a database says of one row it will not take (PostgreSQL's DataError, say)."""


def refuse_one(session: Session, context, instances) -> None:  # noqa: ANN001
    for obj in session.new:
        if isinstance(obj, StoredItem) and obj.platform_id == POISON:
            raise RefusedRow("value for Harper Lindqvist too long")


def stored(db, account: str | None = None) -> list[str]:  # noqa: ANN001
    with db.sessions() as s:
        return sorted(s.scalars(select(StoredItem.platform_id)))


def test_a_row_the_database_refuses_is_quarantined_and_its_neighbours_and_cursor_commit(db, config_dir, analyzer) -> None:
    division = load_division(config_dir)
    from sqlalchemy import event

    event.listen(Session, "before_flush", refuse_one)
    try:
        report = run_cycle(db, division, analyze=analyzer, only="dubois-grade2-blog", now=lambda: NOW)
    finally:
        event.remove(Session, "before_flush", refuse_one)
    outcome = report.accounts[0]
    assert report.status == "ok" and outcome.quarantined == 1 and outcome.new_items == 2
    assert stored(db) == ["dg2-1", "dg2-2"]
    with db.sessions() as s:
        assert s.scalar(select(Cursor.value)) == "3", "the cursor moves past the quarantined item"
        q = s.scalars(select(QuarantinedItem)).one()
        assert (q.stage, q.platform_id, q.attempts, q.item_id) == ("store", POISON, 1, None)
        assert q.reason == "RefusedRow: value for Harper Lindqvist too long"
        assert q.next_retry_at == NOW + timedelta(hours=1)
        assert '"id": "dg2-2-c1"' in (q.payload or "")
    # not due yet: a later run leaves it waiting
    soon = run_cycle(db, division, analyze=analyzer, only="dubois-grade2-blog", now=lambda: NOW + timedelta(minutes=30))
    assert soon.accounts[0].new_items == 0 and stored(db) == ["dg2-1", "dg2-2"]
    # its time has come and the cause is gone: stored from the quarantine, classified, resolved
    later = run_cycle(db, division, analyze=analyzer, only="dubois-grade2-blog", now=lambda: NOW + timedelta(hours=2))
    assert later.accounts[0].new_items == 1 and later.accounts[0].quarantined == 0
    assert stored(db) == ["dg2-1", "dg2-2", POISON]
    with db.sessions() as s:
        assert s.scalars(select(QuarantinedItem)).one().resolved_at == NOW + timedelta(hours=2)
        assert s.scalar(select(func.count()).select_from(StoredItem).where(StoredItem.classified_at.is_(None))) == 0
    assert analyzer.seen.count(POISON) == 1


def test_an_item_the_classifier_chokes_on_is_found_alone_and_quarantined(db, config_dir, analyzer) -> None:
    division = load_division(config_dir)

    def poisoned(items):  # noqa: ANN001, ANN202
        if any(i.platform_id == POISON for i in items):
            raise ValueError(f"cannot parse {items[-1].text!r}")
        return analyzer(items)

    report = run_cycle(db, division, analyze=poisoned, only="dubois-grade2-blog", now=lambda: NOW)
    outcome = report.accounts[0]
    assert report.status == "ok" and outcome.classified == 2 and outcome.quarantined == 1 and outcome.findings == 1
    with db.sessions() as s:
        q = s.scalars(select(QuarantinedItem)).one()
        assert q.stage == "classify" and q.platform_id == POISON and q.item_id is not None
        assert q.reason == "ValueError: cannot parse …", "the text it choked on is never kept"
        assert s.scalar(select(func.count()).select_from(Finding)) == 1
        pending = list(s.scalars(select(StoredItem.platform_id).where(StoredItem.classified_at.is_(None))))
    assert pending == [POISON]
    # it keeps failing: each try waits longer, nothing else is held up
    run_cycle(db, division, analyze=poisoned, only="dubois-grade2-blog", now=lambda: NOW + timedelta(hours=1, minutes=1))
    with db.sessions() as s:
        q = s.scalars(select(QuarantinedItem)).one()
        assert q.attempts == 2 and q.next_retry_at == NOW + timedelta(hours=1, minutes=1) + timedelta(hours=2)
    # the classifier is fixed: the next run after the back-off classifies it
    run_cycle(db, division, analyze=analyzer, only="dubois-grade2-blog", now=lambda: NOW + timedelta(hours=4))
    with db.sessions() as s:
        assert s.scalars(select(QuarantinedItem)).one().resolved_at is not None
        assert s.scalar(select(func.count()).select_from(StoredItem).where(StoredItem.classified_at.is_(None))) == 0


def test_any_error_on_one_account_fails_that_account_only_and_says_no_names(db, config_dir, analyzer) -> None:
    division = load_division(config_dir)

    class Buggy:
        platform = "facebook"

        def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
            raise KeyError("Harper Lindqvist")

    report = run_cycle(db, division, analyze=analyzer, connector_for=lambda ref: Buggy() if ref.name == "northgate-high-fb" else get_connector(ref))
    by_name = {o.account: o for o in report.accounts}
    assert report.status == "partial"
    assert by_name["northgate-high-fb"].status == "failed" and by_name["northgate-high-fb"].error == "KeyError: …"
    assert all(o.status == "ok" for n, o in by_name.items() if n != "northgate-high-fb")
    with db.sessions() as s:
        assert "Harper" not in " ".join(e or "" for e in s.scalars(select(RunAccount.error)))


def test_text_is_made_safe_at_the_boundary_and_stored_whole(db, config_dir, analyzer) -> None:
    division = load_division(config_dir)
    giant = "Harper Lindqvist " * 70_000  # 1.19 M characters
    items = [
        Item("blog", "nul", "dubois-grade2-blog", "comment", "a\x00b password", Author("Ol\x00iver"), raw={"t": "\x00", "\x00k": ["\ud83d"]}),
        Item("blog", "cut", "dubois-grade2-blog", "comment", "cut emoji \ud83d here", Author("x\udc00"), permalink="https://e.invalid/\ud83d"),
        Item("blog", "pair", "dubois-grade2-blog", "comment", "whole \ud83d\ude00", Author("y")),
        Item("blog", "giant", "dubois-grade2-blog", "post", giant, Author("z")),
    ]

    class Feed:
        platform = "blog"

        def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
            return FetchResult(items=items, cursor="1", calls=1)

    seen_lengths: list[int] = []

    def recording(batch):  # noqa: ANN001, ANN202
        seen_lengths.extend(len(i.text) for i in batch)
        return analyzer(batch)

    report = run_cycle(db, division, analyze=recording, only="dubois-grade2-blog", connector_for=lambda ref: Feed())
    assert report.status == "ok" and report.accounts[0].quarantined == 0
    with db.sessions() as s:
        rows = {r.platform_id: r for r in s.scalars(select(StoredItem))}
        assert rows["nul"].text == "a\ufffdb password" and rows["nul"].author_name == "Ol\ufffdiver"
        assert rows["nul"].raw == {"t": "\ufffd", "\ufffdk": ["\ufffd"]}
        assert rows["cut"].text == "cut emoji \ufffd here" and rows["cut"].permalink == "https://e.invalid/\ufffd"
        assert rows["pair"].text == "whole \U0001f600"
        assert rows["giant"].text == giant, "the whole text is kept for the record"
        assert s.scalar(select(func.count()).select_from(Finding)) == 1


def test_a_sqlite_file_deleted_mid_run_stops_the_run_and_says_so(tmp_path, config_dir, analyzer) -> None:
    # a file only SQLite has; PostgreSQL's counterpart is the stopped server in tests/faults
    db = Database(f"sqlite:///{tmp_path / 'gone.sqlite3'}")
    db.migrate()
    division = load_division(config_dir)

    def connector_for(ref: AccountRef):  # noqa: ANN202
        if ref.name == "northgate-high-fb":
            db.path.unlink()
        return get_connector(ref)

    try:
        with pytest.raises(DatabaseGone, match="was deleted while in use"):
            run_cycle(db, division, analyze=analyzer, connector_for=connector_for)
    finally:
        db.dispose()


def test_urgent_items_are_mailed_as_each_account_commits_not_at_the_end(db, config_dir, analyzer, tmp_path) -> None:
    # a password on the first account, made urgent: its e-mail must be out before the next account is fetched
    with open(config_dir / "division.yaml", "a", encoding="utf-8") as fh:
        fh.write("\nrouting:\n  rules:\n    - {category: confidential, urgent: true}\n")
    with open(config_dir / "samples" / "prairie-hills-sd-fb.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"id": "phfb-pw", "text": "the staff wifi password is maple123"}\n')
    division = load_division(config_dir)
    outbox = tmp_path / "data" / "outbox"
    seen_before: dict[str, int] = {}

    def connector_for(ref: AccountRef):  # noqa: ANN202
        seen_before[ref.name] = len(list(outbox.glob("*.eml"))) if outbox.exists() else 0
        return get_connector(ref)

    run_cycle(db, division, analyze=analyzer, connector_for=connector_for, data_dir=tmp_path / "data")
    order = [a.name for a in division.accounts]
    assert order[0] == "prairie-hills-sd-fb" and seen_before[order[0]] == 0
    assert all(seen_before[name] >= 1 for name in order[1:]), seen_before

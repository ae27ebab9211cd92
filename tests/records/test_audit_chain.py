"""The hash-chained audit log: every insert chained by the flush hook, on SQLite and PostgreSQL,
under concurrent writers; a changed byte or a removed row found by `hallwatch audit verify`."""
from __future__ import annotations

import threading
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from monitor.cli import Main
from monitor.commands.audit import audit_group
from monitor.db import Database, downgrade, upgrade
from monitor.models import AuditEntry
from monitor.queue import claim
from monitor.records.audit_chain import GENESIS, canonical, verify_chain
from monitor.users import viewer_for, require_user
from tests.queue.helpers import EXAMPLE, ITS, NOW, WILLOW, example_division, make_user, routed_item


@click.group(cls=Main)
def cli() -> None:
    """The audit group as monitor.cli registers it."""


cli.add_command(audit_group)


@pytest.fixture
def verify(use_db_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("HALLWATCH_DATA_DIR", str(tmp_path / "data"))

    def invoke():  # noqa: ANN202
        return CliRunner().invoke(cli, ["audit", "verify", "--config", str(EXAMPLE)], catch_exceptions=False)

    return invoke


def _drop_trigger(db: Database) -> None:
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))


def _some_history(db: Database) -> None:
    """Audit rows from the real call sites: a user added, an item routed and claimed."""
    division = example_division()
    make_user(db, division, ITS, "its_admin")
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")])
    with db.sessions() as session:
        viewer = viewer_for(division, require_user(session, ITS))
    claim(db, viewer, review.id, NOW, None)
    with db.transaction() as session:
        session.add(AuditEntry(at=NOW, actor="test", action="note", entity_type="test", entity_id="1",
                               before=None, after={"text": "Olivier écrit 😀", "n": 1}))


def test_every_row_is_chained_to_the_one_before(db: Database) -> None:
    _some_history(db)
    with db.sessions() as session:
        rows = session.query(AuditEntry).order_by(AuditEntry.id).all()
    assert len(rows) >= 3
    assert rows[0].prev_hash == GENESIS
    for before, after in zip(rows, rows[1:]):
        assert after.prev_hash == before.row_hash
    assert len({r.row_hash for r in rows}) == len(rows)
    with db.sessions() as session:
        report = verify_chain(session)
    assert report.ok and report.checked == len(rows) and report.head_id == rows[-1].id


def test_the_canonical_form_is_sorted_key_json_of_the_row() -> None:
    data = canonical(7, NOW, "a", "b", "c", "d", None, {"z": 1, "a": "é"}, GENESIS)
    assert data == (b'{"action":"b","actor":"a","after":{"a":"\\u00e9","z":1},"at":"2026-11-23T09:00:00+00:00",'
                    b'"before":null,"entity_id":"d","entity_type":"c","id":7,"prev_hash":"' + GENESIS.encode() + b'"}')


def test_verify_passes_an_intact_log(db: Database, verify) -> None:  # noqa: ANN001
    _some_history(db)
    result = verify()
    assert result.exit_code == 0, result.output
    assert "audit log intact" in result.output


def test_a_changed_byte_in_a_row_is_named_by_verify(db: Database, verify) -> None:  # noqa: ANN001
    _some_history(db)
    with db.sessions() as session:
        target = session.query(AuditEntry).order_by(AuditEntry.id).all()[1]
    _drop_trigger(db)
    with db.engine.begin() as conn:
        # one byte of the actor: what a quiet edit of "who did it" looks like
        conn.execute(text("UPDATE audit_log SET actor = :a WHERE id = :id"), {"a": target.actor[:-1] + "X", "id": target.id})
    result = verify()
    assert result.exit_code == 6, result.output
    assert f"row {target.id} (" in result.output and "hash mismatch" in result.output
    # the time is the division's local time (America/Edmonton in the example)
    assert target.at.astimezone(example_division_zone()).strftime("%Y-%m-%d %H:%M:%S") in result.output


def example_division_zone():  # noqa: ANN201
    from zoneinfo import ZoneInfo

    return ZoneInfo(example_division().settings.timezone)


def test_a_removed_row_breaks_the_link_of_the_next(db: Database, verify) -> None:  # noqa: ANN001
    _some_history(db)
    with db.sessions() as session:
        rows = session.query(AuditEntry).order_by(AuditEntry.id).all()
    _drop_trigger(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": rows[1].id})
    result = verify()
    assert result.exit_code == 6
    assert f"row {rows[2].id} (" in result.output and "broken link" in result.output


def test_a_rehashed_row_still_breaks_the_chain_after_it(db: Database) -> None:
    """Rewriting a row and its own hash is not enough: the next row's link gives it away."""
    _some_history(db)
    with db.sessions() as session:
        rows = session.query(AuditEntry).order_by(AuditEntry.id).all()
    from monitor.records.audit_chain import hash_of

    first = rows[0]
    forged = hash_of(first.id, first.at, "someone else", first.action, first.entity_type, first.entity_id, first.before, first.after, first.prev_hash)
    _drop_trigger(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'someone else', row_hash = :h WHERE id = :id"), {"h": forged, "id": first.id})
    with db.sessions() as session:
        report = verify_chain(session)
    assert report.first_break is not None
    assert report.first_break.entry_id == rows[1].id and report.first_break.kind == "broken link"


def test_concurrent_writers_never_chain_onto_the_same_row(db: Database) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(8):
                with db.transaction() as session:
                    if n % 2:
                        # a transaction whose first statement is a SAVEPOINT, as a run's per-item store
                        session.begin_nested()
                    session.add(AuditEntry(actor=f"w{n}", action="write", entity_type="test", entity_id=str(i)))
                    session.flush()
                    session.add(AuditEntry(actor=f"w{n}", action="write-again", entity_type="test", entity_id=str(i)))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with db.sessions() as session:
        report = verify_chain(session)
        prevs = [p for (p,) in session.query(AuditEntry.prev_hash)]
    assert report.ok, report.first_break
    assert report.checked == 64
    assert len(set(prevs)) == 64, "two rows chained onto the same predecessor"


def test_the_migration_chains_rows_written_before_it(db: Database) -> None:
    _some_history(db)
    with db.sessions() as session:
        before = [(e.id, e.row_hash) for e in session.query(AuditEntry).order_by(AuditEntry.id)]
    downgrade(db.engine, "0006")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_log (at, actor, action, entity_type, entity_id) VALUES (:at, 'old', 'legacy', 'x', '1')"), {"at": NOW})
    upgrade(db.engine)
    with db.sessions() as session:
        report = verify_chain(session)
        after = [(e.id, e.row_hash) for e in session.query(AuditEntry).order_by(AuditEntry.id)]
    assert report.ok and report.checked == len(before) + 1
    assert after[: len(before)] == before, "re-chaining the same rows gives the same hashes"
    # still append-only after the migration
    with pytest.raises(Exception, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET actor = 'x'"))

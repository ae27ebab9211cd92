import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from monitor.db import Database, downgrade, upgrade
from monitor.models import AuditEntry


def test_migrations_go_down_and_up_again(db: Database) -> None:
    assert "items" in inspect(db.engine).get_table_names()
    downgrade(db.engine, "base")
    assert "items" not in inspect(db.engine).get_table_names()
    upgrade(db.engine)
    assert {"accounts", "items", "cursors", "runs", "findings", "audit_log"} <= set(inspect(db.engine).get_table_names())


def test_audit_log_refuses_updates_and_deletes_even_in_raw_sql(db: Database) -> None:
    with db.transaction() as session:
        session.add(AuditEntry(actor="its", action="test", entity_type="account", entity_id="1"))
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text(statement))
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT actor FROM audit_log")).scalar_one() == "its"


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with database.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"


def test_datetimes_come_back_aware_in_utc_on_every_engine(db: Database) -> None:
    from datetime import datetime, timedelta, timezone

    from monitor.models import Run

    edmonton = timezone(timedelta(hours=-7))
    with db.transaction() as session:
        session.add(Run(started_at=datetime(2026, 11, 23, 2, 0, tzinfo=edmonton), trigger="cli"))
    with db.sessions() as session:
        started = session.query(Run).one().started_at
    assert started.tzinfo is not None and started.utcoffset() == timedelta(0)
    assert started == datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)

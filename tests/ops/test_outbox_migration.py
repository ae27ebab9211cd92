from __future__ import annotations

from sqlalchemy import inspect

from monitor.db import Database, downgrade, upgrade


def test_migration_0005_adds_the_mail_outbox_and_goes_back(db: Database) -> None:
    assert "mail_outbox" in inspect(db.engine).get_table_names()
    downgrade(db.engine, "0003")
    assert "mail_outbox" not in inspect(db.engine).get_table_names()
    upgrade(db.engine)
    inspector = inspect(db.engine)
    assert {"ix_mail_outbox_state", "ix_mail_outbox_review_id"} <= {i["name"] for i in inspector.get_indexes("mail_outbox")}
    assert {c["name"] for c in inspector.get_columns("mail_outbox")} >= {"review_id", "reason", "event_at", "state", "sent_at", "attempts", "last_error", "claimed_until"}

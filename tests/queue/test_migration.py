from __future__ import annotations

from sqlalchemy import inspect

from monitor.db import Database, downgrade, upgrade


def test_migration_0002_goes_down_and_up(db: Database) -> None:
    assert {"review_items", "users"} <= set(inspect(db.engine).get_table_names())
    downgrade(db.engine, "0001")
    assert not {"review_items", "users"} & set(inspect(db.engine).get_table_names())
    upgrade(db.engine)
    indexes = {i["name"] for i in inspect(db.engine).get_indexes("review_items")}
    assert {"ix_review_active_due", "ix_review_state_due", "ix_review_account_due"} <= indexes


def test_migration_0003_adds_the_finding_reason_and_goes_back(db: Database) -> None:
    assert "reason" in {c["name"] for c in inspect(db.engine).get_columns("findings")}
    downgrade(db.engine, "0002")
    assert "reason" not in {c["name"] for c in inspect(db.engine).get_columns("findings")}
    upgrade(db.engine)
    assert "reason" in {c["name"] for c in inspect(db.engine).get_columns("findings")}


def test_migration_0006_adds_account_level_items_and_digests_and_goes_back(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert {"governance_findings", "account_profiles", "digests"} <= tables
    columns = {c["name"]: c for c in inspect(db.engine).get_columns("review_items")}
    assert columns["item_id"]["nullable"] and "governance_id" in columns
    downgrade(db.engine, "0003")
    assert not {"governance_findings", "account_profiles", "digests"} & set(inspect(db.engine).get_table_names())
    columns = {c["name"]: c for c in inspect(db.engine).get_columns("review_items")}
    assert not columns["item_id"]["nullable"] and "governance_id" not in columns
    upgrade(db.engine)
    assert "governance_id" in {c["name"] for c in inspect(db.engine).get_columns("review_items")}


def test_migration_0008_keeps_users_and_goes_back(db: Database) -> None:
    from sqlalchemy import text

    tables = set(inspect(db.engine).get_table_names())
    assert {"web_sessions", "login_throttles"} <= tables
    downgrade(db.engine, "0006")
    assert not {"web_sessions", "login_throttles"} & set(inspect(db.engine).get_table_names())
    assert {"failed_logins", "locked_until"} <= {c["name"] for c in inspect(db.engine).get_columns("users")}
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (email, display_name, role, password_hash, disabled, failed_logins, created_at)"
            " VALUES ('claire.dubois@prairiehills-sd.ca', 'Claire', 'account_admin', '$argon2id$x', false, 3, '2026-11-23 09:00:00+00')"))
    upgrade(db.engine)
    columns = {c["name"] for c in inspect(db.engine).get_columns("users")}
    assert {"external", "last_sign_in_at"} <= columns and not {"failed_logins", "first_failed_at", "locked_until"} & columns
    with db.engine.connect() as connection:
        row = connection.execute(text("SELECT email, role, password_hash, external FROM users")).one()
    assert tuple(row) == ("claire.dubois@prairiehills-sd.ca", "account_admin", "$argon2id$x", False)

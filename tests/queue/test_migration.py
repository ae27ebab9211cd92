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

"""Migration 0009 up and down with data in the tables, and the retention section's validation."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from monitor.db import Database, downgrade, upgrade
from monitor.errors import ConfigError
from tests.records.conftest import division_with


def test_migration_0009_goes_down_and_up_keeping_items(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert {"item_versions", "legal_holds"} <= tables
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO accounts (id, name, platform, handle, comments_enabled, credential_status, created_at) "
                          "VALUES (1, 'a', 'facebook', 'h', false, 'ok', '2026-11-01 00:00:00')"))
        conn.execute(text("INSERT INTO items (id, account_id, platform, platform_id, kind, author_name, author_is_account, text, media, raw, first_seen_at, version) "
                          "VALUES (1, 1, 'facebook', 'p1', 'comment', '', false, 'hello', '[]', '{}', '2026-11-01 00:00:00', 2)"))
        conn.execute(text("INSERT INTO item_versions (item_id, version, text, media, seen_from, why) VALUES (1, 1, 'hi', '[]', '2026-11-01 00:00:00', 'edited on the platform')"))
    downgrade(db.engine, "0006")
    assert not {"item_versions", "legal_holds"} & set(inspect(db.engine).get_table_names())
    assert not {"version", "deleted_at", "purged_at"} & {c["name"] for c in inspect(db.engine).get_columns("items")}
    assert "item_version" not in {c["name"] for c in inspect(db.engine).get_columns("findings")}
    upgrade(db.engine)
    columns = {c["name"] for c in inspect(db.engine).get_columns("items")}
    assert {"version", "version_seen_at", "platform_changed_at", "deleted_at", "deleted_how", "purged_at"} <= columns
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT text, version FROM items")).one() == ("hello", 1)


def test_retention_rules_naming_unknown_accounts_or_categories_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        division_with(tmp_path / "a", "\nretention:\n  default:\n    without_findings_days: 0\n")
    assert any(str(p).startswith("division.yaml:") and "retention.default.without_findings_days" in str(p) for p in info.value.problems)
    names = "\nretention:\n  accounts:\n    no-such-fb:\n      resolved_days: 30\n  categories:\n    gossip: 30\n"
    with pytest.raises(ConfigError) as info:
        division_with(tmp_path / "b", names)
    messages = [str(p) for p in info.value.problems]
    assert any("retention.accounts.no-such-fb: unknown account 'no-such-fb'" in m for m in messages)
    assert any("retention.categories.gossip: unknown category 'gossip'" in m for m in messages)
    assert all(m.startswith("division.yaml:") for m in messages), messages

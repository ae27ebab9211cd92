"""hallwatch hold add|list|release and purge --dry-run through the real CLI, errors named."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from monitor.cli import main as cli
from monitor.db import Database
from monitor.models import AuditEntry, LegalHold
from tests.queue.helpers import make_user, routed_item
from tests.records.conftest import COMMS, WILLOW, WILLOW_ADMIN, division_with, stored


@pytest.fixture
def setup(db: Database, use_db_env: str, tmp_path: Path):  # noqa: ANN201
    config, division = division_with(tmp_path)
    make_user(db, division, COMMS, "communications_manager")
    make_user(db, division, WILLOW_ADMIN, "account_admin")
    runner = CliRunner()

    def invoke(*args: str):  # noqa: ANN202
        return runner.invoke(cli, [*args[:2], "--config", str(config), *args[2:]])

    return invoke, division


def test_add_list_release_and_each_is_audited(setup, db) -> None:
    invoke, division = setup
    review = routed_item(db, division, WILLOW, [("student_pii", "high")])
    added = invoke("hold", "add", "--as", COMMS, "--account", WILLOW, "--from", "2026-09-01", "--to", "2026-11-30", "--reason", "FOIP request 2026-014")
    assert added.exit_code == 0, added.output
    assert "legal hold 1 placed" in added.output
    one = invoke("hold", "add", "--as", COMMS, "--item", str(review.id), "--reason", "litigation")
    assert one.exit_code == 0, one.output
    listed = invoke("hold", "list")
    assert listed.exit_code == 0
    assert f"account {WILLOW} 2026-09-01 to 2026-11-30" in listed.output and "FOIP request 2026-014" in listed.output
    assert f"stored item {review.item_id}" in listed.output
    released = invoke("hold", "release", "--as", COMMS, "1")
    assert released.exit_code == 0 and "legal hold 1 released" in released.output
    assert f"account {WILLOW}" not in invoke("hold", "list").output
    assert "released" in invoke("hold", "list", "--all").output
    with db.sessions() as s:
        entries = [(e.action, e.actor) for e in s.scalars(select(AuditEntry).where(AuditEntry.entity_type == "legal_hold").order_by(AuditEntry.id))]
    assert entries == [("hold_added", COMMS), ("hold_added", COMMS), ("hold_released", COMMS)]


@pytest.mark.parametrize(("args", "message"), [
    (["--account", "no-such-account"], "no account named 'no-such-account'"),
    (["--account", WILLOW, "--from", "2026-13-01"], "--from: '2026-13-01' is not a date (YYYY-MM-DD)"),
    (["--account", WILLOW, "--to", "yesterday"], "--to: 'yesterday' is not a date (YYYY-MM-DD)"),
    (["--account", WILLOW, "--from", "2026-11-02", "--to", "2026-11-01"], "--to: 2026-11-01 is before --from 2026-11-02"),
    (["--item", "999"], "--item: no item 999 in the review queue"),
    ([], "name either --account A or --item ID"),
])
def test_bad_hold_requests_are_named_and_add_nothing(setup, db, args, message) -> None:
    invoke, _ = setup
    result = invoke("hold", "add", "--as", COMMS, *args, "--reason", "request")
    assert result.exit_code == 1, result.output
    assert message in result.output
    with db.sessions() as s:
        assert s.scalars(select(LegalHold)).all() == []


def test_only_its_and_the_communications_manager_hold_and_release(setup, db) -> None:
    invoke, _ = setup
    refused = invoke("hold", "add", "--as", WILLOW_ADMIN, "--account", WILLOW, "--reason", "request")
    assert refused.exit_code == 1 and "only an ITS admin or the Communications Manager" in refused.output
    assert invoke("hold", "add", "--as", "nobody@prairiehills-sd.ca", "--account", WILLOW, "--reason", "x").exit_code == 1
    assert invoke("hold", "add", "--as", COMMS, "--account", WILLOW, "--reason", "   ").exit_code == 1
    assert invoke("hold", "add", "--as", COMMS, "--account", WILLOW, "--reason", "request").exit_code == 0
    assert "only an ITS admin" in invoke("hold", "release", "--as", WILLOW_ADMIN, "1").output
    unknown = invoke("hold", "release", "--as", COMMS, "7")
    assert unknown.exit_code == 1 and "no legal hold 7" in unknown.output
    assert invoke("hold", "release", "--as", COMMS, "1").exit_code == 0
    again = invoke("hold", "release", "--as", COMMS, "1")
    assert again.exit_code == 1 and "already released" in again.output


def test_purge_dry_run_prints_counts_per_rule_and_no_text(setup, db) -> None:
    invoke, division = setup
    with db.transaction() as s:
        for _ in range(3):
            stored(s, division, WILLOW, age_days=120)
    dry = invoke("purge", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would purge      3  without findings after 90 days (default)" in dry.output
    assert "Ava" not in dry.output
    done = invoke("purge")
    assert done.exit_code == 0 and "3 item(s) purged in 1 batch(es)" in done.output
    assert "nothing to purge" in invoke("purge", "--dry-run").output

"""Accounts registered for the governance audit but never read (Snapchat, instant messaging): fetch: false."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from monitor.cli import main
from monitor.config import load_division
from monitor.errors import ConfigError
from monitor.governance import audit, run_governance
from monitor.models import Account, RunAccount
from monitor.runs import run_cycle

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)

SNAPCHAT = """  - name: willow-creek-snap
    platform: snapchat
    handle: willowcreekwolves
    school: Willow Creek Elementary
    administrators: [helena.vasquez@prairiehills-sd.ca]
    comments: true
    registered: 2023-09-05
    approved: 2023-09-08
    last_password_reset: 2026-09-01
    fetch: FETCH
"""


def add_account(config_dir: Path, fetch: str = "false") -> None:
    path = config_dir / "division.yaml"
    text = path.read_text()
    path.write_text(text.replace("accounts:\n", "accounts:\n" + SNAPCHAT.replace("FETCH", fetch), 1))


def test_a_platform_without_a_connector_must_say_fetch_false(config_dir: Path) -> None:
    add_account(config_dir, "true")
    with pytest.raises(ConfigError) as caught:
        load_division(config_dir)
    text = str(caught.value)
    assert "willow-creek-snap" in text and "snapchat" in text and "fetch: false" in text
    result = CliRunner().invoke(main, ["check-config", str(config_dir)])
    assert result.exit_code != 0 and "willow-creek-snap" in result.output


def test_run_never_fetches_it_and_governance_still_audits_it(db, config_dir: Path, analyzer) -> None:
    add_account(config_dir)
    division = load_division(config_dir)
    report = run_cycle(db, division, analyze=analyzer, now=lambda: NOW, everything=True)
    assert report.status == "ok" and "willow-creek-snap" not in {o.account for o in report.accounts}
    assert run_cycle(db, division, analyze=analyzer, now=lambda: NOW, only="willow-creek-snap").accounts == []
    with db.sessions() as session:
        snap = session.scalar(select(Account).where(Account.name == "willow-creek-snap"))
        assert snap is not None and snap.platform == "snapchat"
        assert session.scalars(select(RunAccount).where(RunAccount.account_id == snap.id)).all() == []
        gaps = {g.rule for g in audit(session, division, NOW) if g.account == "willow-creek-snap"}
    # one administrator, no login e-mail: the registry rules apply; comments are not hallwatch's to watch
    assert {"two_admins", "login_email"} <= gaps and "comments_monitored" not in gaps
    # the daily job neither asks a connector for its profile nor fails on it
    found, _ = run_governance(db, division, NOW, connector_for=lambda ref: pytest.fail(f"asked a connector for {ref.name}") if ref.name == "willow-creek-snap" else __import__("connectors.registry", fromlist=["x"]).get_connector(ref))
    assert "two_admins" in {g.rule for g in found if g.account == "willow-creek-snap"}


def test_status_says_not_monitored(use_db_env, config_dir: Path, analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    add_account(config_dir)
    monkeypatch.setattr("monitor.runs.default_analyzer", lambda division: analyzer)
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--config", str(config_dir)]).exit_code == 0
    assert runner.invoke(main, ["run", "--config", str(config_dir)]).exit_code == 0
    status = runner.invoke(main, ["status", "--config", str(config_dir)])
    assert status.exit_code == 0, status.output
    line = next(line for line in status.output.splitlines() if line.startswith("willow-creek-snap"))
    assert "registered, not monitored (no API)" in line

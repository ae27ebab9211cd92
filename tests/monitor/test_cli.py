"""The operator's commands, through the real CLI on a real database."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from monitor.cli import main
from monitor.locks import run_lock
from monitor.models import Run


@pytest.fixture
def cli(use_db_env, config_dir: Path, analyzer, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setattr("monitor.runs.default_analyzer", lambda division: analyzer)
    runner = CliRunner()

    def invoke(*args: str):  # noqa: ANN202
        return runner.invoke(main, [args[0], "--config", str(config_dir), *args[1:]])

    return invoke


def test_init_run_report_findings_status(cli) -> None:
    init = cli("init")
    assert init.exit_code == 0, init.output
    assert "accounts registered: 7" in init.output
    run = cli("run")
    assert run.exit_code == 0, run.output
    assert "dubois-grade2-blog" in run.output and ": ok" in run.output
    report = cli("report")
    assert report.exit_code == 0
    row = next(line for line in report.output.splitlines() if line.startswith("dubois-grade2-blog"))
    assert row.split()[1:] == ["3", "1"]  # 3 items, 1 with a confidential finding
    findings = cli("findings", "--category", "confidential")
    assert "dg2-2" in findings.output and "AP146 2a" in findings.output
    assert "password" not in findings.output, "text only with --show-text"
    shown = cli("findings", "--category", "confidential", "--show-text")
    assert "[[password]]" in shown.output
    status = cli("status")
    assert "northgate-high-fb" in status.output and "run 1" in status.output


def test_a_second_run_finds_nothing_due(cli) -> None:
    cli("run")
    again = cli("run")
    assert again.exit_code == 0
    assert "no account is due" in again.output


def test_unknown_account_is_an_error_before_anything_runs(cli) -> None:
    result = cli("run", "--account", "no-such-page")
    assert result.exit_code == 1
    assert "no account named 'no-such-page'" in result.output
    assert "Traceback" not in result.output


def test_a_failed_account_gives_a_non_zero_exit(cli, config_dir: Path) -> None:
    (config_dir / "samples" / "northgate-high-yt.jsonl").write_text('{"id": "ok-1", "text": "fine"}\n{"id": "broken", "text": \n')
    result = cli("run")
    assert result.exit_code == 4  # some accounts failed
    assert "northgate-high-yt" in result.output and "northgate-high-yt.jsonl:2:" in result.output
    assert "run 1: partial" in result.output


def test_an_unreachable_database_is_a_clear_error(config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALLWATCH_DATABASE_URL", "postgresql://nobody:secretpw@127.0.0.1:1/none")
    result = CliRunner().invoke(main, ["init", "--config", str(config_dir)])
    assert result.exit_code == 5  # the database cannot be used
    assert result.output.startswith("error: the database cannot be used")
    assert "secretpw" not in result.output


def test_only_one_run_at_a_time_and_an_interrupted_run_is_marked(cli, db, config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = config_dir / "data"
    monkeypatch.setenv("HALLWATCH_DATA_DIR", str(data_dir))
    with db.transaction() as s:
        s.add(Run(status="running", trigger="cli"))  # a run that died midway
    with run_lock(data_dir):
        busy = cli("run")
    assert busy.exit_code == 3  # another run holds the lock
    assert "another hallwatch run is in progress" in busy.output
    done = cli("run")
    assert done.exit_code == 0, done.output
    with db.sessions() as s:
        assert [r.status for r in s.scalars(select(Run).order_by(Run.id))] == ["interrupted", "ok"]


def test_status_shows_what_the_last_run_met(cli, db) -> None:
    from monitor.models import Account, RunAccount

    cli("run")
    with db.transaction() as s:
        account = s.scalars(select(Account).where(Account.name == "prairie-hills-sd-x")).one()
        s.add(RunAccount(run_id=1, account_id=account.id, status="failed", error="rate limit: gave up after 4 tries",
                         events=["x: 429 on mentions, waited 12.0 s"]))
    status = cli("status")
    assert "last error: rate limit: gave up after 4 tries" in status.output
    assert "x: 429 on mentions, waited 12.0 s" in status.output

"""The operator's commands, through the real CLI on a real database."""
from __future__ import annotations

import os
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
    assert "why: a credential in a post" in findings.output, "the classifier's reason is printed"
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


def test_status_shows_last_success_lag_quarantine_and_a_dead_run(cli, db, config_dir: Path, monkeypatch: pytest.MonkeyPatch, analyzer) -> None:
    from datetime import timedelta

    from monitor.models import utcnow

    def poisoned(items):  # noqa: ANN001, ANN202
        if any(i.platform_id == "dg2-2-c1" for i in items):
            raise ValueError("spaCy choked on 'Noah loved the cloud jar'")
        return analyzer(items)

    def quarantine(*args: str):  # noqa: ANN202
        return CliRunner().invoke(main, ["quarantine", args[0], "--config", str(config_dir), *args[1:]])

    monkeypatch.setattr("monitor.runs.default_analyzer", lambda division: poisoned)
    assert cli("run").exit_code == 0
    with db.transaction() as s:
        s.add(Run(status="running", trigger="cli", started_at=utcnow() - timedelta(minutes=5)))  # killed mid-run
    status = cli("status")
    assert status.exit_code == 0, status.output
    assert "times in America/Edmonton" in status.output
    row = next(line for line in status.output.splitlines() if line.startswith("dubois-grade2-blog"))
    assert " MST " in row and "0h 00m" in row  # last success, local time, and its lag
    assert "quarantined: 1 item(s) (hallwatch quarantine list); latest: classify: ValueError: spaCy choked on …" in status.output
    assert "Noah" not in status.output
    assert "dead (left running by a process that was killed" in status.output
    listed = quarantine("list")
    assert "dg2-2-c1" in listed.output and "classify" in listed.output and "Noah" not in listed.output
    qid = listed.output.splitlines()[1].split()[0]
    # still broken: retried at once, still failing, exit 4
    still = quarantine("retry", qid)
    assert still.exit_code == 4, still.output
    assert "1 item(s) retried, 0 recovered, 1 still quarantined" in still.output
    # fixed: retried at once (not waiting for the back-off), classified, gone from the list
    monkeypatch.setattr("monitor.runs.default_analyzer", lambda division: analyzer)
    fixed = quarantine("retry", "--all")
    assert fixed.exit_code == 0, fixed.output
    assert "1 item(s) retried, 1 recovered, 0 still quarantined" in fixed.output
    assert quarantine("list").output.strip() == "no item is quarantined"
    assert "resolved" in quarantine("list", "--all").output


def test_no_command_but_init_creates_a_database(config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HALLWATCH_DATABASE_URL", raising=False)
    data = tmp_path / "nowhere"
    runner = CliRunner()
    for args in (["run"], ["status"], ["report"], ["quarantine", "list"], ["governance"]):
        result = runner.invoke(main, [*args, "--config", str(config_dir), "--data-dir", str(data)])
        assert result.exit_code == 5, (args, result.output)
        assert f"no database at {data / 'hallwatch.sqlite3'}; run `hallwatch init --config {config_dir}` first" in result.output
        assert not (data / "hallwatch.sqlite3").exists()
    assert runner.invoke(main, ["init", "--config", str(config_dir), "--data-dir", str(data)]).exit_code == 0
    assert runner.invoke(main, ["status", "--config", str(config_dir), "--data-dir", str(data)]).exit_code == 0


def test_a_postgresql_database_without_schema_is_refused(config_dir: Path, postgres_template: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import uuid

    from sqlalchemy import create_engine, text

    admin = create_engine(os.environ["HALLWATCH_TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
    name = "hw_empty_" + uuid.uuid4().hex[:8]
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        monkeypatch.setenv("HALLWATCH_DATABASE_URL", os.environ["HALLWATCH_TEST_POSTGRES_URL"].rsplit("/", 1)[0] + "/" + name)
        result = CliRunner().invoke(main, ["run", "--config", str(config_dir)])
        assert result.exit_code == 5
        assert f"/{name}; run `hallwatch init --config {config_dir}` first" in result.output
        probe = create_engine(os.environ["HALLWATCH_DATABASE_URL"])
        with probe.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).scalar_one() == 0
        probe.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from monitor.cli import Main
from monitor.commands.queue import queue_group
from monitor.commands.users import users_group
from monitor.db import Database
from monitor.models import AuditEntry, ReviewItem, User
from tests.queue.helpers import EXAMPLE, NORTHGATE, NOW, STUDENT_NAME, WILLOW, WILLOW_ADMIN, example_division, routed_item


@click.group(cls=Main)
def cli() -> None:
    """The two groups as the lead registers them in monitor.cli."""


cli.add_command(queue_group)
cli.add_command(users_group)


@pytest.fixture
def run(use_db_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("HALLWATCH_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):  # noqa: ANN202, A002
        return runner.invoke(cli, [*args[:2], "--config", str(EXAMPLE), *args[2:]], input=input, catch_exceptions=False)

    return invoke


def test_users_and_the_queue_from_the_command_line(run, db: Database) -> None:  # noqa: ANN001
    result = run("users", "add", WILLOW_ADMIN, "--role", "account_admin", "--name", "Claire", "--password-stdin", input="a long password 1\n")
    assert result.exit_code == 0, result.output
    division = example_division()
    willow = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    northgate = routed_item(db, division, NORTHGATE, [("student_pii", "medium")], kind="post")

    listed = run("queue", "list", "--as", WILLOW_ADMIN)
    assert listed.exit_code == 0 and WILLOW in listed.output and NORTHGATE not in listed.output

    shown = run("queue", "show", str(willow.id), "--as", WILLOW_ADMIN)
    assert shown.exit_code == 0 and f"[[{STUDENT_NAME}]]" in shown.output
    assert "student personal information: a student's full name from the roster" in shown.output, "each finding's reason is shown"

    hidden = run("queue", "show", str(northgate.id), "--as", WILLOW_ADMIN)
    assert hidden.exit_code == 1 and f"no review item {northgate.id} in your queue" in hidden.output

    assert run("queue", "claim", str(willow.id), "--as", WILLOW_ADMIN).exit_code == 0
    missing_note = run("queue", "resolve", str(willow.id), "--as", WILLOW_ADMIN, "--outcome", "referred")
    assert missing_note.exit_code == 1 and "note: a note is required" in missing_note.output
    done = run("queue", "resolve", str(willow.id), "--as", WILLOW_ADMIN, "--outcome", "referred", "--note", "to the principal")
    assert done.exit_code == 0 and "resolved as referred" in done.output
    with db.sessions() as session:
        assert session.get(ReviewItem, willow.id).state == "resolved"
        actors = {a.actor for a in session.scalars(select(AuditEntry).where(AuditEntry.entity_id == str(willow.id), AuditEntry.action != "route"))}
        assert actors == {WILLOW_ADMIN}

    unknown = run("queue", "list", "--as", "nobody@prairiehills-sd.ca")
    assert unknown.exit_code == 1 and "--as: no user" in unknown.output


def test_user_commands_validate_and_disable(run, db: Database) -> None:  # noqa: ANN001
    short = run("users", "add", WILLOW_ADMIN, "--role", "account_admin", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "password: must be at least" in short.output
    prompted = run("users", "add", WILLOW_ADMIN, "--role", "account_admin", input="a long password 1\na long password 1\n")
    assert prompted.exit_code == 0, prompted.output
    assert run("users", "set-password", WILLOW_ADMIN, "--password-stdin", input="another password 2\n").exit_code == 0
    assert run("users", "disable", WILLOW_ADMIN).exit_code == 0
    with db.sessions() as session:
        user = session.scalars(select(User)).one()
        assert user.disabled and "another password" not in user.password_hash
    refused = run("queue", "list", "--as", WILLOW_ADMIN)
    assert refused.exit_code == 1 and "disabled" in refused.output


def test_escalate_overdue_command(run, db: Database, tmp_path: Path) -> None:  # noqa: ANN001
    from datetime import datetime, timedelta, timezone
    division = example_division()
    # routed long ago: overdue now
    routed_item(db, division, NORTHGATE, [("media_inquiry", "medium")], now=datetime.now(timezone.utc) - timedelta(days=1))
    result = run("queue", "escalate-overdue")
    assert result.exit_code == 0 and "escalated 1 overdue item(s)" in result.output
    assert run("queue", "escalate-overdue").output.strip() == "escalated 0 overdue item(s)"
    with db.sessions() as session:
        assert session.scalars(select(ReviewItem)).one().state == "escalated"


def test_escalate_overdue_reports_a_mail_server_that_is_down(run, db: Database, tmp_path: Path) -> None:  # noqa: ANN001
    import socket
    from datetime import datetime, timedelta, timezone
    config = tmp_path / "config"
    import shutil
    shutil.copytree(EXAMPLE, config)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yaml = (config / "division.yaml").read_text().replace("host: null", "host: 127.0.0.1").replace("port: 587", f"port: {port}")
    (config / "division.yaml").write_text(yaml)
    routed_item(db, example_division(), NORTHGATE, [("media_inquiry", "medium")], now=datetime.now(timezone.utc) - timedelta(days=1))
    result = CliRunner().invoke(cli, ["queue", "escalate-overdue", "--config", str(config)])
    assert result.exit_code == 1
    assert "1 item(s) escalated, but the e-mails were not sent (127.0.0.1:" in result.output
    with db.sessions() as session:
        assert session.scalars(select(ReviewItem)).one().state == "escalated"  # the escalation stands


def test_users_add_refuses_outsiders_unless_external_and_warns_on_a_role_mismatch(run, db: Database) -> None:  # noqa: ANN001
    outside = run("users", "add", "someone@gmail.example", "--role", "account_admin", "--password-stdin", input="a long password 1\n")
    assert outside.exit_code == 1 and "email: someone@gmail.example is not an address of the division (prairiehills-sd.ca)" in outside.output
    unlisted = run("users", "add", "new.hire@prairiehills-sd.ca", "--role", "account_admin", "--password-stdin", input="a long password 1\n")
    assert unlisted.exit_code == 1 and "is not in staff.csv" in unlisted.output and "--external" in unlisted.output
    inactive = run("users", "add", "ruth.kimball@prairiehills-sd.ca", "--role", "account_admin", "--password-stdin", input="a long password 1\n")
    assert inactive.exit_code == 1 and "inactive in staff.csv" in inactive.output
    with db.sessions() as session:
        assert session.scalars(select(User)).all() == []
    external = run("users", "add", "auditor@firm.example", "--role", "communications_manager", "--external", "--password-stdin", input="a long password 1\n")
    assert external.exit_code == 0 and "external" in external.output and "warning" not in external.output
    mismatch = run("users", "add", WILLOW_ADMIN, "--role", "its_admin", "--password-stdin", input="a long password 1\n")
    assert mismatch.exit_code == 0
    assert "warning: claire.dubois@prairiehills-sd.ca is 'teacher' in staff.csv, which does not usually go with the queue role 'its_admin'" in mismatch.output
    fitting = run("users", "add", "helena.vasquez@prairiehills-sd.ca", "--role", "principal", "--password-stdin", input="a long password 1\n")
    assert fitting.exit_code == 0 and "warning" not in fitting.output
    with db.sessions() as session:
        assert {u.email: u.external for u in session.scalars(select(User))} == {
            "auditor@firm.example": True, WILLOW_ADMIN: False, "helena.vasquez@prairiehills-sd.ca": False}


def test_users_list_and_enable(run, db: Database) -> None:  # noqa: ANN001
    empty = run("users", "list")
    assert empty.exit_code == 0 and "no users yet" in empty.output
    assert run("users", "add", WILLOW_ADMIN, "--role", "account_admin", "--password-stdin", input="a long password 1\n").exit_code == 0
    assert run("users", "add", "helena.vasquez@prairiehills-sd.ca", "--role", "principal", "--password-stdin", input="a long password 1\n").exit_code == 0
    assert run("users", "add", "auditor@firm.example", "--role", "communications_manager", "--external", "--password-stdin", input="a long password 1\n").exit_code == 0
    with db.transaction() as session:
        session.scalars(select(User).where(User.email == WILLOW_ADMIN)).one().last_sign_in_at = NOW
    assert run("users", "disable", "helena.vasquez@prairiehills-sd.ca").exit_code == 0
    listed = run("users", "list")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].split() == ["E-MAIL", "ROLE", "SCHOOL", "/", "ACCOUNTS", "ENABLED", "LAST", "SIGN-IN"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {WILLOW_ADMIN, "helena.vasquez@prairiehills-sd.ca", "auditor@firm.example"}
    # NOW is 09:00 UTC, 02:00 in the division's time zone (America/Edmonton)
    assert "Willow Creek Elementary; dubois-grade2-blog, willow-creek-elementary-fb" in rows[WILLOW_ADMIN] and "yes" in rows[WILLOW_ADMIN] and "2026-11-23 02:00 MST" in rows[WILLOW_ADMIN]
    assert " no " in rows["helena.vasquez@prairiehills-sd.ca"] and "never" in rows["helena.vasquez@prairiehills-sd.ca"]
    assert "external; all accounts" in rows["auditor@firm.example"]
    assert run("users", "enable", "helena.vasquez@prairiehills-sd.ca").exit_code == 0
    assert " yes " in {line.split()[0]: line for line in run("users", "list").output.splitlines()}["helena.vasquez@prairiehills-sd.ca"]
    unknown = run("users", "enable", "nobody@prairiehills-sd.ca")
    assert unknown.exit_code == 1 and "email: no user" in unknown.output
    with db.sessions() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "user_enable")).one().entity_id == "helena.vasquez@prairiehills-sd.ca"

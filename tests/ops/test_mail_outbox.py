"""The mail outbox against a real SMTP server on loopback (aiosmtpd) that refuses, drops and dies.

Every urgent and escalation e-mail must arrive exactly once after the server recovers: none lost
while it was refusing or down, none doubled by the retries.
"""
from __future__ import annotations

import asyncio
import email
import socket
from collections import Counter
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from sqlalchemy import select

from monitor.db import Database
from monitor.models import OutboxMessage
from monitor.notify import LEASE, mail_status, notify_after_run, notify_urgent, send_pending
from monitor.queue import escalate, escalate_and_notify
from monitor.notify import NotifyError
from monitor.users import viewer_for, require_user
from tests.queue.helpers import COMMS, NORTHGATE, NOW, STUDENT_NAME, WILLOW, make_user, routed_item
from tests.queue.test_notify import Logins, body_text, division_with_smtp


class FlakyInbox:
    """Accepts, refuses (451/550) or drops the connection at DATA, following `plan` (then accepts)."""

    def __init__(self, delay: float = 0) -> None:
        self.plan: list[str] = []
        self.messages: list[email.message.EmailMessage] = []
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow server: concurrent senders overlap
        action = self.plan.pop(0) if self.plan else "ok"
        if action == "drop":
            server.transport.close()  # gone before answering: the client never hears "250"
            return "250 never heard"
        if action != "ok":
            return {"451": "451 4.3.0 Try again later", "550": "550 5.7.1 Refused for now"}[action]
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def keys(self) -> Counter[tuple[str, str]]:
        """(what, item id) per delivered message: what is Urgent, Overdue or Escalated."""
        out: Counter[tuple[str, str]] = Counter()
        for m in self.messages:
            subject = str(m["Subject"])
            out[(subject.split("]", 1)[1].split(":", 1)[0].strip(), subject.rsplit("item ", 1)[1].rstrip(")"))] += 1
        return out


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(inbox: FlakyInbox, port: int) -> Controller:
    # the login the division is configured with (tests/queue/test_notify.py checks it is used)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=Logins(), auth_require_tls=False)
    controller.start()
    return controller


def states(db: Database) -> Counter[str]:
    with db.sessions() as session:
        return Counter(session.scalars(select(OutboxMessage.state)))


def test_refusals_drops_and_an_outage_lose_nothing_and_double_nothing(db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    inbox, port = FlakyInbox(), free_port()
    division = division_with_smtp(port, monkeypatch)
    urgent = [routed_item(db, division, NORTHGATE, [("media_inquiry", "medium")]) for _ in range(3)]
    plain = [routed_item(db, division, WILLOW, [("student_pii", "medium")]) for _ in range(3)]
    make_user(db, division, COMMS, "communications_manager")
    with db.sessions() as session:
        moderator = viewer_for(division, require_user(session, COMMS))
    outbox = tmp_path / "outbox"

    controller = start(inbox, port)
    try:
        # the first urgent notice goes, the second is refused (451), the third goes
        inbox.plan = ["ok", "451", "ok"]
        assert notify_urgent(db, division, NOW, outbox) == 2
        # a moderator escalates an item; the server drops the connection on the refused notice,
        # then refuses the escalation (550) on the new connection
        escalate(db, division, moderator, plain[0].id, NOW, note="see the thread")
        inbox.plan = ["drop", "550"]
        report = send_pending(db, division, NOW, outbox)
        assert (report.sent, report.failed, report.waiting) == (0, 2, 2)
        assert f"127.0.0.1:{port}" in (report.error or "") and "550" in (report.error or "")
    finally:
        controller.stop()

    # the server is down: the overdue escalation commits anyway and its e-mails wait
    later = NOW + timedelta(days=4)
    with pytest.raises(NotifyError) as failure:
        escalate_and_notify(db, division, later, outbox)
    assert f"127.0.0.1:{port}" in str(failure.value) and "s3cret-smtp" not in str(failure.value)
    assert states(db) == Counter(sent=2, pending=2 + 5)  # 3 urgent + 2 others became overdue
    with db.sessions() as session:
        line = mail_status(session, division)
    assert "7 waiting" in line and f"127.0.0.1:{port}" in line and "ConnectionRefusedError" in line
    assert "s3cret-smtp" not in line

    # the server is back: the next run's pass sends every waiting message once
    controller = start(inbox, port)
    try:
        assert notify_after_run(db, division, later, tmp_path) == 7
        assert notify_after_run(db, division, later, tmp_path) == 0
    finally:
        controller.stop()
    expected = {("Urgent", str(r.id)) for r in urgent} | {("Escalated", str(plain[0].id))}
    expected |= {("Overdue", str(r.id)) for r in urgent + plain[1:]}
    assert inbox.keys() == Counter({key: 1 for key in expected})
    assert states(db) == Counter(sent=9)
    with db.sessions() as session:
        assert "nothing waiting" in mail_status(session, division)
    for message in inbox.messages:
        text = body_text(message)
        assert STUDENT_NAME not in text and "Congrats" not in text and "see the thread" not in text


def test_a_message_another_sender_holds_is_left_to_it_until_its_lease_ends(db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    inbox, port = FlakyInbox(), free_port()
    division = division_with_smtp(port, monkeypatch)
    review = routed_item(db, division, NORTHGATE, [("media_inquiry", "medium")])
    with db.transaction() as session:
        from monitor.notify import queue_urgent
        assert queue_urgent(session, NOW) == 1
        assert queue_urgent(session, NOW) == 0  # queued once, however often the sweep runs
        row = session.scalars(select(OutboxMessage)).one()
        row.claimed_until = NOW + LEASE  # another process is sending it right now
    controller = start(inbox, port)
    try:
        assert send_pending(db, division, NOW, tmp_path).sent == 0
        # that sender died without marking it: after the lease the message is sent, once
        assert send_pending(db, division, NOW + LEASE + timedelta(seconds=1), tmp_path).sent == 1
        assert send_pending(db, division, NOW + LEASE * 3, tmp_path).sent == 0
    finally:
        controller.stop()
    assert inbox.keys() == Counter({("Urgent", str(review.id)): 1})


def test_an_item_resolved_before_its_mail_went_is_not_mailed(db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    port = free_port()  # nothing listens: the notice waits
    division = division_with_smtp(port, monkeypatch)
    review = routed_item(db, division, NORTHGATE, [("media_inquiry", "medium")])
    assert notify_urgent(db, division, NOW, tmp_path) == 0
    with db.transaction() as session:
        from monitor.models import ReviewItem
        session.get(ReviewItem, review.id).active = False
    inbox = FlakyInbox()
    controller = start(inbox, port)
    try:
        assert send_pending(db, division, NOW, tmp_path).skipped == 1
    finally:
        controller.stop()
    assert inbox.messages == [] and states(db) == Counter(skipped=1)


def test_cli_escalate_mails_at_once_and_status_names_the_server_when_it_fails(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import shutil

    import yaml

    from monitor.cli import main
    from tests.queue.helpers import EXAMPLE

    config = tmp_path / "config"
    shutil.copytree(EXAMPLE, config)
    port = free_port()
    raw = yaml.safe_load((config / "division.yaml").read_text())
    raw["smtp"].update(host="127.0.0.1", port=port, starttls=False)
    (config / "division.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    monkeypatch.setenv("HALLWATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("HALLWATCH_SMTP_PASSWORD", "s3cret-smtp")
    from monitor.config import load_division
    division = load_division(config)
    db = Database(db_url)
    try:
        review = routed_item(db, division, WILLOW, [("student_pii", "medium")])
        make_user(db, division, COMMS, "communications_manager")
    finally:
        db.dispose()
    runner = CliRunner()
    args = ["queue", "escalate", "--config", str(config), "--as", COMMS, str(review.id)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"127.0.0.1:{port}" in result.output  # the warning (stderr is mixed in by CliRunner)
    status = runner.invoke(main, ["status", "--config", str(config)])
    assert status.exit_code == 0
    assert "e-mail: 1 waiting" in status.output and f"127.0.0.1:{port}" in status.output and "s3cret-smtp" not in status.output
    inbox = FlakyInbox()
    controller = start(inbox, port)
    try:
        result = runner.invoke(main, ["queue", "escalate-overdue", "--config", str(config)])
        assert result.exit_code == 0, result.output
    finally:
        controller.stop()
    assert inbox.keys() == Counter({("Escalated", str(review.id)): 1})


def test_two_senders_at_once_send_each_message_once(db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import threading

    inbox, port = FlakyInbox(delay=0.1), free_port()
    division = division_with_smtp(port, monkeypatch)
    reviews = [routed_item(db, division, NORTHGATE, [("media_inquiry", "medium")]) for _ in range(12)]
    with db.transaction() as session:
        from monitor.notify import queue_urgent
        assert queue_urgent(session, NOW) == 12
    controller = start(inbox, port)
    sent: list[int] = []
    try:
        # two processes' worth of senders (a run and serve's mail job) over the same outbox
        senders = [threading.Thread(target=lambda: sent.append(send_pending(db, division, NOW, tmp_path).sent)) for _ in range(2)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=60)
    finally:
        controller.stop()
    assert sum(sent) == 12 and min(sent) > 0  # both sent some: they did overlap
    assert inbox.keys() == Counter({("Urgent", str(r.id)): 1 for r in reviews})


def test_real_runs_deliver_every_urgent_notice_once_across_a_flaky_server(tmp_path: Path) -> None:
    """A `hallwatch run` process on the example division: the server takes one notice, refuses one
    and drops the connection on the next; `status` then names it; the next pass delivers the rest.
    On SQLite only (the real pipeline runs): the outbox on PostgreSQL is tested above."""
    import os
    import shutil
    import subprocess
    import sys

    import yaml

    from tests.queue.helpers import EXAMPLE

    config = tmp_path / "config"
    shutil.copytree(EXAMPLE, config)
    inbox, port = FlakyInbox(), free_port()
    raw = yaml.safe_load((config / "division.yaml").read_text())
    raw["smtp"].update(host="127.0.0.1", port=port, starttls=False)
    (config / "division.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    env = {**os.environ, "HALLWATCH_DATA_DIR": str(tmp_path / "data"), "HALLWATCH_SMTP_PASSWORD": "s3cret-smtp"}
    env.pop("HALLWATCH_DATABASE_URL", None)
    hallwatch = str(Path(sys.executable).with_name("hallwatch"))

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([hallwatch, *args, "--config", str(config)], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)

    init = cli("init")  # only init creates a database (issue 10.5)
    assert init.returncode == 0, init.stderr
    controller = start(inbox, port)
    try:
        # urgent mail goes out after each account (issue 10.4), so the run makes several passes:
        # the first message is accepted, then the server refuses everything for the rest of the run
        inbox.plan = ["ok"] + ["451"] * 200
        first = cli("run")
        assert first.returncode == 0, first.stderr
        assert len(inbox.messages) == 1
        status = cli("status")
        assert "e-mail: " in status.stdout and "waiting" in status.stdout and f"127.0.0.1:{port}" in status.stdout
        assert "s3cret-smtp" not in status.stdout + first.stdout + first.stderr
        # recovered: the next pass (here the cron job of escalate-overdue) sends what waits, nothing twice
        inbox.plan = ["drop"]  # the first recovery pass loses its connection once: that message waits
        second = cli("queue", "escalate-overdue")
        assert second.returncode == 1 and "wait in the outbox" in second.stderr, second.stderr
        third = cli("queue", "escalate-overdue")
        assert third.returncode == 0, third.stderr
    finally:
        controller.stop()
    keys = inbox.keys()
    assert len(keys) >= 3 and set(keys.values()) == {1}  # the example division has 3 or more urgent items
    assert {what for what, _ in keys} == {"Urgent"}
    assert "nothing waiting" in cli("status").stdout

"""Each recipient gets each week's digest exactly once: repeated runs, refusals, races, crashes."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from classifiers.roster import fold
from monitor.config import Division, load_division
from monitor.db import Database
from monitor.digest import digest_counts, send_digests
from monitor.models import Digest
from tests.digest.conftest import with_smtp
from tests.queue.helpers import EXAMPLE, WILLOW, add_item, routed_item
from monitor.routing import route_findings

SEND = datetime(2026, 11, 30, 14, 0, tzinfo=timezone.utc)
IN_WEEK = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)
PRINCIPALS = ["beatrice.langford@prairiehills-sd.ca", "desmond.holloway@prairiehills-sd.ca", "helena.vasquez@prairiehills-sd.ca"]
DIVISION_READERS = ["marcus.delacroix@prairiehills-sd.ca", "owen.brightwater@prairiehills-sd.ca", "tessa.nakamura@prairiehills-sd.ca"]
EVERYONE = sorted(PRINCIPALS + DIVISION_READERS)


def test_a_repeated_run_sends_nothing_twice(db: Database, division: Division, smtp, tmp_path: Path) -> None:
    controller, inbox = smtp
    division = with_smtp(division, controller.port)
    routed_item(db, division, WILLOW, [("student_pii", "medium")], now=IN_WEEK)
    first = send_digests(db, division, SEND, tmp_path / "outbox")
    assert first.week == "2026-W48" and len(first.sent) == 6 and not first.failed
    again = send_digests(db, division, SEND + timedelta(hours=1), tmp_path / "outbox")
    assert again.sent == [] and again.already == 6
    assert inbox.recipients() == EVERYONE
    subjects = {m["To"]: m["Subject"] for _, m in inbox.messages}
    assert subjects["helena.vasquez@prairiehills-sd.ca"] == "[hallwatch] Willow Creek Elementary: weekly digest, 2026-W48"
    assert subjects["marcus.delacroix@prairiehills-sd.ca"] == "[hallwatch] Prairie Hills School Division: weekly summary, 2026-W48"
    # the next week is a new digest
    nxt = send_digests(db, division, SEND + timedelta(days=7), tmp_path / "outbox")
    assert nxt.week == "2026-W49" and len(nxt.sent) == 6
    with db.sessions() as session:
        assert digest_counts(session, "2026-W48") == {"sent": 6} and digest_counts(session, "2026-W49") == {"sent": 6}


def test_a_refused_delivery_is_retried_on_the_next_run_and_never_marked_sent(db: Database, division: Division, smtp, tmp_path: Path) -> None:
    controller, inbox = smtp
    division = with_smtp(division, controller.port)
    inbox.refuse = {"desmond.holloway@prairiehills-sd.ca"}
    first = send_digests(db, division, SEND, tmp_path / "outbox")
    assert list(first.failed) == [("Cedar Valley Middle School", "desmond.holloway@prairiehills-sd.ca")]
    assert "SMTPRecipientsRefused" in next(iter(first.failed.values()))
    with db.sessions() as session:
        row = session.scalars(select(Digest).where(Digest.recipient == "desmond.holloway@prairiehills-sd.ca")).one()
        assert (row.state, row.sent_at, row.claim_token, row.attempts) == ("pending", None, None, 1)
        assert "550" in row.last_error
    inbox.refuse = set()
    second = send_digests(db, division, SEND + timedelta(minutes=5), tmp_path / "outbox")
    assert second.sent == [("Cedar Valley Middle School", "desmond.holloway@prairiehills-sd.ca")]
    assert inbox.recipients() == EVERYONE


def test_an_unreachable_server_sends_nothing_and_loses_nothing(db: Database, division: Division, tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]  # nothing listens here once the probe closes
    result = send_digests(db, with_smtp(division, dead), SEND, tmp_path / "outbox")
    assert len(result.failed) == 6 and not result.sent
    with db.sessions() as session:
        assert digest_counts(session, "2026-W48") == {"pending": 6}


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_runs_at_once_on_postgresql_send_each_digest_once(db_url: str, division: Division, smtp, tmp_path: Path) -> None:
    controller, inbox = smtp
    division = with_smtp(division, controller.port)
    start = threading.Barrier(2)
    results, errors = [], []

    def run() -> None:
        database = Database(db_url)  # one engine per process in real life: one per thread here
        try:
            start.wait()
            results.append(send_digests(database, division, SEND, tmp_path / "outbox"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            database.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert inbox.recipients() == EVERYONE
    assert sorted(len(r.sent) for r in results) != [0, 0] and sum(len(r.sent) for r in results) == 6
    assert sum(r.already for r in results) == 6


def _config_with_smtp(tmp_path: Path, port: int) -> Path:
    config = tmp_path / "config"
    shutil.copytree(EXAMPLE, config)
    path = config / "division.yaml"
    text = path.read_text()
    text = text.replace("  host: null ", f"  host: 127.0.0.1\n  #").replace("  port: 587\n  starttls: true\n", f"  port: {port}\n  starttls: false\n")
    text = text.replace("  username: hallwatch@prairiehills-sd.ca\n  password: env:HALLWATCH_SMTP_PASSWORD\n", "")
    path.write_text(text)
    assert load_division(config).smtp.port == port
    return config


def test_a_run_killed_halfway_sends_the_rest_next_time_and_none_twice(db_url: str, smtp, tmp_path: Path) -> None:
    controller, inbox = smtp
    config = _config_with_smtp(tmp_path, controller.port)
    inbox.hold_after = 1  # the first message is accepted; the second waits, never accepted
    env = {**os.environ, "HALLWATCH_DATABASE_URL": db_url}
    command = [str(Path(sys.executable).with_name("hallwatch")), "digest", "--config", str(config), "--send", "--week", "2026-W48"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        assert inbox.holding.wait(timeout=120), "the second message never arrived"
        os.killpg(process.pid, signal.SIGKILL)  # a crash in the middle of the second message
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        inbox.release.set()
    assert len(inbox.messages) == 1
    inbox.hold_after = None
    database = Database(db_url)
    try:
        with database.sessions() as session:
            assert digest_counts(session, "2026-W48") == {"sent": 1, "sending": 1, "pending": 4}
        division = load_division(config)
        # right after the crash the dead sender's claim still stands: the other four go, it waits
        now = datetime.now(timezone.utc)
        soon = send_digests(database, division, now, tmp_path / "outbox", "2026-W48")
        assert len(soon.sent) == 4 and soon.already == 2
        # once the claim is older than the timeout it is taken again
        later = send_digests(database, division, now + timedelta(minutes=division.digest.claim_timeout_minutes + 1), tmp_path / "outbox", "2026-W48")
        assert len(later.sent) == 1
        with database.sessions() as session:
            assert digest_counts(session, "2026-W48") == {"sent": 6}
    finally:
        database.dispose()
    assert inbox.recipients() == EVERYONE


def test_no_student_name_in_any_part_of_any_digest(db: Database, division: Division, smtp, tmp_path: Path) -> None:
    controller, inbox = smtp
    division = with_smtp(division, controller.port)
    students = division.directory.students
    names = [f"{s.first_name} {s.last_name}" for s in students] + [f"{s.preferred_name} {s.last_name}" for s in students if s.preferred_name]
    accounts = [a.name for a in division.accounts]
    with db.transaction() as session:
        filed = []
        for n, name in enumerate(names):
            _, findings = add_item(session, division, accounts[n % len(accounts)], [("student_pii", "high"), ("harassment", "medium")],
                                   text=f"Well done {name}, see you at {name}'s house", now=IN_WEEK)
            filed.extend(findings)
        route_findings(session, division, filed, IN_WEEK)
    result = send_digests(db, division, SEND, tmp_path / "outbox")
    assert len(result.sent) == 6
    assert len(inbox.messages) == 6
    words = {fold(s.last_name) for s in students}
    for _, message in inbox.messages:
        parts = [str(value) for _, value in message.items()]
        for part in message.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
            elif part.get_content_maintype() == "image":
                parts.append(part.get_content().decode("latin-1"))  # not even in the PNG's metadata
        everything = fold("\n".join(parts))
        for name in names:
            assert fold(name) not in everything
        for word in words:
            assert word not in everything, f"a student's last name in the digest to {message['To']}"
    # and the digests did count them: the school digests are not empty
    willow = next(m for _, m in inbox.messages if m["To"] == "helena.vasquez@prairiehills-sd.ca")
    assert "NEW FINDINGS THIS WEEK: 0" not in willow.get_body(("plain",)).get_content()

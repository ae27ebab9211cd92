from __future__ import annotations

import dataclasses
import email
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from monitor.config import Division
from monitor.db import Database
from datetime import timedelta

from monitor.notify import notify_urgent
from monitor.queue import escalate_and_notify
from tests.queue.helpers import (
    COMMS, NORTHGATE, NORTHGATE_PRINCIPAL, NOW, STUDENT_NAME, WILLOW, WILLOW_PRINCIPAL, example_division, routed_item,
)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


class Logins:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN204
        assert isinstance(auth_data, LoginPassword)
        self.seen.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"s3cret-smtp")


@pytest.fixture
def smtp_server():  # noqa: ANN201
    inbox, logins = Inbox(), Logins()
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=logins, auth_require_tls=False)
    controller.start()
    try:
        yield controller, inbox, logins
    finally:
        controller.stop()


def division_with_smtp(port: int, monkeypatch: pytest.MonkeyPatch) -> Division:
    monkeypatch.setenv("HALLWATCH_SMTP_PASSWORD", "s3cret-smtp")
    base = example_division()
    smtp = base.smtp.model_copy(update={"host": "127.0.0.1", "port": port, "starttls": False})
    return dataclasses.replace(base, smtp=smtp)


def body_text(message: email.message.EmailMessage) -> str:
    return "\n".join(part.get_content() for part in message.walk() if part.get_content_type() in ("text/plain", "text/html"))


def test_urgent_items_are_mailed_without_student_names(db: Database, smtp_server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # noqa: ANN001
    controller, inbox, logins = smtp_server
    division = division_with_smtp(controller.port, monkeypatch)
    media = routed_item(db, division, NORTHGATE, [("media_inquiry", "medium")])
    threat = routed_item(db, division, WILLOW, [("harassment", "high"), ("student_pii", "medium")])
    routed_item(db, division, WILLOW, [("student_pii", "medium")])  # not urgent: no e-mail
    assert notify_urgent(db, division, NOW, tmp_path / "outbox") == 2
    assert logins.seen == [("hallwatch@prairiehills-sd.ca", "s3cret-smtp")]
    by_item = {m["Subject"].rsplit("item ", 1)[1].rstrip(")"): (rcpt, m) for rcpt, m in inbox.messages}
    rcpt, message = by_item[str(media.id)]
    assert rcpt == [COMMS]
    assert "media inquiry" in message["Subject"]
    rcpt, message = by_item[str(threat.id)]
    assert set(rcpt) == {WILLOW_PRINCIPAL, COMMS}
    for _, message in inbox.messages:
        assert message.is_multipart() and {p.get_content_type() for p in message.iter_parts()} == {"text/plain", "text/html"}
        text = body_text(message)
        assert "http://127.0.0.1:8080/items/" in text
        assert STUDENT_NAME not in text and "Oliver" not in text and "Mbeki" not in text and "Congrats" not in text
        assert STUDENT_NAME not in str(message["Subject"])
    # notified once only
    assert notify_urgent(db, division, NOW, tmp_path / "outbox") == 0
    assert len(inbox.messages) == 2


def test_escalation_mail_goes_to_principal_and_communications(db: Database, smtp_server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # noqa: ANN001
    controller, inbox, _ = smtp_server
    division = division_with_smtp(controller.port, monkeypatch)
    routed_item(db, division, NORTHGATE, [("student_pii", "medium")])
    assert len(escalate_and_notify(db, division, NOW + timedelta(days=4), tmp_path)) == 1
    rcpt, message = inbox.messages[0]
    assert set(rcpt) == {NORTHGATE_PRINCIPAL, COMMS}
    assert "Overdue" in message["Subject"]
    # the due time is the division's local time (America/Edmonton), not UTC
    assert "MST" in body_text(message) and "UTC" not in body_text(message)


def test_without_smtp_host_messages_are_written_as_eml_files(db: Database, tmp_path: Path) -> None:
    division = example_division()
    assert division.smtp.host is None
    routed_item(db, division, NORTHGATE, [("media_inquiry", "medium")])
    assert notify_urgent(db, division, NOW, tmp_path / "outbox") == 1
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == COMMS and STUDENT_NAME not in files[0].read_text()

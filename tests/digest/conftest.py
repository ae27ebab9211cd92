"""Digest fixtures: the example division with a real SMTP server (aiosmtpd) on loopback."""
from __future__ import annotations

import asyncio
import dataclasses
import email
import socket
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from monitor.config import Division
from tests.queue.helpers import example_division


class Inbox:
    """Accepts every message, unless told to refuse a recipient or to hold the next one."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse: set[str] = set()
        # hold: the next message waits (never accepted) until `release` is set; `holding` says it arrived
        self.hold_after: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 try again later"
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"

    def recipients(self) -> list[str]:
        return sorted(r for rcpts, _ in self.messages for r in rcpts)


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, inbox
    finally:
        inbox.release.set()
        controller.stop()


def with_smtp(division: Division, port: int) -> Division:
    smtp = division.smtp.model_copy(update={"host": "127.0.0.1", "port": port, "starttls": False, "username": None, "password": None})
    return dataclasses.replace(division, smtp=smtp)


@pytest.fixture
def division() -> Division:
    return example_division()

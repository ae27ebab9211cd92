"""Webhook hardening on a real uvicorn server: the body is counted while it streams (413 past
1 MiB whatever Content-Length says, before the rest arrives), and bad input is a 4xx, never a 500."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from connectors.meta_webhook import DEFAULT_MAX_BODY
from monitor.models import StoredItem
from monitor.web.app import create_app
from monitor.webhooks import meta_routes
from tests.web.conftest import SECRET
from tests.web.test_webhook import WILLOW_PAGE, count, delivery, signed


@pytest.fixture
def server(db, division, analyzer, monkeypatch) -> Iterator[tuple[str, int]]:  # noqa: ANN001
    monkeypatch.setenv("HALLWATCH_META_APP_SECRET", "invented-meta-app-secret")
    monkeypatch.setenv("HALLWATCH_META_VERIFY_TOKEN", "verify-me")
    monkeypatch.setattr("monitor.runs.default_analyzer", lambda division: analyzer)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(db, division, secret_key=SECRET, extra_routes=meta_routes(db, division))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # readiness, not a timing assertion
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def status_of(sock: socket.socket) -> int:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1])


def post(address: tuple[str, int], head: str, body: bytes = b"") -> int:
    with socket.create_connection(address, timeout=30) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n" + body)
        return status_of(sock)


HEAD = "POST /webhooks/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Hub-Signature-256: sha256=00\r\n"

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_chunked_body_without_length_is_refused_once_past_the_limit(server: tuple[str, int]) -> None:
    chunk = b"x" * 65536
    with socket.create_connection(server, timeout=30) as sock:
        sock.sendall((HEAD + "Transfer-Encoding: chunked\r\n\r\n").encode())
        sent = 0
        while sent <= DEFAULT_MAX_BODY:
            sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            sent += len(chunk)
        # the body is never finished: an answer now means the server stopped reading at the limit
        assert status_of(sock) == 413


def test_announced_length_over_the_limit_is_refused_before_any_body(server: tuple[str, int]) -> None:
    assert post(server, HEAD + f"Content-Length: {5 * DEFAULT_MAX_BODY}\r\n") == 413


def test_a_lying_length_and_a_body_at_the_limit_are_no_500(server: tuple[str, int], db) -> None:  # noqa: ANN001
    # says 100 bytes, sends more: only 100 are read, and they are not a signed payload
    assert post(server, HEAD + "Content-Length: 100\r\n", b"{" * 200_000) == 403
    assert post(server, HEAD + f"Content-Length: {DEFAULT_MAX_BODY}\r\n", b" " * DEFAULT_MAX_BODY) == 403
    # the server still takes a real delivery afterwards
    body = delivery(WILLOW_PAGE, "the staff wifi password is Willow2026")
    headers = "".join(f"{k}: {v}\r\n" for k, v in signed(body).items())
    assert post(server, f"POST /webhooks/meta HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Content-Length: {len(body)}\r\n", body) == 200
    assert count(db, StoredItem) == 1


def test_a_non_ascii_signature_header_is_a_400(server: tuple[str, int]) -> None:
    head = "POST /webhooks/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nX-Hub-Signature-256: sha256=\xe9\xe9\r\n"
    assert post(server, head, b"{}") == 400

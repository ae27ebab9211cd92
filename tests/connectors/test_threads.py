"""Threads against its cassettes (built from the documented Threads API shapes): threads, replies, hide."""
from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from connectors.base import AccountRef, CredentialsError, Profile
from connectors.ratelimit import Throttle
from connectors.threads import ThreadsConnector
from monitor.actions import ALLOWED, ActionError, perform
from monitor.config import Division, load_division

REPO = Path(__file__).resolve().parents[2]

ACCOUNT = AccountRef("maple-threads", "threads", "27000000000000001", {"access_token": "THfakethreadstoken"})


def throttle(waits: list[float] | None = None) -> Throttle:
    return Throttle(sleep=(waits if waits is not None else []).append, rand=lambda: 0.0, now=lambda: 1709650000.0)


def test_first_poll_pages_threads_and_reads_each_conversation(cassette):
    with cassette("threads/first_poll.yaml"):
        result = ThreadsConnector(throttle()).fetch(ACCOUNT, None)
    assert [(i.kind, i.platform_id) for i in result.items] == [
        ("post", "18100000000000002"), ("comment", "18200000000000001"), ("reply", "18200000000000002"), ("post", "18100000000000001")]
    thread, comment, reply, text_only = result.items
    assert thread.media[0].url == "https://scontent.cdninstagram.example/t2.jpg" and thread.media[0].alt_text == "Projects on tables in the gym"
    assert text_only.media == [] and thread.author.is_account
    assert comment.parent_id == thread.platform_id and comment.author.name == "pat_neighbour" and not comment.author.is_account
    assert reply.parent_id == comment.platform_id and reply.author.is_account
    assert reply.created_at.isoformat() == "2024-03-05T15:20:00+00:00"
    assert result.calls == 4 and result.cursor == "1709652000"


def test_empty_poll_rereads_the_lookback_window_and_adds_nothing(cassette):
    with cassette("threads/empty_poll.yaml"):
        result = ThreadsConnector(throttle()).fetch(ACCOUNT, "1709652000")
    assert result.items == [] and result.calls == 3 and result.cursor == "1709652000"


def test_graph_rate_limit_code_is_backed_off(cassette):
    waits: list[float] = []
    with cassette("threads/rate_limited.yaml"):
        result = ThreadsConnector(throttle(waits)).fetch(ACCOUNT, "1709652000")
    assert waits == [2.0] and result.items == []


def test_expired_token(cassette):
    with cassette("threads/token_expired.yaml"):
        with pytest.raises(CredentialsError, match="maple-threads") as info:
            ThreadsConnector(throttle()).fetch(ACCOUNT, None)
    assert "THfake" not in str(info.value)


def test_hide_reply_posts_manage_reply(cassette):
    with cassette("threads/hide_reply.yaml") as cas:
        ThreadsConnector(throttle()).hide(ACCOUNT, "18200000000000001")
    assert cas.play_count == 1 and cas.requests[0].method == "POST"
    # the queue's hide action reaches it for comments and replies alike
    assert "hide" in ALLOWED["comment"] and "hide" in ALLOWED["reply"]


class ManageReply:
    """A loopback Threads API that records each `manage_reply` POST and answers `success`."""

    def __init__(self, success: bool) -> None:
        self.posts: list[tuple[str, dict[str, list[str]]]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                recorder.posts.append((parts.path, parse_qs(parts.query) | parse_qs(self.rfile.read(length).decode())))
                body = json.dumps({"success": success}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def threads_division(folder: Path, origin: str) -> Division:
    example = REPO / "config" / "example"
    for csv in ("students.csv", "staff.csv"):
        shutil.copy(example / csv, folder / csv)
    head = (example / "division.yaml").read_text(encoding="utf-8").split("\naccounts:")[0].replace("credentials_file: credentials.env", "credentials_file: null")
    account = (f"  - name: maple-threads\n    platform: threads\n    handle: '27000000000000001'\n"
               f"    administrators: [marcus.delacroix@prairiehills-sd.ca, tessa.nakamura@prairiehills-sd.ca]\n"
               f"    credentials: {{access_token: env:HW16_THREADS_HIDE}}\n    options: {{base_url: '{origin}'}}\n")
    (folder / "division.yaml").write_text(head + "\naccounts:\n" + account, encoding="utf-8")
    return load_division(folder)


@pytest.mark.parametrize("success", [True, False])
def test_the_queue_hides_a_threads_reply_through_the_connector(tmp_path, monkeypatch, success):
    monkeypatch.setenv("HW16_THREADS_HIDE", "THhidefaketoken")
    server = ManageReply(success)
    try:
        division = threads_division(tmp_path, f"http://127.0.0.1:{server.httpd.server_port}")
        if success:
            assert perform(division, "maple-threads", "reply", "18200000000000002", "hide") == "hide reply 18200000000000002 on threads"
        else:
            with pytest.raises(ActionError, match="Threads did not hide reply 18200000000000002"):
                perform(division, "maple-threads", "reply", "18200000000000002", "hide")
        with pytest.raises(ActionError, match="cannot delete"):
            perform(division, "maple-threads", "comment", "18200000000000001", "delete")
    finally:
        server.close()
    assert [(path, q["hide"], q["access_token"]) for path, q in server.posts] == [("/v1.0/18200000000000002/manage_reply", ["true"], ["THhidefaketoken"])]


def test_profile_takes_the_website_from_the_biography(cassette):
    with cassette("threads/profile.yaml"):
        profile = ThreadsConnector(throttle()).profile(ACCOUNT)
    assert profile == Profile("Maple Grove School", "News from Maple Grove School. https://maplegrove.example-sd.ca.", "https://maplegrove.example-sd.ca")

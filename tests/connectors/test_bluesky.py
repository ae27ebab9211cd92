"""Bluesky through the atproto SDK against the cassettes: posts, replies, mentions, paging, limits, hide."""
from __future__ import annotations

import json

import httpx
import pytest

from connectors.base import AccountRef, ConnectorError, CredentialsError
from connectors.bluesky import BlueskyConnector
from connectors.ratelimit import Throttle

DID = "did:plc:inventedmaplegrove000001"
BS = AccountRef(name="maple-bsky", platform="bluesky", handle="maplegrove.bsky.social", credentials={"app_password": "abcd-efgh-ijkl-mnop"})
NOW = 1709650000.0
P2 = f"at://{DID}/app.bsky.feed.post/3kinvented002"
C1 = "at://did:plc:inventedparent000000007/app.bsky.feed.post/3kparent0001"


def throttle(waits: list[float]) -> Throttle:
    return Throttle(sleep=waits.append, rand=lambda: 0.0, now=lambda: NOW)


def recording_client(sent: list[httpx.Request]) -> httpx.Client:
    return httpx.Client(timeout=30, event_hooks={"request": [sent.append]})


def test_first_poll_reads_posts_thread_replies_and_mentions_then_empty_poll(cassette):
    with cassette("bluesky/first_poll.yaml"):
        first = BlueskyConnector(throttle([])).fetch(BS, None)
    by_id = {i.platform_id: i for i in first.items}
    assert sorted(i.kind for i in first.items) == ["comment", "comment", "post", "post", "reply"]
    post = by_id[P2]
    assert post.author.is_account and post.text.startswith("Science fair today!")
    assert post.media[0].type == "photo" and post.media[0].alt_text == "Students at the science fair tables"
    assert post.permalink == "https://bsky.app/profile/maplegrove.bsky.social/post/3kinvented002"
    comment = by_id[C1]
    assert comment.kind == "comment" and comment.parent_id == P2 and not comment.author.is_account
    reply = by_id[f"at://{DID}/app.bsky.feed.post/3kinvented003"]
    assert reply.kind == "reply" and reply.parent_id == C1 and reply.author.is_account
    mention = by_id["at://did:plc:inventedparent000000007/app.bsky.feed.post/3kparent0002"]
    assert mention.kind == "comment" and mention.parent_id is None
    assert first.calls == 5  # createSession, getAuthorFeed, two getPostThread, listNotifications
    json.dumps([i.raw for i in first.items])
    state = json.loads(first.cursor)
    assert "Jwt" not in first.cursor and state["posts"].startswith("2024-03-05T15:00")
    with cassette("bluesky/empty_poll.yaml"):
        second = BlueskyConnector(throttle([])).fetch(BS, first.cursor)
    assert second.items == [] and json.loads(second.cursor) == state


def test_follows_the_feed_cursor_until_an_old_post():
    cursor = json.dumps({"posts": "2024-03-05T15:00:00+00:00", "replies": None, "mentions": "2024-03-05T08:00:01+00:00", "watch": []})
    from tests.connectors.conftest import VCR

    with VCR.use_cassette("bluesky/paging.yaml", allow_playback_repeats=False) as cas:
        result = BlueskyConnector(throttle([])).fetch(BS, cursor)
    assert cas.all_played
    assert len(result.items) == 7 and {i.kind for i in result.items} == {"post"}
    assert json.loads(result.cursor)["posts"].startswith("2024-03-06T08:07")
    assert len(json.loads(result.cursor)["watch"]) == 5


def test_429_waits_until_ratelimit_reset(cassette):
    waits: list[float] = []
    cursor = json.dumps({"posts": "2024-03-05T15:00:00+00:00", "replies": None, "mentions": None, "watch": []})
    with cassette("bluesky/rate_limited.yaml"):
        result = BlueskyConnector(throttle(waits)).fetch(BS, cursor)
    assert result.items == [] and waits == [20.0]
    assert any("rate limited" in e for e in result.events)


def test_expired_token_is_refreshed_once_then_a_credentials_error(cassette):
    cursor = json.dumps({"posts": "2024-03-05T15:00:00+00:00", "replies": None, "mentions": None, "watch": []})
    with cassette("bluesky/token_refreshed.yaml"):
        result = BlueskyConnector(throttle([])).fetch(BS, cursor)
    assert result.items == []
    with cassette("bluesky/token_expired.yaml"):
        with pytest.raises(CredentialsError, match="maple-bsky.*renew"):
            BlueskyConnector(throttle([])).fetch(BS, cursor)
    with cassette("bluesky/password_refused.yaml"):
        with pytest.raises(CredentialsError, match="app password"):
            BlueskyConnector(throttle([])).fetch(BS, None)
    with pytest.raises(CredentialsError, match="no Bluesky app password"):
        BlueskyConnector(throttle([])).fetch(AccountRef("b", "bluesky", "x.bsky.social"), None)


def test_hide_adds_the_reply_to_the_threadgate_keeping_its_rules(cassette):
    sent: list[httpx.Request] = []
    with cassette("bluesky/hide_reply.yaml"):
        BlueskyConnector(throttle([]), recording_client(sent)).hide(BS, C1)
    put = json.loads(sent[-1].content)
    assert sent[-1].url.path.endswith("com.atproto.repo.putRecord")
    assert put["collection"] == "app.bsky.feed.threadgate" and put["rkey"] == "3kinvented002"
    assert put["record"]["hiddenReplies"] == [C1] and put["record"]["post"] == P2
    assert put["record"]["allow"] == [{"$type": "app.bsky.feed.threadgate#followingRule"}]
    sent.clear()
    with cassette("bluesky/hide_reply_new_gate.yaml"):
        BlueskyConnector(throttle([]), recording_client(sent)).hide(BS, C1)
    put = json.loads(sent[-1].content)
    assert put["record"]["hiddenReplies"] == [C1] and "allow" not in put["record"]


def test_base_url_pins_every_call_to_the_test_server():
    with pytest.raises(ConnectorError, match="plain http only"):
        BlueskyConnector(throttle([])).fetch(AccountRef("b", "bluesky", "h", {"app_password": "p"}, {"base_url": "http://pds.example"}), None)


def test_recording_filters_the_app_password_and_session_tokens(tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from tests.connectors.conftest import make_vcr

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps({"did": DID, "handle": "h", "accessJwt": "eyJsecretaccess", "refreshJwt": "eyJsecretrefresh"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = make_vcr(record_mode="all")
        config.cassette_library_dir = str(tmp_path)
        with config.use_cassette("rec.yaml"):
            httpx.post(f"http://127.0.0.1:{server.server_port}/xrpc/com.atproto.server.createSession", json={"identifier": "h", "password": "app-secret-pass"})
    finally:
        server.shutdown()
    text = (tmp_path / "rec.yaml").read_text()
    from tests.connectors.conftest import PLACEHOLDER_JWT

    assert "createSession" in text and "FILTERED" in text and PLACEHOLDER_JWT in text
    assert "app-secret-pass" not in text and "eyJsecret" not in text

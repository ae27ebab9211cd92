from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from connectors.meta_webhook import webhook_routes

SECRET = "invented-app-secret"
NOW = 1709650000.0


def payload(time: float = NOW, verb: str = "add") -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": "1111111111", "time": time, "changes": [
        {"field": "feed", "value": {"from": {"id": "9000000001", "name": "Parent Person1"}, "post_id": "1111111111_501",
                                     "comment_id": "501_77", "parent_id": "1111111111_501", "created_time": int(time),
                                     "item": "comment", "verb": verb, "message": "When is the fair?"}},
        {"field": "feed", "value": {"from": {"id": "9000000002", "name": "Parent Person2"}, "post_id": "1111111111_501",
                                     "comment_id": "501_78", "parent_id": "501_77", "created_time": int(time),
                                     "item": "comment", "verb": verb, "message": "Friday"}},
        {"field": "feed", "value": {"item": "reaction", "verb": "add", "post_id": "1111111111_501"}},
    ]}]}).encode()


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture
def setup():
    received: list = []
    app = Starlette(routes=webhook_routes(SECRET, "verify-me", received.extend, page_accounts={"1111111111": "maple-fb"}, now=lambda: NOW))
    return TestClient(app), received


def test_handshake_echoes_challenge_only_with_right_token(setup):
    client, _ = setup
    ok = client.get("/webhooks/meta", params={"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.text == "1158201444"
    bad = client.get("/webhooks/meta", params={"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1158201444"})
    assert bad.status_code == 403 and "1158201444" not in bad.text
    odd = client.get("/webhooks/meta", params={"hub.mode": "subscribe", "hub.verify_token": "vérify", "hub.challenge": "1"})
    assert odd.status_code == 403
    wrong_mode = client.get("/webhooks/meta", params={"hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "1"})
    assert wrong_mode.status_code == 403


def test_signed_payload_delivers_comment_and_reply(setup):
    client, received = setup
    body = payload()
    response = client.post("/webhooks/meta", content=body, headers={"X-Hub-Signature-256": sign(body), "Content-Type": "application/json"})
    assert response.status_code == 200
    assert [(i.kind, i.account, i.parent_id) for i in received] == [("comment", "maple-fb", "1111111111_501"), ("reply", "maple-fb", "501_77")]


@pytest.mark.parametrize("headers", [{}, {"X-Hub-Signature-256": "sha256=" + "0" * 64}, {"X-Hub-Signature-256": "sha1=abc"}])
def test_unsigned_or_forged_payload_is_refused(setup, headers):
    client, received = setup
    response = client.post("/webhooks/meta", content=payload(), headers=headers)
    assert response.status_code == 403 and received == []


def test_payload_signed_with_another_secret_is_refused(setup):
    client, received = setup
    body = payload()
    assert client.post("/webhooks/meta", content=body, headers={"X-Hub-Signature-256": sign(body, "other")}).status_code == 403
    assert received == []


def test_stale_payload_is_refused(setup):
    client, received = setup
    body = payload(time=NOW - 3600)
    assert client.post("/webhooks/meta", content=body, headers={"X-Hub-Signature-256": sign(body)}).status_code == 403
    assert received == []


def test_millisecond_entry_time_is_read_as_seconds(setup):
    client, received = setup
    body = payload(time=NOW * 1000)
    assert client.post("/webhooks/meta", content=body, headers={"X-Hub-Signature-256": sign(body)}).status_code == 200
    assert len(received) == 2


def test_signed_but_unreadable_payload_is_a_400(setup):
    client, received = setup
    body = b"not json"
    assert client.post("/webhooks/meta", content=body, headers={"X-Hub-Signature-256": sign(body)}).status_code == 400
    assert received == []


def test_removal_is_delivered_marked_as_a_remove(setup):
    client, received = setup
    body = payload(verb="remove")
    response = client.post("/webhooks/meta", content=body, headers={"X-Hub-Signature-256": sign(body)})
    assert response.status_code == 200 and response.json() == {"received": 0, "removed": 2}
    assert [i.raw["verb"] for i in received] == ["remove", "remove"]


def _change(**value: object) -> dict:
    base = {"from": {"id": "9000000001", "name": "P"}, "post_id": "1111111111_501", "comment_id": "501_9",
            "created_time": int(NOW), "item": "comment", "verb": "add", "message": "hi"}
    return {"field": "feed", "value": {**base, **value}}


@pytest.mark.parametrize("body", [
    b"[]", b'"entry"', b"42", b"null", b'{"entry": {}}', b'{"entry": [1]}', b'{"entry": ["x"]}',
    b'{"entry": [{"time": "soon"}]}', b'{"entry": [{"time": "nan"}]}', b'{"entry": [{"time": "inf"}]}', b'{"entry": [{"time": null}]}',
    b"\xff\xfe not utf-8", b"{" * 100_000, b"[" * 50_000 + b"]" * 50_000,
    json.dumps({"entry": [{"id": "1111111111", "time": NOW, "changes": {"field": "feed"}}]}).encode(),
    json.dumps({"entry": [{"id": "1111111111", "time": NOW, "changes": ["feed"]}]}).encode(),
    json.dumps({"entry": [{"id": "1111111111", "time": NOW, "changes": [{"field": "feed", "value": ["x"]}]}]}).encode(),
    json.dumps({"entry": [{"id": "1111111111", "time": NOW, "changes": [_change(**{"from": "someone"})]}]}).encode(),
    json.dumps({"entry": [{"id": "1111111111", "time": NOW, "changes": [_change(message={"text": "hi"})]}]}).encode(),
    json.dumps({"entry": [{"id": "1111111111", "time": NOW, "changes": [_change(comment_id=["501"])]}]}).encode(),
    json.dumps({"entry": [{"id": "1111111111", "time": NOW, "changes": [_change(post="x")]}]}).encode(),
    json.dumps({"entry": [{"id": {"x": 1}, "time": NOW, "changes": [_change()]}]}).encode(),
    json.dumps({"entry": [{"id": "1111111111", "time": NOW, "changes": [_change(created_time=1e300)]}]}).encode(),
    json.dumps({"entry": [{"id": "1111111111", "time": NOW, "x": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]}).encode(),
], ids=lambda b: b[:40].decode("latin-1"))
def test_wrong_shapes_and_deep_nesting_are_400_never_500(setup, body: bytes) -> None:
    client, received = setup
    response = client.post("/webhooks/meta", content=body, headers={"X-Hub-Signature-256": sign(body)})
    assert response.status_code == 400, response.text
    assert received == []


def test_a_non_ascii_signature_is_a_400(setup) -> None:
    client, _ = setup
    body = payload()
    response = client.post("/webhooks/meta", content=body, headers={"X-Hub-Signature-256": "sha256=é".encode("latin-1")})
    assert response.status_code == 400


def test_deliveries_dated_in_the_future_are_refused(setup) -> None:
    client, received = setup
    skewed = payload(time=NOW + 120)  # a clock a little ahead is fine
    assert client.post("/webhooks/meta", content=skewed, headers={"X-Hub-Signature-256": sign(skewed)}).status_code == 200
    received.clear()
    future = payload(time=NOW + 3600)
    response = client.post("/webhooks/meta", content=future, headers={"X-Hub-Signature-256": sign(future)})
    assert response.status_code == 403 and "future" in response.text and received == []
    late_comment = json.dumps({"entry": [{"id": "1111111111", "time": NOW, "changes": [_change(created_time=int(NOW) + 86400)]}]}).encode()
    response = client.post("/webhooks/meta", content=late_comment, headers={"X-Hub-Signature-256": sign(late_comment)})
    assert response.status_code == 403 and received == []


def test_the_body_limit_applies_to_the_bytes_that_arrive(setup) -> None:
    client, received = setup
    app = Starlette(routes=webhook_routes(SECRET, "verify-me", received.extend, max_body=1000, now=lambda: NOW))
    small = TestClient(app)
    big = payload() + b" " * 1000
    assert small.post("/webhooks/meta", content=big, headers={"X-Hub-Signature-256": sign(big)}).status_code == 413

    def stream():  # no Content-Length: chunked
        yield b" " * 600
        yield b" " * 600
    assert small.post("/webhooks/meta", content=stream(), headers={"X-Hub-Signature-256": "sha256=00"}).status_code == 413



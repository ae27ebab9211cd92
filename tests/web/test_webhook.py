"""The Meta webhook as mounted by `hallwatch serve`: a signed comment lands in the review queue."""
from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from monitor.models import ReviewItem, StoredItem
from monitor.web.app import create_app
from monitor.webhooks import meta_routes
from tests.web.conftest import SECRET

APP_SECRET = "invented-meta-app-secret"
WILLOW_PAGE = "100200300400611"  # willow-creek-elementary-fb in the example division


def delivery(page: str, text: str) -> bytes:
    now = int(time.time())
    return json.dumps({"object": "page", "entry": [{"id": page, "time": now, "changes": [{"field": "feed", "value": {
        "from": {"id": "9000000077", "name": "Someone"}, "post_id": f"{page}_900", "comment_id": "900_1",
        "parent_id": f"{page}_900", "created_time": now, "item": "comment", "verb": "add", "message": text}}]}]}).encode()


def signed(body: bytes) -> dict[str, str]:
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest(), "Content-Type": "application/json"}


@pytest.fixture
def client(db, division, analyzer, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("HALLWATCH_META_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("HALLWATCH_META_VERIFY_TOKEN", "verify-me")
    monkeypatch.setattr("monitor.runs.default_analyzer", lambda division: analyzer)
    routes = meta_routes(db, division)
    assert routes, "the webhook is mounted when its secrets are set"
    with TestClient(create_app(db, division, secret_key=SECRET, extra_routes=routes)) as c:
        yield c


def count(db, model) -> int:  # noqa: ANN001
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_signed_comment_is_stored_classified_and_queued(client, db) -> None:
    body = delivery(WILLOW_PAGE, "the staff wifi password is Willow2026")
    assert client.post("/webhooks/meta", content=body, headers=signed(body)).status_code == 200
    assert count(db, StoredItem) == 1
    assert count(db, ReviewItem) == 1
    # the same delivery again (Meta retries) adds nothing
    assert client.post("/webhooks/meta", content=body, headers=signed(body)).status_code == 200
    assert count(db, StoredItem) == 1


def test_forged_and_unregistered_deliveries_store_nothing(client, db) -> None:
    body = delivery(WILLOW_PAGE, "the staff wifi password is Willow2026")
    forged = {"X-Hub-Signature-256": "sha256=" + "0" * 64}
    assert client.post("/webhooks/meta", content=body, headers=forged).status_code == 403
    assert client.post("/webhooks/meta", content=body).status_code == 403
    stranger = delivery("999999999", "hello")
    assert client.post("/webhooks/meta", content=stranger, headers=signed(stranger)).status_code == 200
    assert count(db, StoredItem) == 0


def test_without_secrets_there_is_no_webhook(db, division, monkeypatch) -> None:
    monkeypatch.delenv("HALLWATCH_META_APP_SECRET", raising=False)
    assert meta_routes(db, division) == []

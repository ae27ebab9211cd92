"""The Meta webhook's `edited` and `remove` verbs: versions, deletions, replayed and older deliveries."""
from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from monitor.models import ItemVersion, ReviewItem, StoredItem
from monitor.queue import resolve
from monitor.users import viewer_for
from monitor.web.app import create_app
from monitor.webhooks import meta_routes
from tests.queue.helpers import COMMS, example_division, make_user
from tests.web.conftest import SECRET, sign_in

APP_SECRET = "invented-meta-app-secret"
WILLOW_PAGE = "100200300400611"


def delivery(verb: str, text: str, at: int) -> bytes:
    value = {"from": {"id": "9000000077", "name": "Someone"}, "post_id": f"{WILLOW_PAGE}_900", "comment_id": "900_1",
             "parent_id": f"{WILLOW_PAGE}_900", "created_time": at - 500, "item": "comment", "verb": verb}
    if verb != "remove":
        value["message"] = text
    return json.dumps({"object": "page", "entry": [{"id": WILLOW_PAGE, "time": at, "changes": [{"field": "feed", "value": value}]}]}).encode()


@pytest.fixture
def division():  # noqa: ANN201
    return example_division()


@pytest.fixture
def client(db, division, analyzer, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("HALLWATCH_META_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("HALLWATCH_META_VERIFY_TOKEN", "verify-me")
    monkeypatch.setattr("monitor.runs.default_analyzer", lambda division: analyzer)
    with TestClient(create_app(db, division, secret_key=SECRET, extra_routes=meta_routes(db, division)), follow_redirects=False) as c:
        def post(verb: str, text: str, at: int) -> dict:
            body = delivery(verb, text, at)
            sig = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
            response = c.post("/webhooks/meta", content=body, headers={"X-Hub-Signature-256": sig, "Content-Type": "application/json"})
            assert response.status_code == 200, response.text
            return response.json()
        c.deliver = post  # type: ignore[attr-defined]
        yield c


def row(db) -> StoredItem:  # noqa: ANN001
    with db.sessions() as s:
        item = s.scalars(select(StoredItem)).one()
        s.expunge(item)
        return item


def texts(db) -> list[str]:  # noqa: ANN001
    with db.sessions() as s:
        return [v.text for v in s.scalars(select(ItemVersion).order_by(ItemVersion.version))]


def test_edited_keeps_the_old_version_and_replayed_or_older_deliveries_change_nothing(client, db) -> None:
    t = int(time.time()) - 300
    client.deliver("add", "When is the fair?", t)
    client.deliver("edited", "the staff wifi password is Willow2026", t + 60)
    item = row(db)
    assert item.text == "the staff wifi password is Willow2026" and item.version == 2
    assert texts(db) == ["When is the fair?"]
    with db.sessions() as s:
        assert s.scalars(select(ReviewItem)).one().categories == ",confidential,"
    # Meta retries the same delivery: nothing new
    client.deliver("edited", "the staff wifi password is Willow2026", t + 60)
    # an edit made before the stored one, delivered late: it never overwrites the newer text
    client.deliver("edited", "When is the fair? (typo fixed)", t + 30)
    client.deliver("add", "When is the fair?", t)
    item = row(db)
    assert (item.text, item.version) == ("the staff wifi password is Willow2026", 2)
    assert texts(db) == ["When is the fair?"]
    # a newer edit is a new version
    client.deliver("edited", "Sorry, wrong thread", t + 90)
    assert row(db).version == 3 and texts(db) == ["When is the fair?", "the staff wifi password is Willow2026"]


def test_remove_marks_deleted_keeps_the_text_and_resolves_without_a_platform_call(client, db, division) -> None:
    t = int(time.time()) - 300
    client.deliver("add", "the staff wifi password is Willow2026", t)
    # a remove older than the stored version is a stale delivery
    client.deliver("edited", "the staff wifi password is Willow2027", t + 60)
    assert client.deliver("remove", "", t + 30) == {"received": 0, "removed": 1}
    assert row(db).deleted_at is None
    client.deliver("remove", "", t + 120)
    item = row(db)
    assert item.deleted_at is not None and item.deleted_how == "webhook"
    assert item.text == "the staff wifi password is Willow2027"  # kept as evidence
    make_user(db, division, COMMS, "communications_manager")
    sign_in(client, COMMS)
    with db.sessions() as s:
        review = s.scalars(select(ReviewItem)).one()
        review_id = review.id
    page = client.get(f"/items/{review_id}")
    assert page.status_code == 200
    assert '<p class="deleted" role="status">This comment was deleted on the platform' in page.text and "Earlier versions (1)" in page.text
    assert "Willow2026" in page.text  # the earlier version is shown to who may see the item
    listing = client.get("/")
    assert '<span class="badge other deleted">deleted on the platform</span>' in listing.text

    def no_platform(ref):  # noqa: ANN001, ANN202
        raise AssertionError("a comment already deleted on the platform needs no platform call")

    with db.sessions() as s:
        from monitor.users import require_user
        viewer = viewer_for(division, require_user(s, COMMS))
    done = resolve(db, division, viewer, review_id, "confirmed_deleted", "the poster deleted it", item.deleted_at, connector_for=no_platform)
    assert done.outcome == "confirmed_deleted" and done.state == "resolved"
    history = client.get(f"/items/{review_id}").text
    assert "deleted on platform" in history


def test_remove_of_an_unknown_comment_stores_nothing(client, db) -> None:
    assert client.deliver("remove", "", int(time.time()) - 10) == {"received": 0, "removed": 1}
    with db.sessions() as s:
        assert s.scalars(select(StoredItem)).all() == []

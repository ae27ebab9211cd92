"""Deletions noticed by the Facebook re-read, against a local Graph server: never on a failed or partial fetch."""
from __future__ import annotations

import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from connectors.facebook import FacebookConnector
from monitor.models import AuditEntry, ReviewItem, StoredItem
from monitor.queue import deleted_label
from monitor.runs import run_cycle
from tests.queue.helpers import example_division
from tests.records.conftest import WILLOW

PAGE = "100200300400611"
POST = f"{PAGE}_900"


def comment(cid: str, text: str, minute: int, replies: list[dict] | None = None, more_replies: bool = False) -> dict:
    data: dict[str, Any] = {"id": cid, "message": text, "from": {"id": "9000000077", "name": "A Parent"},
                            "created_time": f"2026-11-20T10:{minute:02d}:00+0000"}
    if replies is not None:
        data["comments"] = {"data": replies, "paging": {"cursors": {"after": "r"}, **({"next": "http://x/next"} if more_replies else {})}}
    return data


class Graph:
    """A local Graph API: one page feed with one post whose comments a test changes between runs."""

    def __init__(self) -> None:
        self.comments: list[dict] = []
        self.more_comments = False
        self.fail = False
        self.paths: list[str] = []
        graph = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                path = urlsplit(self.path).path
                graph.paths.append(path)
                if graph.fail:
                    body, status = {"error": {"message": "An unknown error occurred", "type": "OAuthException", "code": 1}}, 500
                elif path == f"/v19.0/{PAGE}/feed":
                    paging: dict[str, Any] = {"cursors": {"after": "c"}}
                    if graph.more_comments:
                        paging["next"] = "http://x/more"
                    body, status = {"data": [{"id": POST, "message": "Fair on Friday", "from": {"id": PAGE, "name": "Willow"},
                                              "created_time": "2026-11-20T09:00:00+0000",
                                              "comments": {"data": graph.comments, "paging": paging}}], "paging": {}}, 200
                else:  # the comment cursor of the post: nothing more
                    body, status = {"data": [], "paging": {}}, 200
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"


@pytest.fixture
def graph():  # noqa: ANN201
    server = Graph()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


class LocalFacebook:
    """The real Facebook connector, pointed at the local server (as options.base_url would)."""

    platform = "facebook"

    def __init__(self, base_url: str) -> None:
        self.base_url, self.inner = base_url, FacebookConnector()

    def fetch(self, ref, cursor):  # noqa: ANN001, ANN201
        return self.inner.fetch(replace(ref, options={"base_url": self.base_url}, credentials={"access_token": "local-token"}), cursor)


def run(db, graph, analyzer):  # noqa: ANN001, ANN201
    return run_cycle(db, example_division(), only=WILLOW, analyze=analyzer, connector_for=lambda ref: LocalFacebook(graph.base_url))


def items(db) -> dict[str, StoredItem]:  # noqa: ANN001
    with db.sessions() as s:
        rows = list(s.scalars(select(StoredItem)))
        for r in rows:
            s.expunge(r)
    return {r.platform_id: r for r in rows}


def first_run(db, graph, analyzer) -> None:  # noqa: ANN001
    graph.comments = [comment("900_1", "the staff wifi password is Willow2026", 1, [comment("900_1_r", "thanks", 2)]),
                      comment("900_2", "See you there", 3, [])]
    assert run(db, graph, analyzer).status == "ok"
    assert set(items(db)) == {POST, "900_1", "900_1_r", "900_2"}


def test_a_comment_the_reread_no_longer_lists_is_marked_deleted(db, graph, analyzer) -> None:
    first_run(db, graph, analyzer)
    graph.comments = [comment("900_2", "See you there", 3, [])]
    report = run(db, graph, analyzer)
    assert report.status == "ok" and report.accounts[0].deleted == 2
    stored = items(db)
    assert {pid for pid, r in stored.items() if r.deleted_at} == {"900_1", "900_1_r"}
    assert stored["900_1"].deleted_how == "re-read" and stored["900_1"].text.startswith("the staff wifi")  # kept as evidence
    with db.sessions() as s:
        review = s.scalars(select(ReviewItem)).one()
        assert deleted_label(review) == "deleted on the platform"
        actions = [e.action for e in s.scalars(select(AuditEntry).where(AuditEntry.entity_type == "review_item", AuditEntry.entity_id == str(review.id)))]
        assert actions == ["route", "deleted_on_platform"]
    # noticed once: a later re-read adds nothing; a comment listed again is there after all
    assert run(db, graph, analyzer).accounts[0].deleted == 0
    graph.comments = [comment("900_1", "the staff wifi password is Willow2026", 1, [comment("900_1_r", "thanks", 2)]),
                      comment("900_2", "See you there", 3, [])]
    run(db, graph, analyzer)
    assert not any(r.deleted_at for r in items(db).values())


def test_a_failed_fetch_marks_nothing_deleted(db, graph, analyzer) -> None:
    first_run(db, graph, analyzer)
    graph.fail = True
    graph.comments = []
    assert run(db, graph, analyzer).status == "failed"
    assert not any(r.deleted_at for r in items(db).values())


def test_a_partly_listed_post_marks_nothing_deleted(db, graph, analyzer) -> None:
    first_run(db, graph, analyzer)
    # the comment list says there is more (the connector stops at its cursor): absence is not deletion
    graph.more_comments = True
    graph.comments = [comment("900_2", "See you there", 3, [])]
    assert run(db, graph, analyzer).status == "ok"
    assert not any(r.deleted_at for r in items(db).values())
    # every comment listed, but a reply page left unread: still nothing
    graph.more_comments = False
    graph.comments = [comment("900_1", "the staff wifi password is Willow2026", 1, [], more_replies=True),
                      comment("900_2", "See you there", 3, [])]
    assert run(db, graph, analyzer).status == "ok"
    assert not any(r.deleted_at for r in items(db).values())

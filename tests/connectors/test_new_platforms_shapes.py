"""The five issue-16 connectors together: a re-run over the same cassette adds nothing, every platform
is registered and configurable, and hostile answers (a wrong shape, a giant body, NUL and cut
emoji in a text) fail one account with a clear error or are made safe, never crash the run."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

from connectors.base import AccountRef, DeadlineError, ResponseError
from connectors.flickr import FlickrConnector
from connectors.linkedin import LinkedInConnector
from connectors.mediawiki import MediaWikiConnector
from connectors.pinterest import PinterestConnector
from connectors.ratelimit import Throttle
from connectors.registry import get_connector
from connectors.threads import ThreadsConnector
from monitor.config import AccountConfig

ADMINS = ["marcus.delacroix@prairiehills-sd.ca", "tessa.nakamura@prairiehills-sd.ca"]
WIKI = "https://wiki.maple-grove.example/w/api.php"
CASES = [
    ("flickr/first_poll.yaml", FlickrConnector, AccountRef("fl", "flickr", "12345678@N01", {"api_key": "fake"})),
    ("pinterest/first_poll.yaml", PinterestConnector, AccountRef("pi", "pinterest", "maplegroveschool", {"access_token": "fake"})),
    ("mediawiki/first_poll.yaml", MediaWikiConnector, AccountRef("mw", "mediawiki", WIKI)),
    ("threads/first_poll.yaml", ThreadsConnector, AccountRef("th", "threads", "27000000000000001", {"access_token": "fake"})),
    ("linkedin/first_poll.yaml", LinkedInConnector, AccountRef("li", "linkedin", "10000001", {"access_token": "fake"}, {"page_size": 2})),
]
IDS = [c[0].split("/")[0] for c in CASES]


def quiet() -> Throttle:
    return Throttle(sleep=lambda s: None, rand=lambda: 0.0)


@pytest.mark.parametrize("name,cls,account", CASES, ids=IDS)
def test_rerun_over_same_cassette_adds_nothing(cassette, name, cls, account):
    with cassette(name):
        first = cls(quiet()).fetch(account, None)
    assert first.items and first.cursor
    # the platform answers the same pages again; nothing in them is newer than the cursor
    with cassette(name, all_played=False):
        again = cls(quiet()).fetch(account, first.cursor)
    assert again.items == [] and again.cursor == first.cursor


@pytest.mark.parametrize("name,cls,account", CASES, ids=IDS)
def test_each_platform_is_registered_and_configurable(name, cls, account):
    assert type(get_connector(account)) is cls
    config = AccountConfig(name="a-" + account.platform, platform=account.platform, handle=account.handle, administrators=ADMINS)
    assert config.platform == account.platform


class Hostile:
    """A loopback server answering every request with `self.body` (a fixed JSON document or bytes)."""

    def __init__(self) -> None:
        self.body: bytes = b"{}"
        self.stall = threading.Event()  # while set, the server waits before it answers (up to 5 s)
        self.released = threading.Event()
        hostile = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if hostile.stall.is_set():
                    hostile.released.wait(5)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(hostile.body)))
                self.end_headers()
                self.wfile.write(hostile.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.origin = f"http://127.0.0.1:{self.httpd.server_port}"


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[Hostile]:
    server = Hostile()
    yield server
    server.released.set()
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def hostile(hostile_server: Hostile) -> Iterator[Hostile]:
    """The module's server, answering `{}` promptly unless the test says otherwise."""
    hostile_server.body = b"{}"
    hostile_server.stall.clear()
    hostile_server.released.clear()
    yield hostile_server
    hostile_server.released.set()  # let a held request go


def local(account: AccountRef, origin: str, **options: Any) -> AccountRef:
    return AccountRef(account.name, account.platform, account.handle, account.credentials, {**account.options, "base_url": origin, **options})


# answers that are whole JSON of the wrong shape, one per platform
WRONG_SHAPES = {
    "flickr": {"stat": "ok", "photos": {"photo": [{"title": "no id"}]}},
    "pinterest": {"items": [{"title": "no id"}]},
    "mediawiki": {"query": {"recentchanges": [{"rcid": 5, "title": "no revid"}]}},
    "threads": {"data": [{"text": "no id"}]},
    "linkedin": {"elements": [{"commentary": "no id"}]},
}


@pytest.mark.parametrize("name,cls,account", CASES, ids=IDS)
def test_a_wrong_shape_is_a_response_error_naming_the_account(hostile, name, cls, account):
    hostile.body = json.dumps(WRONG_SHAPES[account.platform]).encode()
    with pytest.raises(ResponseError, match=f"account {account.name}: .*unexpected shape"):
        cls(quiet()).fetch(local(account, hostile.origin), None)


@pytest.mark.parametrize("name,cls,account", CASES, ids=IDS)
def test_a_body_past_the_size_cap_is_refused(hostile, name, cls, account):
    hostile.body = b'{"padding": "' + b"x" * 200_000 + b'"}'
    with pytest.raises(ResponseError, match="larger than 100000 bytes"):
        cls(quiet()).fetch(local(account, hostile.origin, max_response_bytes=100_000), None)


@pytest.mark.parametrize("name,cls,account", CASES, ids=IDS)
def test_a_server_that_does_not_answer_meets_the_fetch_deadline(hostile, name, cls, account):
    hostile.stall.set()
    with pytest.raises(DeadlineError, match=f"account {account.name}: .*deadline of 0.3 s"):
        cls(quiet()).fetch(local(account, hostile.origin, fetch_deadline_seconds=0.3), None)


def test_nul_and_a_cut_emoji_in_a_pin_are_made_safe(hostile):
    # "\ud83d" is half an emoji: no database can store it as UTF-8
    hostile.body = json.dumps({"items": [{"id": "1", "created_at": "2026-11-02T08:00:00", "title": "Art\u0000 day \ud83d", "description": "ok"}], "bookmark": None}).encode()
    account = local(CASES[1][2], hostile.origin)
    result = PinterestConnector(quiet()).fetch(account, None)
    pins = [i for i in result.items if i.platform_id == "1"]
    assert pins[0].text == "Art\ufffd day \ufffd\nok"

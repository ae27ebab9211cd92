"""connectors/limits.py: deadlines, size caps, Retry-After and base URLs, over real loopback HTTP."""
from __future__ import annotations

import logging
import socket
import threading
import time
from email.utils import format_datetime
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import feedparser
import httpx
import pytest
import requests

from connectors.base import AccountRef, ConnectorError, DeadlineError, RateLimitError, ResponseError
from connectors.blog import BlogConnector, parse_whole
from connectors.http import get_json
from connectors.limits import (
    FetchBudget, LimitedSession, base_url_option, rate_limit_wait, read_httpx, rebase, retry_after_seconds,
)
from connectors.ratelimit import Throttle

NOW = 1_790_000_000.0


def account(**options: object) -> AccountRef:
    return AccountRef(name="acct", platform="instagram", handle="h", options=dict(options))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        Handler.seen.append(self.path)
        path = self.path.split("?")[0].rsplit("/", 1)[-1]
        try:
            getattr(self, "answer_" + path.replace("-", "_"))()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def head(self, status: int = 200, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    def answer_json(self) -> None:
        body = b'{"data": [1, 2, 3]}'
        self.head(200, Content_Type="application/json", Content_Length=str(len(body)))
        self.wfile.write(body)

    def answer_declared_big(self) -> None:  # says 1000 bytes up front
        self.head(200, Content_Type="application/json", Content_Length="1000")
        self.wfile.write(b"x" * 1000)

    def answer_streamed_big(self) -> None:  # no length: only counting can stop it
        self.head(200, Content_Type="application/json")
        for _ in range(100):
            self.wfile.write(b"y" * 100)

    def answer_cut(self) -> None:  # promises 100 bytes, sends 40
        self.head(200, Content_Type="application/json", Content_Length="100")
        self.wfile.write(b'{"data": [' + b"1, " * 10)

    def answer_half_json(self) -> None:  # no length: the connection closes mid-document
        self.head(200, Content_Type="application/json")
        self.wfile.write(b'{"data": [1, 2')

    trickled = 0
    trickle_done = threading.Event()

    def answer_trickle(self) -> None:
        Handler.trickled = 0
        Handler.trickle_done.clear()
        self.head(200, Content_Type="application/json")
        try:
            for _ in range(100):
                self.wfile.write(b" ")
                self.wfile.flush()
                Handler.trickled += 1
                time.sleep(0.1)
        finally:
            Handler.trickle_done.set()

    def answer_feed(self) -> None:
        body = (b'<?xml version="1.0"?><rss version="2.0" xmlns:wfw="http://wellformedweb.org/CommentAPI/"><channel><title>t</title>'
                b"<item><title>P1</title><link>https://blogs.example/grade4/p1/</link><guid>p1</guid><pubDate>Tue, 05 Mar 2024 15:00:00 +0000</pubDate>"
                b"<wfw:commentRss>https://blogs.example/grade4/post-comments</wfw:commentRss></item></channel></rss>")
        self.head(200, Content_Type="application/rss+xml", Content_Length=str(len(body)))
        self.wfile.write(body)

    def answer_post_comments(self) -> None:
        body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><item><title>By: A Parent</title><guid>p1#c1</guid>'
                b"<pubDate>Tue, 05 Mar 2024 16:00:00 +0000</pubDate><description>Lovely</description></item></channel></rss>")
        self.head(200, Content_Type="application/rss+xml", Content_Length=str(len(body)))
        self.wfile.write(body)

    def answer_slow_redirect(self) -> None:  # a redirect whose body trickles: never worth reading
        self.head(302, Location="json")
        for _ in range(50):
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.1)

    def answer_redirect_loop(self) -> None:
        self.head(302, Location="redirect-loop", Content_Length="0")

    def answer_redirect(self) -> None:
        self.head(302, Location="/ok", Content_Length="0")

    def answer_unavailable(self) -> None:
        self.head(503, Content_Type="text/plain", Content_Length="0")

    def answer_unavailable_for_now(self) -> None:
        # a 503 that names its end: a rate limit; the second call succeeds
        if sum(p.endswith("unavailable-for-now") for p in Handler.seen) == 1:
            self.head(503, Retry_After="0", Content_Length="0")
        else:
            self.answer_json()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


# Retry-After and what counts as a rate limit ---------------------------------------------------

def test_retry_after_in_seconds_and_as_an_http_date():
    assert retry_after_seconds("7") == 7.0
    later = format_datetime(datetime.fromtimestamp(NOW + 90, tz=timezone.utc), usegmt=True)
    assert retry_after_seconds(later, now=lambda: NOW) == pytest.approx(90.0)
    earlier = format_datetime(datetime.fromtimestamp(NOW - 90, tz=timezone.utc), usegmt=True)
    assert retry_after_seconds(earlier, now=lambda: NOW) == 0.0
    for junk in (None, "", "soon", "-5", "1.5e9x"):
        assert retry_after_seconds(junk) is None


def test_only_429_and_503_with_retry_after_are_rate_limits():
    assert rate_limit_wait(429, {}) == 0.0  # a rate limit that names no wait: back off
    assert rate_limit_wait(429, {"Retry-After": "3"}) == 3.0
    assert rate_limit_wait(503, {"retry-after": "12"}) == 12.0
    assert rate_limit_wait(503, {}) is None  # an outage, not a limit: this run's error
    assert rate_limit_wait(500, {"Retry-After": "3"}) is None
    assert rate_limit_wait(200, {}) is None


# base URLs ---------------------------------------------------------------------------------

def test_base_url_from_options_is_checked():
    assert base_url_option(account(), "https://graph.facebook.com/") == "https://graph.facebook.com"
    assert base_url_option(account(base_url="https://mirror.example/graph/"), "x") == "https://mirror.example/graph"
    assert base_url_option(account(base_url="http://127.0.0.1:8080"), "x") == "http://127.0.0.1:8080"
    assert base_url_option(account(base_url="http://localhost:9"), "x") == "http://localhost:9"
    for bad, says in [("http://mirror.example", "plain http only on this machine"), ("ftp://a", "http(s) URL"),
                      ("https://a/?token=1", "no query"), ("https://user:pw@a", "no query, user or password"), (42, "must be a URL")]:
        with pytest.raises(ConnectorError, match="account acct: options.base_url") as info:
            base_url_option(account(base_url=bad), "x")
        assert says in str(info.value)


def test_rebase_replaces_only_the_platform_origin():
    origin = "https://graph.facebook.com"
    assert rebase("https://graph.facebook.com/v19.0/1/feed?x=1", origin, "http://127.0.0.1:5/a") == "http://127.0.0.1:5/a/v19.0/1/feed?x=1"
    assert rebase("https://graph.facebook.com.evil.example/v19.0", origin, "http://127.0.0.1:5") == "https://graph.facebook.com.evil.example/v19.0"
    assert rebase("https://cdn.example/p.jpg", origin, "http://127.0.0.1:5") == "https://cdn.example/p.jpg"


# the budget --------------------------------------------------------------------------------

def test_budget_options_are_checked_and_named():
    budget = FetchBudget(account(), "instagram")
    assert (budget.seconds, budget.max_bytes) == (300.0, 20 * 1024 * 1024)
    for option, value in [("fetch_deadline_seconds", 0), ("fetch_deadline_seconds", "10"), ("max_response_bytes", 1.5), ("max_response_bytes", True)]:
        with pytest.raises(ConnectorError, match=f"account acct: options.{option} must be a positive"):
            FetchBudget(account(**{option: value}), "instagram")


def test_budget_deadline_and_timeouts_on_an_injected_clock():
    clock = [100.0]
    budget = FetchBudget(account(fetch_deadline_seconds=10, read_timeout_seconds=4), "instagram", clock=lambda: clock[0])
    assert budget.timeout() == 4.0
    clock[0] = 107.5
    assert budget.timeout() == 2.5  # a read never reaches past the deadline
    budget.check()
    clock[0] = 110.0
    with pytest.raises(DeadlineError, match=r"account acct: instagram fetch did not finish within its deadline of 10 s"):
        budget.check()


def test_collect_stops_at_the_cap_and_at_the_deadline_between_chunks():
    budget = FetchBudget(account(max_response_bytes=10), "instagram")
    assert budget.collect([b"12345", b"67890"]) == b"1234567890"
    with pytest.raises(ResponseError, match="larger than 10 bytes"):
        budget.collect([b"12345", b"67890", b"1"])
    clock = [0.0]

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            clock[0] += 1.0  # each chunk takes a second to arrive
            yield b"x"

    slow = FetchBudget(account(fetch_deadline_seconds=3.5), "instagram", clock=lambda: clock[0])
    with pytest.raises(DeadlineError):
        slow.collect(chunks())
    assert clock[0] == 4.0  # stopped at the first chunk past the deadline, not at the end


# httpx: streamed reads -----------------------------------------------------------------------

def test_httpx_reads_refuse_a_declared_or_streamed_body_past_the_cap(server):
    budget = FetchBudget(account(max_response_bytes=500), "instagram")
    with httpx.Client() as client:
        assert read_httpx(client, budget, "GET", f"{server}/json").content == b'{"data": [1, 2, 3]}'
        with pytest.raises(ResponseError, match="instagram sent a response larger than 500 bytes"):
            read_httpx(client, budget, "GET", f"{server}/declared-big")
        with pytest.raises(ResponseError, match="larger than 500 bytes") as info:
            read_httpx(client, budget, "GET", f"{server}/streamed-big")
    assert "127.0.0.1" not in str(info.value)


def test_httpx_read_of_a_cut_body_and_of_a_trickle(server):
    with httpx.Client() as client:
        with pytest.raises(ResponseError, match="response was cut off before its end"):
            read_httpx(client, FetchBudget(account(), "instagram"), "GET", f"{server}/cut")
        budget = FetchBudget(account(fetch_deadline_seconds=0.5, read_timeout_seconds=30), "instagram")
        with pytest.raises(DeadlineError):
            read_httpx(client, budget, "GET", f"{server}/trickle")


def test_httpx_follows_redirects_itself_without_reading_their_bodies(server):
    budget = FetchBudget(account(fetch_deadline_seconds=2), "blog")
    with httpx.Client(follow_redirects=True) as client:
        # httpx's own following would read the trickling redirect body for 5 s, past the deadline
        assert read_httpx(client, budget, "GET", f"{server}/a/slow-redirect").content == b'{"data": [1, 2, 3]}'
        assert Handler.seen[-1] == "/a/json"
        with pytest.raises(ResponseError, match="blog redirected more than 5 times"):
            read_httpx(client, FetchBudget(account(), "blog"), "GET", f"{server}/redirect-loop")
    with httpx.Client() as client:  # a client that does not follow gets the redirect itself
        assert read_httpx(client, FetchBudget(account(), "instagram"), "GET", f"{server}/redirect").status_code == 302


def test_get_json_retries_a_503_that_names_its_end_and_fails_one_that_does_not(server):
    waits: list[float] = []
    throttle = Throttle(sleep=waits.append, rand=lambda: 0.0)
    throttle.begin(account(), "instagram")
    with httpx.Client() as client:
        assert get_json(client, throttle, account(), "instagram", f"{server}/unavailable-for-now") == {"data": [1, 2, 3]}
        assert len(waits) == 1 and throttle.events[0].startswith("instagram: rate limited (try 1/4)")
        with pytest.raises(ResponseError, match=r"instagram API unavailable \(HTTP 503 without Retry-After\)"):
            get_json(client, throttle, account(), "instagram", f"{server}/unavailable")
        with pytest.raises(ResponseError, match="instagram API sent a body that is not whole JSON"):
            get_json(client, Throttle(), account(), "instagram", f"{server}/half-json")
    assert len(waits) == 1  # the plain 503 was not retried


# requests (facebook-sdk, tweepy): the same rules through LimitedSession ----------------------

def session(budget: FetchBudget, base: str = "") -> LimitedSession:
    return LimitedSession().use(budget, "https://api.platform.example" if base else "", base)


def test_limited_session_rebases_caps_and_follows_no_redirect(server):
    budget = FetchBudget(account(max_response_bytes=500), "x")
    s = session(budget, base=f"{server}/prefix")
    response = s.get("https://api.platform.example/2/json", params={"q": "1"})
    assert response.json() == {"data": [1, 2, 3]} and Handler.seen[-1] == "/prefix/2/json?q=1"
    with pytest.raises(ResponseError, match="x sent a response larger than 500 bytes"):
        s.get("https://api.platform.example/2/declared-big")
    with pytest.raises(ResponseError, match="larger than 500 bytes"):
        s.get("https://api.platform.example/2/streamed-big")
    assert s.get(f"{server}/redirect").status_code == 302  # not followed: the APIs never redirect


def test_limited_session_stops_a_trickle_at_the_deadline_and_names_a_cut_body(server):
    # iter_content(64 KiB) would wait for a whole chunk; read1 returns each byte as it comes
    budget = FetchBudget(account(fetch_deadline_seconds=0.5, read_timeout_seconds=30), "x")
    with pytest.raises(DeadlineError, match="account acct: x fetch did not finish within its deadline of 0.5 s"):
        session(budget).get(f"{server}/trickle")
    assert Handler.trickle_done.wait(15)
    assert Handler.trickled < 50  # the client hung up early; a blocking chunked read would take all 100
    with pytest.raises(ResponseError, match="response was cut off before its end"):
        session(FetchBudget(account(), "x")).get(f"{server}/cut")
    with pytest.raises(ConnectorError, match="without a fetch budget"):
        LimitedSession().get(f"{server}/json")


def test_a_connection_refused_is_a_requests_error(server):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(requests.ConnectionError):
        session(FetchBudget(account(), "x")).get(f"http://127.0.0.1:{port}/json")


# waits within the deadline -------------------------------------------------------------------

def test_a_wait_past_the_deadline_fails_now_instead_of_sleeping():
    waits: list[float] = []
    throttle = Throttle(sleep=waits.append, rand=lambda: 0.0)
    throttle.begin(account(fetch_deadline_seconds=30), "x")

    def limited() -> None:
        raise OSError("429")

    with pytest.raises(RateLimitError, match=r"account acct: x: rate limited \(try 1/4\); the 600 s wait asked for does not fit") as info:
        throttle.call("x", limited, lambda exc: 600.0)
    assert waits == []
    assert "does not fit" in info.value.events[-1]  # type: ignore[attr-defined]


def test_a_named_wait_is_honoured_as_given_and_an_unnamed_one_backs_off():
    waits: list[float] = []
    throttle = Throttle(sleep=waits.append, rand=lambda: 1.0)
    throttle.begin(account(), "x")
    answers = iter([7.0, 0.0])

    def twice() -> str:
        if len(waits) < 2:
            raise OSError("429")
        return "done"

    assert throttle.call("x", twice, lambda exc: next(answers)) == "done"
    assert waits == [pytest.approx(7.7), 6.0]  # 7 s named (+10% jitter at most); then 4 s backoff (+50%)


# feeds that must parse whole ----------------------------------------------------------------

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>t</title><link>https://b.example/</link><description>d</description>
<item><title>Newest</title><guid>n2</guid><pubDate>Tue, 05 Mar 2024 15:00:00 +0000</pubDate></item>
<item><title>Older</title><guid>n1</guid><pubDate>Mon, 04 Mar 2024 15:00:00 +0000</pubDate></item>
</channel></rss>"""


def test_a_cut_off_feed_is_an_error_though_feedparser_finds_entries_in_it():
    cut = RSS[: RSS.index(b"</item>") + len(b"</item>")]
    assert feedparser.parse(cut).entries  # what used to be taken, losing the tail for good
    blog = AccountRef(name="b", platform="blog", handle="https://b.example/feed/")
    with pytest.raises(ResponseError, match=r"account b: feed does not parse whole at line 3, column \d+ \(SAXParseException"):
        parse_whole(blog, cut, "feed")
    assert [e.title for e in parse_whole(blog, RSS, "feed").entries] == ["Newest", "Older"]
    with pytest.raises(ResponseError, match="is not RSS/Atom"):
        parse_whole(blog, b"<html><body>maintenance</body></html>", "feed")


def test_a_feed_with_only_a_wrong_encoding_label_is_read():
    mislabelled = RSS.replace(b'encoding="UTF-8"', b'encoding="us-ascii"').replace(b"Newest", "Newest caf\u00e9".encode())
    parsed = feedparser.parse(mislabelled)
    assert parsed.bozo  # feedparser complains, but read the whole document
    blog = AccountRef(name="b", platform="blog", handle="https://b.example/feed/")
    assert len(parse_whole(blog, mislabelled, "feed").entries) == 2


def test_blog_base_url_moves_the_feed_and_its_comment_feeds(server):
    blog = AccountRef(name="b", platform="blog", handle="https://blogs.example/grade4/feed", options={"base_url": f"{server}/mirror"})
    result = BlogConnector(Throttle(sleep=lambda s: None)).fetch(blog, None)
    assert [i.kind for i in result.items] == ["post", "comment"]
    assert Handler.seen[-2:] == ["/mirror/grade4/feed", "/mirror/grade4/post-comments"]
    assert result.items[0].permalink == "https://blogs.example/grade4/p1/"  # links stay the blog's own


def test_no_request_url_with_its_token_reaches_the_logs(server, caplog):
    caplog.set_level(logging.DEBUG)
    throttle = Throttle()
    with httpx.Client() as client:
        get_json(client, throttle, account(), "instagram", f"{server}/json", {"access_token": "IGQsecrettoken"})
    session(FetchBudget(account(), "x")).get(f"{server}/json", params={"access_token": "EAAsecrettoken"})
    assert "secrettoken" not in caplog.text

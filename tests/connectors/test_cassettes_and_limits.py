from __future__ import annotations

import json
import re

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests

from connectors.base import AccountRef, ConnectorError, RateLimitError
from connectors.ratelimit import Throttle, graph_usage_percent
from connectors.registry import PLATFORMS, get_connector
from tests.connectors.conftest import CASSETTES, RECORDINGS, make_vcr

SECRET_PATTERNS = [
    re.compile(r"access_token=[^&\s'\"]+"),
    re.compile(r"[?&]key=[^&\s'\"]+"),
    re.compile(r"(?i)^\s*(authorization|cookie|set-cookie):", re.M),
    re.compile(r"(?i)bearer [A-Za-z0-9%._-]{8,}"),
    re.compile(r"EAA[A-Za-z0-9]{10,}"),  # Facebook user/page tokens
    re.compile(r"AAAAAAAAAAAAAAAAAAAA"),  # X app bearer tokens
    re.compile(r"AIza[0-9A-Za-z_-]{20,}"),  # Google API keys
]
# people named in the real recordings must not leak into the project's own cassettes
REAL_NAMES = ["Nov Matake", "Gustav Johansen", "Anders Jacobsen", "Zuckerberg", "milahu", "SamaHoole", "StephanRPalm"]


def all_cassettes() -> list:
    return sorted(CASSETTES.rglob("*.yaml"))


def test_every_platform_has_cassettes():
    folders = {p.parent.name for p in all_cassettes()}
    assert folders >= {"facebook", "x", "instagram", "youtube", "blog", "bluesky", "mastodon"}


@pytest.mark.parametrize("path", all_cassettes(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_cassette_has_no_tokens_cookies_or_real_names(path):
    text = path.read_text(encoding="utf-8")
    for pattern in SECRET_PATTERNS:
        assert not pattern.search(text), f"{path.name}: matches {pattern.pattern}"
    for name in REAL_NAMES:
        assert name not in text, f"{path.name}: contains a real person's name"


def test_shared_config_filters_secrets_when_recording(tmp_path):
    """Record once through the shared config against a loopback server: nothing secret is written."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            body = b'{"data": []}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Set-Cookie", "datr=abc123secret")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        config = make_vcr(record_mode="all")
        config.cassette_library_dir = str(tmp_path)
        with config.use_cassette("rec.yaml"):
            requests.get(f"http://127.0.0.1:{server.server_port}/v19.0/1/feed", params={"access_token": "EAAsecretsecretsecret", "key": "AIzaSyAsecretsecretsecretsecret", "limit": 5},
                         headers={"Authorization": "Bearer EAAsecretsecretsecret", "Cookie": "c_user=1"}, timeout=5)
    finally:
        server.shutdown()
    text = (tmp_path / "rec.yaml").read_text()
    assert "limit=5" in text
    assert "secret" not in text and "c_user" not in text


def test_x_slows_down_before_the_limit():
    waits: list[float] = []
    throttle = Throttle(sleep=waits.append, now=lambda: 1000.0)
    throttle.observe("x", {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "300", "x-rate-limit-reset": "1900"})
    assert waits == []
    throttle.observe("x", {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "10", "x-rate-limit-reset": "1060"})
    assert waits == [61.0] and throttle.events == ["x: 10/450 calls left in window; waited 61.0s"]


def test_graph_usage_headers_in_both_shapes():
    assert graph_usage_percent('{"call_count":12,"total_cputime":0,"total_time":10}') == 12
    buc = json.dumps({"1111111111": [{"type": "pages", "call_count": 95, "total_cputime": 20, "total_time": 30, "estimated_time_to_regain_access": 0}]})
    assert graph_usage_percent(buc) == 95
    waits: list[float] = []
    Throttle(sleep=waits.append).observe("facebook", {"X-Business-Use-Case-Usage": buc})
    assert waits == [30.0]


def test_real_recorded_usage_headers_parse():
    text = (RECORDINGS / "graph_cassettes/ruby_vcr/NoFB-api__NoFB_api.yml").read_text()
    values = re.findall(r"X-App-Usage:\s*\n\s*- '([^']+)'", text)
    assert values and all(graph_usage_percent(v) == 12 for v in values)
    recorded = json.loads((RECORDINGS / "tweepy_cassettes/decoded/test_client_get_users_tweets.json").read_text())
    headers = {k: v[0] for k, v in recorded[0]["rate_limit_headers"].items()}
    waits: list[float] = []
    Throttle(sleep=waits.append, now=lambda: 1665183000.0).observe("x", headers)
    assert waits == []  # 1498 of 1500 left: no slow-down


def test_backoff_is_bounded_and_jittered():
    waits: list[float] = []
    throttle = Throttle(sleep=waits.append, rand=lambda: 1.0, max_tries=3)

    def always() -> None:
        raise OSError("limited")

    with pytest.raises(RateLimitError):
        throttle.call("x", always, lambda exc: 0.0)
    assert waits == [3.0, 6.0]  # 2 s and 4 s, each stretched by the maximum jitter (x1.5)
    assert throttle.events[-1] == "x: rate limited, gave up after 3 tries"


def test_registry_knows_every_platform():
    assert set(PLATFORMS) >= {"facebook", "x", "instagram", "youtube", "blog", "bluesky", "mastodon"}
    for platform in ("facebook", "x", "instagram", "youtube", "blog", "bluesky", "mastodon"):
        assert get_connector(AccountRef(name="a", platform=platform, handle="h")).platform == platform
    with pytest.raises(ConnectorError):
        get_connector(AccountRef(name="a", platform="myspace", handle="h"))


def test_odd_response_shape_fails_the_account_with_response_error():
    from connectors.base import ResponseError
    from connectors.shapes import reads_platform_shapes

    class Odd:
        platform = "facebook"

        @reads_platform_shapes
        def fetch(self, account, cursor):
            return {}["id"]

    with pytest.raises(ResponseError, match=r"account a: facebook sent a response of an unexpected shape \(missing field 'id'\)"):
        Odd().fetch(AccountRef(name="a", platform="facebook", handle="h"), None)

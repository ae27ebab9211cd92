"""API calls per 1,000 new comments: Facebook connector (nested fields) vs the naive way.

The naive way reads the feed, then asks each post for its comments (one call per post, plus its
comment paging). Both run through facebook-sdk against an in-memory Graph API (a requests transport
adapter that serves generated pages in the real shapes and counts calls), for three spreads of
1,000 comments. Then every connector's empty poll is replayed from its cassette to show it costs one
call per endpoint. Run: `.venv/bin/python benchmarks/connector_calls.py`.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import facebook
import requests
from requests.adapters import BaseAdapter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors.base import AccountRef  # noqa: E402
from connectors.facebook import FacebookConnector  # noqa: E402
from connectors.ratelimit import Throttle  # noqa: E402

PAGE = "1111111111"


class FakeGraph(BaseAdapter):
    """Answers /feed, /{post}/comments and ?ids= like the Graph API does, counting each call."""

    def __init__(self, comments_per_post: list[int]) -> None:
        super().__init__()
        self.calls = 0
        self.posts = [
            {"id": f"{PAGE}_{n}", "message": f"post {n}", "from": {"id": PAGE, "name": "School"},
             "created_time": f"2024-03-{1 + n // 100:02d}T{n % 24:02d}:00:00+0000"}
            for n in range(len(comments_per_post))
        ]
        self.comments = {p["id"]: [{"id": f"{p['id']}_{c}", "message": "c", "from": {"id": "9", "name": "Parent"}, "created_time": "2024-04-01T00:00:00+0000"}
                                   for c in range(count)] for p, count in zip(self.posts, comments_per_post)}

    def _page(self, data: list, start: int, limit: int, base: str) -> dict:
        chunk = data[start:start + limit]
        paging: dict = {"cursors": {"before": str(start), "after": str(start + len(chunk))}}
        if start + limit < len(data):
            paging["next"] = f"{base}?limit={limit}&after={start + limit}"
        return {"data": chunk, "paging": paging}

    def send(self, request, **kwargs):  # noqa: ANN001 - requests' adapter signature
        self.calls += 1
        url = urlparse(request.url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = url.path.strip("/").split("/")
        fields = query.get("fields", "")
        if parts[-1] == "feed":
            body = self._page(self.posts, int(query.get("after", 0)), int(query.get("limit", 25)), f"https://graph.facebook.com{url.path}")
            nested_match = re.search(r"comments(?:\.order\([^)]*\))?\.limit\((\d+)\)", fields)
            if nested_match:  # nested: each post carries its first comments
                nested = int(nested_match.group(1))
                body["data"] = [{**p, "comments": {**self._page(self.comments[p["id"]], 0, nested, f"https://graph.facebook.com/v19.0/{p['id']}/comments"),
                                                    "summary": {"total_count": len(self.comments[p["id"]])}}} for p in body["data"]]
        elif parts[-1] == "comments":
            body = self._page(self.comments[parts[-2]], int(query.get("after", 0)), int(query.get("limit", 25)), f"https://graph.facebook.com{url.path}")
        else:
            body = {}
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = "application/json"
        response._content = json.dumps(body).encode()
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


def session_for(fake: FakeGraph) -> requests.Session:
    session = requests.Session()
    session.mount("https://", fake)
    return session


def nested_calls(spread: list[int]) -> tuple[int, int]:
    fake = FakeGraph(spread)
    result = FacebookConnector(throttle=Throttle(sleep=lambda s: None), session=session_for(fake)).fetch(
        AccountRef(name="bench", platform="facebook", handle=PAGE, credentials={"access_token": "bench"}), None)
    return fake.calls, sum(1 for i in result.items if i.kind == "comment")


def naive_calls(spread: list[int]) -> tuple[int, int]:
    fake = FakeGraph(spread)
    graph = facebook.GraphAPI(access_token="bench", session=session_for(fake))
    graph.version = "v19.0"
    comments = 0
    args: dict = {"fields": "id,message,from,created_time", "limit": 25}
    while True:
        page = graph.get_connections(PAGE, "feed", **args)
        for post in page["data"]:
            cargs: dict = {"fields": "id,message,from,created_time", "limit": 100}
            while True:  # one call per post, plus its own paging
                got = graph.get_connections(post["id"], "comments", **cargs)
                comments += len(got["data"])
                if "next" not in got["paging"]:
                    break
                cargs["after"] = got["paging"]["cursors"]["after"]
        if "next" not in page["paging"]:
            break
        args["after"] = page["paging"]["cursors"]["after"]
    return fake.calls, comments


def empty_polls() -> list[tuple[str, int, int]]:
    from tests.connectors.conftest import make_vcr
    from connectors.blog import BlogConnector
    from connectors.instagram import InstagramConnector
    from connectors.x import XConnector
    from connectors.youtube import YouTubeConnector

    vcr = make_vcr()
    quiet = Throttle(sleep=lambda s: None, rand=lambda: 0.0)
    cases = [
        ("facebook", "facebook/feed_empty_poll.yaml", FacebookConnector(quiet), AccountRef("fb", "facebook", PAGE, {"access_token": "t"}), str(1709051040 + 7 * 86400), 1),
        ("x", "x/empty_poll.yaml", XConnector(quiet), AccountRef("x", "x", "4400000001", {"bearer_token": "t"}),
         json.dumps({"posts": "1800000000000000200", "mentions": "1800000000000000300", "replies": "1800000000000000400", "watch": json.dumps(["1800000000000000200", "1800000000000000100"])}), 3),
        ("instagram", "instagram/empty_poll.yaml", InstagramConnector(quiet), AccountRef("ig", "instagram", "17841400000000001", {"access_token": "t"}), "1709651220", 1),
        ("youtube", "youtube/empty_poll.yaml", YouTubeConnector(quiet), AccountRef("yt", "youtube", "UCinventedChannel0000001", {"api_key": "k"}),
         json.dumps({"uploads": "UUinventedChannel0000001", "since": "2024-03-05T16:30:00+00:00"}), 2),
        ("blog", "blog/empty_poll.yaml", BlogConnector(quiet), AccountRef("b", "blog", "https://blogs.maple-grove.example/grade4/feed/"), json.dumps({"etag": '"feed-v1"', "since": 1709661600.0}), 1),
    ]
    rows = []
    for platform, cassette, connector, account, cursor, endpoints in cases:
        with vcr.use_cassette(cassette):
            result = connector.fetch(account, cursor)
        assert not result.items, platform
        rows.append((platform, endpoints, result.calls))
    return rows


def main() -> None:
    spreads = {
        "100 posts x 10 comments": [10] * 100,
        "40 posts x 25 comments": [25] * 40,
        "1 post with 910 + 9 posts x 10": [910] + [10] * 9,
    }
    print("| 1,000 new comments spread as | nested (connector) calls | naive calls | naive / nested |")
    print("|---|---:|---:|---:|")
    for label, spread in spreads.items():
        (n_calls, n_comments), (v_calls, v_comments) = nested_calls(spread), naive_calls(spread)
        assert n_comments == v_comments == 1000, (n_comments, v_comments)
        print(f"| {label} | {n_calls} | {v_calls} | {v_calls / n_calls:.1f}x |")
    print()
    print("| empty poll | endpoints | calls |")
    print("|---|---:|---:|")
    for platform, endpoints, calls in empty_polls():
        print(f"| {platform} | {endpoints} | {calls} |")


if __name__ == "__main__":
    main()

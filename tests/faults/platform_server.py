"""A local threaded HTTP server that answers as the platforms do (seven of them), and misbehaves on request.

Each account reaches it under its own path prefix (`options.base_url` = `http://127.0.0.1:PORT/KEY`,
or a blog's feed URL `.../KEY/feed/`), so one server serves every account of a run and a fault is
set per account: `server.faults[KEY] = "truncated"` and so on (see `FAULTS`). The content is small
and made up: `server.add_posts(KEY, n)` adds n newer posts to that account's timeline.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# truncated: the body stops halfway, the connection closes (no Content-Length, so only the parser can tell)
# trickle:   the body comes one byte at a time, a few per second, for far longer than any deadline
# huge:      a 50 MB body, no Content-Length (only a streamed cap can refuse it)
# limited:   the first request is a 429 with Retry-After: 1, the rest answer normally
# unavailable: every request is a 503 without Retry-After
FAULTS = ("truncated", "trickle", "huge", "limited", "unavailable")
HUGE = 50 * 1000 * 1000
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)


@dataclass
class Post:
    n: int
    text: str

    @property
    def when(self) -> datetime:
        return T0 + timedelta(minutes=10 * self.n)


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    mode: str = "normal"


class PlatformServer:
    def __init__(self) -> None:
        self.posts: dict[str, list[Post]] = {}
        self.platform: dict[str, str] = {}
        self.faults: dict[str, str] = {}
        self.hits: dict[str, int] = {}
        # body bytes written per account before the answer ended or the client hung up
        self.sent: dict[str, int] = {}
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "PlatformServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def account(self, key: str, platform: str) -> None:
        self.platform[key] = platform
        self.posts.setdefault(key, [])

    def add_posts(self, key: str, count: int) -> list[str]:
        """Newer posts on the account's timeline; returns their platform ids."""
        with self.lock:
            posts = self.posts[key]
            start = len(posts) + 1
            for n in range(start, start + count):
                posts.append(Post(n, f"Post {n} on {key}: the library opens at nine for the book fair."))
            return [platform_id(self.platform[key], key, p.n) for p in posts[start - 1:]]

    def reset_hits(self) -> None:
        with self.lock:
            self.hits.clear()

    # the answers -----------------------------------------------------------------------------

    def answer(self, key: str, path: str, query: dict[str, str]) -> Reply:
        with self.lock:
            hit = self.hits[key] = self.hits.get(key, 0) + 1
            fault = self.faults.get(key)
            posts = sorted(self.posts.get(key, []), key=lambda p: p.n, reverse=True)  # newest first
        platform = self.platform.get(key)
        if platform is None:
            return Reply(404, b"no such account")
        if fault == "unavailable":
            return Reply(503, b"Service Unavailable", {"Content-Type": "text/plain"})
        if fault == "limited" and hit == 1:
            return Reply(429, json.dumps({"error": {"message": "(#4) Application request limit reached", "type": "OAuthException", "code": 4}}).encode(),
                         {"Content-Type": "application/json", "Retry-After": "1"})
        reply = ANSWERS[platform](key, path, query, posts)
        if fault in ("truncated", "trickle", "huge") and hit == 1:
            reply.mode = fault
        return reply


def platform_id(platform: str, key: str, n: int) -> str:
    return {
        "facebook": f"{page_id(key)}_{n}",
        "x": str(1800000000000000000 + n),
        "instagram": f"1800{n:06d}",
        "youtube": f"vid{key}{n:04d}",
        "blog": f"https://blog.example/{key}/?p={n}",
        "bluesky": f"at://did:plc:{key}/app.bsky.feed.post/3k{n:06d}",
        "mastodon": str(110000000000000000 + n),
    }[platform]


def page_id(key: str) -> str:
    return str(1000000000 + sum(ord(c) for c in key))


def _json(data: Any) -> Reply:
    return Reply(200, json.dumps(data).encode(), {"Content-Type": "application/json; charset=UTF-8"})


def _iso(when: datetime, z: bool = False) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if z else when.strftime("%Y-%m-%dT%H:%M:%S+0000")


def facebook_answer(key: str, path: str, query: dict[str, str], posts: list[Post]) -> Reply:
    if path.endswith("/feed"):
        page = page_id(key)
        data = [{"id": f"{page}_{p.n}", "message": p.text, "from": {"id": page, "name": f"Page {key}"},
                 "created_time": _iso(p.when), "permalink_url": f"https://www.facebook.com/{page}/posts/{p.n}"} for p in posts]
        return _json({"data": data, "paging": {"cursors": {"before": "b", "after": "a"}}})
    return Reply(404, b'{"error": {"message": "unknown path", "code": 803}}', {"Content-Type": "application/json"})


def x_answer(key: str, path: str, query: dict[str, str], posts: list[Post]) -> Reply:
    user = page_id(key)
    if path.endswith("/tweets"):
        since = int(query.get("since_id", "0"))
        data = [{"id": platform_id("x", key, p.n), "text": p.text, "author_id": user, "created_at": _iso(p.when, z=True),
                 "conversation_id": platform_id("x", key, p.n)} for p in posts if int(platform_id("x", key, p.n)) > since]
        data = data[: int(query.get("max_results", "100"))]  # as X does; each post returned is billed
        meta: dict[str, Any] = {"result_count": len(data)}
        if data:
            meta["newest_id"], meta["oldest_id"] = data[0]["id"], data[-1]["id"]
        return _json({"data": data, "includes": {"users": [{"id": user, "name": f"School {key}", "username": key.replace("-", "_")}]}, "meta": meta})
    if path.endswith("/mentions") or path.endswith("/search/recent"):
        return _json({"meta": {"result_count": 0}})
    return Reply(404, b'{"title": "Not Found"}', {"Content-Type": "application/json"})


def instagram_answer(key: str, path: str, query: dict[str, str], posts: list[Post]) -> Reply:
    if path.endswith("/media"):
        data = [{"id": platform_id("instagram", key, p.n), "caption": p.text, "media_type": "IMAGE", "timestamp": _iso(p.when),
                 "username": key, "permalink": f"https://www.instagram.com/p/{key}{p.n}/", "comments_count": 0} for p in posts]
        return _json({"data": data, "paging": {"cursors": {"before": "b", "after": "a"}}})
    return Reply(404, b'{"error": {"message": "unknown path", "code": 803}}', {"Content-Type": "application/json"})


def youtube_answer(key: str, path: str, query: dict[str, str], posts: list[Post]) -> Reply:
    channel = f"UC{key}"
    if path.endswith("/channels"):
        return _json({"items": [{"id": channel, "contentDetails": {"relatedPlaylists": {"uploads": f"UU{key}"}}}]})
    if path.endswith("/playlistItems"):
        items = [{"id": f"PL{key}{p.n}", "snippet": {"publishedAt": _iso(p.when, z=True), "channelId": channel, "title": f"Video {p.n}",
                                                     "description": p.text, "channelTitle": key, "resourceId": {"videoId": platform_id("youtube", key, p.n)}},
                  "contentDetails": {"videoId": platform_id("youtube", key, p.n), "videoPublishedAt": _iso(p.when, z=True)}} for p in posts]
        return _json({"items": items, "pageInfo": {"totalResults": len(items)}})
    if path.endswith("/commentThreads"):
        return _json({"items": []})
    return Reply(404, b'{"error": {"code": 404, "message": "not found"}}', {"Content-Type": "application/json"})


def blog_answer(key: str, path: str, query: dict[str, str], posts: list[Post]) -> Reply:
    if not path.endswith("/feed/"):
        return Reply(404, b"not found", {"Content-Type": "text/plain"})
    items = "".join(
        f"<item><title>Post {p.n}</title><link>https://blog.example/{key}/{p.n}/</link>"
        f"<guid isPermaLink=\"false\">{platform_id('blog', key, p.n)}</guid><pubDate>{format_datetime(p.when, usegmt=True)}</pubDate>"
        f"<description>{p.text}</description></item>\n" for p in posts
    )
    rss = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Blog {key}</title><link>https://blog.example/{key}/</link><description>class news</description>
{items}</channel></rss>
"""
    return Reply(200, rss.encode(), {"Content-Type": "application/rss+xml; charset=UTF-8"})


def _jwt(key: str, kind: str) -> str:
    import base64

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part({'scope': kind, 'sub': f'did:plc:{key}', 'exp': 4102444800})}.{part({'fake': key})}"


def bluesky_answer(key: str, path: str, query: dict[str, str], posts: list[Post]) -> Reply:
    did = f"did:plc:{key}"
    author = {"did": did, "handle": f"{key}.bsky.social", "displayName": f"School {key}"}
    if path.endswith("/com.atproto.server.createSession"):
        return _json({"did": did, "handle": author["handle"], "accessJwt": _jwt(key, "com.atproto.appPass"), "refreshJwt": _jwt(key, "com.atproto.refresh"), "active": True})
    def view(p: Post) -> dict:
        return {"uri": platform_id("bluesky", key, p.n), "cid": "bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", "author": author,
                "record": {"$type": "app.bsky.feed.post", "text": p.text, "createdAt": _iso(p.when, z=True)}, "indexedAt": _iso(p.when, z=True), "labels": []}
    if path.endswith("/app.bsky.feed.getAuthorFeed"):
        return _json({"feed": [{"post": view(p)} for p in posts]})
    if path.endswith("/app.bsky.feed.getPostThread"):
        found = next((p for p in posts if platform_id("bluesky", key, p.n) == query.get("uri")), None)
        if found is None:
            return Reply(400, b'{"error": "NotFound", "message": "Post not found"}', {"Content-Type": "application/json"})
        return _json({"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": view(found), "replies": []}})
    if path.endswith("/app.bsky.notification.listNotifications"):
        return _json({"notifications": []})
    return Reply(404, b'{"error": "MethodNotImplemented"}', {"Content-Type": "application/json"})


def mastodon_answer(key: str, path: str, query: dict[str, str], posts: list[Post]) -> Reply:
    me = page_id(key)
    account = {"id": me, "username": key, "acct": key, "display_name": f"School {key}"}
    if path.endswith("/statuses") and "/accounts/" in path:
        return _json([{"id": platform_id("mastodon", key, p.n), "created_at": _iso(p.when, z=True), "in_reply_to_id": None, "content": f"<p>{p.text}</p>",
                       "url": f"https://mastodon.example/@{key}/{p.n}", "account": account, "media_attachments": [], "reblog": None} for p in posts])
    if path.endswith("/notifications"):
        return _json([])
    if path.endswith("/context"):
        return _json({"ancestors": [], "descendants": []})
    return Reply(404, b'{"error": "Record not found"}', {"Content-Type": "application/json"})


ANSWERS = {"bluesky": bluesky_answer, "mastodon": mastodon_answer, "facebook": facebook_answer, "x": x_answer, "instagram": instagram_answer, "youtube": youtube_answer, "blog": blog_answer}


def _handler(server: PlatformServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one answer per connection: a body without length ends when it closes

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            parts = urlsplit(self.path)
            key, _, rest = parts.path.lstrip("/").partition("/")
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            self.send(key, server.answer(key, "/" + rest, query))

        do_POST = do_GET  # noqa: N815

        def send(self, key: str, reply: Reply) -> None:
            """Write the answer as its mode says, counting the body bytes of a misbehaving one as they go."""
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.mode == "normal":
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            def count(n: int) -> None:
                with server.lock:
                    server.sent[key] = server.sent.get(key, 0) + n

            try:
                if reply.mode == "normal":
                    self.wfile.write(reply.body)
                elif reply.mode == "truncated":
                    self.wfile.write(cut(reply.body))
                    count(len(cut(reply.body)))
                elif reply.mode == "trickle":
                    deadline = time.monotonic() + 60
                    for byte in reply.body:
                        if time.monotonic() > deadline:
                            break
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        count(1)
                        time.sleep(0.2)
                elif reply.mode == "huge":
                    block = b" " * 65536
                    self.wfile.write(reply.body[:1])
                    for _ in range(HUGE // len(block)):
                        self.wfile.write(block)
                        count(len(block))
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                pass  # the client gave up, as it should

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def cut(body: bytes) -> bytes:
    """The body stopped after its first post: a feed's first <item>, a JSON list's first element."""
    for marker in (b"</item>", b"}, {"):
        at = body.find(marker)
        if at != -1:
            return body[: at + len(marker)]
    return body[: len(body) // 2]


def dead_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

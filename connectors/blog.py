"""Class blogs through their RSS/Atom feeds (httpx to fetch, feedparser to read).

Entries are posts. When an entry names a comment feed (`wfw:commentRss`) and its comment count
(`slash:comments`) changed since the last poll (or is absent), that feed is read too and its entries
become comments of the post. The feed is fetched with `If-None-Match`/`If-Modified-Since`, so an
empty poll is one call answered 304.

A feed must parse whole: feedparser reads what it can of a cut-off or malformed document and
flags it (`bozo`), and taking those entries would move the cursor past the lost tail for good, so
such a feed is a ResponseError and the cursor stays. Only complaints about a document that did
parse whole are let through (an encoding label that did not match, a served content type, an
undeclared namespace).

Account: `options["feed_url"]` (or `handle`). `options["base_url"]` (optional) replaces the feed's
origin (scheme, host and port), for the feed and for the comment feeds on the same site, so a blog
can be read from a mirror or a local test server without rewriting every URL; `fetch_deadline_seconds`
and `max_response_bytes` bound a fetch (connectors/limits.py). No credentials, no moderator actions.
"""
from __future__ import annotations

import json
from calendar import timegm
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import feedparser
import httpx

from connectors.base import AccountRef, FetchResult, Profile, ResponseError
from connectors.items import Author, Item, Media
from connectors.limits import Answer, base_url_option, rate_limit_wait, read_httpx, rebase
from connectors.ratelimit import Throttle
from connectors.shapes import reads_platform_shapes

KEEP_COUNTS = 100  # comment counts remembered per poll (the newest entries)
# what feedparser may say of a document it still parsed whole
HARMLESS_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType, feedparser.UndeclaredNamespace)


class BlogConnector:
    platform = "blog"

    def __init__(self, throttle: Throttle | None = None, client: httpx.Client | None = None) -> None:
        self.throttle = throttle or Throttle()
        self.client = client or httpx.Client(timeout=30, follow_redirects=True)
        self.calls = 0

    def _get(self, account: AccountRef, url: str, headers: dict[str, str]) -> Answer:
        self.calls += 1
        budget = self.throttle.budget_for(account, self.platform)
        origin = _origin(self._feed_url(account))
        url = rebase(url, origin, base_url_option(account, origin))

        class Limited(Exception):
            def __init__(self, wait: float) -> None:
                self.wait = wait

        def once() -> Answer:
            response = read_httpx(self.client, budget, "GET", url, headers=headers)
            wait = rate_limit_wait(response.status_code, response.headers, self.throttle.now)
            if wait is not None:
                raise Limited(wait)
            return response

        try:
            response = self.throttle.call("blog", once, lambda exc: exc.wait if isinstance(exc, Limited) else None)
        except httpx.HTTPError as exc:
            budget.check()
            raise ResponseError(f"account {account.name}: feed could not be fetched ({type(exc).__name__})") from None
        if response.status_code == 503:
            raise ResponseError(f"account {account.name}: feed unavailable (HTTP 503 without Retry-After); the next run tries again")
        if response.status_code >= 400:
            raise ResponseError(f"account {account.name}: feed answered HTTP {response.status_code}")
        return response

    @staticmethod
    def _feed_url(account: AccountRef) -> str:
        return account.options.get("feed_url") or account.handle

    def profile(self, account: AccountRef) -> Profile:
        """The feed's own title, description and site link (a blog follows nobody: no `follows`)."""
        self.throttle.begin(account, self.platform)
        return _feed_profile(account, self._get(account, self._feed_url(account), {}).content)

    @reads_platform_shapes
    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        self.calls = 0
        self.throttle.begin(account, self.platform)
        url = self._feed_url(account)
        state: dict[str, Any] = json.loads(cursor) if cursor else {}
        headers = {k: v for k, v in (("If-None-Match", state.get("etag")), ("If-Modified-Since", state.get("modified"))) if v}
        response = self._get(account, url, headers)
        if response.status_code == 304:
            return FetchResult(items=[], cursor=cursor, calls=self.calls, events=list(self.throttle.events))
        feed = parse_whole(account, response.content, "feed")
        since = float(state.get("since", 0))
        counts: dict[str, Any] = state.get("counts", {})
        items: list[Item] = []
        new_counts: dict[str, Any] = {}
        for entry in feed.entries:
            post = entry_item(account, entry, "post", None)
            if _ts(post) > since:
                items.append(post)
            count = entry.get("slash_comments")
            comment_feed = entry.get("wfw_commentrss")
            if len(new_counts) < KEEP_COUNTS:
                new_counts[post.platform_id] = count
            # a comment feed is read only when the count says something may be new there
            if comment_feed and str(count) != "0" and (count is None or counts.get(post.platform_id) != count):
                comments = parse_whole(account, self._get(account, comment_feed, {}).content, "comment feed")
                items += [c for c in (entry_item(account, e, "comment", post.platform_id) for e in comments.entries) if _ts(c) > since]
        newest = max([since, *(_ts(i) for i in items)])
        state = {"since": newest, "counts": new_counts, "etag": response.headers.get("etag"), "modified": response.headers.get("last-modified")}
        return FetchResult(items=items, cursor=json.dumps(state, sort_keys=True), calls=self.calls, events=list(self.throttle.events))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def parse_whole(account: AccountRef, content: bytes, what: str) -> Any:
    """The parsed feed, or ResponseError when feedparser could not read the document whole."""
    feed = feedparser.parse(content)
    problem = feed.get("bozo_exception") if feed.bozo else None
    if problem is not None and not isinstance(problem, HARMLESS_BOZO):
        where = ""
        if hasattr(problem, "getLineNumber"):
            where = f" at line {problem.getLineNumber()}, column {problem.getColumnNumber()}"
        raise ResponseError(f"account {account.name}: {what} does not parse whole{where} ({type(problem).__name__}: cut off or not RSS/Atom); the cursor stays")
    if not feed.get("version") and not feed.entries:
        raise ResponseError(f"account {account.name}: {what} is not RSS/Atom")
    return feed

def _feed_profile(account: AccountRef, content: bytes) -> Profile:
    feed = feedparser.parse(content)
    if feed.bozo and not feed.feed:
        raise ResponseError(f"account {account.name}: feed is not RSS/Atom ({type(feed.bozo_exception).__name__})")
    info = feed.feed
    return Profile(info.get("title"), _strip(info.get("subtitle") or info.get("description") or "") or None, info.get("link") or None)


def _ts(item: Item) -> float:
    return item.created_at.timestamp() if item.created_at else 0.0


def entry_item(account: AccountRef, entry: Any, kind: str, parent: str | None) -> Item:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    created = datetime.fromtimestamp(timegm(parsed), tz=timezone.utc) if parsed else None
    ident = entry.get("id") or entry.get("link")
    if not ident:
        raise ResponseError(f"account {account.name}: feed entry without id or link")
    html = (entry.get("content") or [{}])[0].get("value") or entry.get("summary", "")
    text = "\n".join(t for t in (entry.get("title") if kind == "post" else None, _strip(html)) if t)
    media = [Media(type="video" if str(e.get("type", "")).startswith("video") else "photo", url=e.get("href"))
             for e in entry.get("enclosures", []) if str(e.get("type", "")).startswith(("image", "video"))]
    return Item(
        platform="blog", platform_id=str(ident), account=account.name, kind=kind,  # type: ignore[arg-type]
        text=text, author=Author(name=entry.get("author", ""), is_account=kind == "post"), created_at=created,
        parent_id=parent, permalink=entry.get("link"), media=media, raw={"id": ident, "title": entry.get("title"), "link": entry.get("link")},
    )


def _strip(html: str) -> str:
    # feedparser already sanitizes; the classifiers want plain text
    import re
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()

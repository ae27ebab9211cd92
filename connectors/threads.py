"""Threads profiles through Meta's Threads API (httpx, `graph.threads.net`).

- threads: `GET /v1.0/{user}/threads?fields=...` (cursor paging, `since` in unix seconds);
  each thread is a post with its text and media (`media_url`, `alt_text`);
- replies: `GET /v1.0/{thread}/conversation` (every reply at every depth, cursor paging) for each
  thread of the look-back window; a reply to the thread itself is a comment, a reply to a reply
  is a reply with that reply as parent.

Incremental by time like Instagram: the cursor is the newest timestamp seen (unix seconds);
threads are read with `since` = cursor minus `lookback_days` (option, default 7) so new replies
on recent threads are found, and only items newer than the cursor are returned. A reply that was
deleted is simply absent (the API cannot tell it from paging); a hidden one carries
`hide_status` in its raw payload.

Account: `handle` (or `options["threads_user_id"]`) is the Threads user id;
`credentials["access_token"]` a Threads user token (`threads_basic`, `threads_read_replies`, and
`threads_manage_replies` for hiding); `options["base_url"]` replaces `https://graph.threads.net`;
`fetch_deadline_seconds` / `max_response_bytes` bound a fetch. Errors are Graph-style: code 190
is CredentialsError, codes 4/17/32/613 and 429 are waited for.

Moderator action: `hide(account, reply_id)`: `POST /v1.0/{reply_id}/manage_reply?hide=true`.
"""
from __future__ import annotations

import re
from typing import Any

import httpx

from connectors.base import AccountRef, ConnectorError, CredentialsError, FetchResult, Profile
from connectors.http import get_json
from connectors.items import Author, Item, Media, parse_time
from connectors.limits import base_url_option
from connectors.ratelimit import Throttle
from connectors.shapes import reads_platform_shapes

ORIGIN = "https://graph.threads.net"
VERSION = "v1.0"
THREAD_FIELDS = "id,text,username,timestamp,permalink,media_type,media_url,thumbnail_url,alt_text,is_quote_post"
REPLY_FIELDS = "id,text,username,timestamp,permalink,media_type,media_url,alt_text,replied_to,root_post,is_reply,hide_status"
MAX_PAGES = 20
LINK = re.compile(r"https?://[^\s<>\"')]+")
DAY = 86400


class ThreadsConnector:
    platform = "threads"

    def __init__(self, throttle: Throttle | None = None, client: httpx.Client | None = None) -> None:
        self.throttle = throttle or Throttle()
        self.client = client or httpx.Client(timeout=30)
        self.calls = 0

    def _get(self, account: AccountRef, path: str, params: dict[str, Any], method: str = "GET") -> dict:
        token = account.credentials.get("access_token")
        if not token:
            raise CredentialsError(f"account {account.name}: no Threads access token configured")
        self.calls += 1
        url = f"{base_url_option(account, ORIGIN)}/{VERSION}/{path}"
        return get_json(self.client, self.throttle, account, self.platform, url, {**params, "access_token": token}, method=method)

    def _paged(self, account: AccountRef, path: str, params: dict[str, Any]) -> list[dict]:
        found: list[dict] = []
        for _ in range(MAX_PAGES):
            page = self._get(account, path, params)
            data = list(page.get("data") or [])
            found.extend(data)
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not data or not paging.get("next") or not after:
                break
            params = {**params, "after": after}
        return found

    @reads_platform_shapes
    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        self.calls = 0
        self.throttle.begin(account, self.platform)
        user = account.options.get("threads_user_id") or account.handle
        after = int(cursor) if cursor else 0
        params: dict[str, Any] = {"fields": THREAD_FIELDS, "limit": 25}
        if after:
            params["since"] = max(0, after - int(account.options.get("lookback_days", 7)) * DAY)
        items: list[Item] = []
        for thread in self._paged(account, f"{user}/threads", params):
            post = thread_item(account, user, thread)
            items.append(post)
            replies = self._paged(account, f"{thread['id']}/conversation", {"fields": REPLY_FIELDS, "reverse": "false"})
            items.extend(reply_item(account, user, str(thread["id"]), post.author.name, r) for r in replies)
        items = [i for i in items if _ts(i) > after]
        newest = max([after, *(_ts(i) for i in items)])
        return FetchResult(items=items, cursor=str(newest) if newest else cursor, calls=self.calls, events=list(self.throttle.events))

    def profile(self, account: AccountRef) -> Profile:
        """`GET /{user}?fields=username,name,threads_biography`. The API returns no profile link, so
        the website is the first web link in the biography (as for YouTube)."""
        self.throttle.begin(account, self.platform)
        user = account.options.get("threads_user_id") or account.handle
        found = self._get(account, str(user), {"fields": "id,username,name,threads_biography"})
        bio = found.get("threads_biography") or None
        link = LINK.search(bio or "")
        return Profile(found.get("name") or found.get("username"), bio, link.group(0).rstrip(".,;") if link else None)

    def hide(self, account: AccountRef, platform_id: str) -> None:
        """Hide a reply on one of the account's threads (`manage_reply`, `hide=true`)."""
        self.throttle.begin(account, self.platform)
        result = self._get(account, f"{platform_id}/manage_reply", {"hide": "true"}, method="POST")
        if not result.get("success"):
            raise ConnectorError(f"account {account.name}: Threads did not hide reply {platform_id}")


def _ts(item: Item) -> int:
    return int(item.created_at.timestamp()) if item.created_at else 0


def _media(data: dict) -> list[Media]:
    kind = data.get("media_type") or "TEXT_POST"
    if kind in ("TEXT_POST", "REPOST_FACADE", "AUDIO"):
        return []
    url = data.get("media_url") or data.get("thumbnail_url")
    return [Media(type="video" if kind == "VIDEO" else "photo", url=url, alt_text=data.get("alt_text"))]


def thread_item(account: AccountRef, user: str, thread: dict) -> Item:
    return Item(
        platform="threads", platform_id=str(thread["id"]), account=account.name, kind="post",
        text=thread.get("text") or "", author=Author(name=str(thread.get("username") or account.handle), platform_id=user, is_account=True),
        created_at=parse_time(thread.get("timestamp")), permalink=thread.get("permalink"), media=_media(thread), raw=thread,
    )


def reply_item(account: AccountRef, user: str, thread_id: str, own_name: str, reply: dict) -> Item:
    parent = str((reply.get("replied_to") or {}).get("id") or thread_id)
    username = str(reply.get("username") or "")
    own = username == own_name
    return Item(
        platform="threads", platform_id=str(reply["id"]), account=account.name, kind="comment" if parent == thread_id else "reply",
        text=reply.get("text") or "", author=Author(name=username, platform_id=user if own else None, is_account=own),
        created_at=parse_time(reply.get("timestamp")), parent_id=parent, permalink=reply.get("permalink"), media=_media(reply), raw=reply,
    )

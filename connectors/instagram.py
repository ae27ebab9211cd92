"""Instagram professional accounts through the Instagram Graph API (httpx).

One call to `/{ig-user-id}/media` returns a page of media with their first comments and the replies
to them (nested `comments{...,replies{...}}`); a media item whose comments overflow the nested page
costs one `/{media-id}/comments` call per further page. Incremental by time like Facebook: the
cursor is the newest timestamp seen; media are read with `since` = cursor minus `lookback_days`
(option, default 7) and only items newer than the cursor are returned.

Account: `options["ig_user_id"]` (or `handle`) is the IG user id; `credentials["access_token"]`;
`options["base_url"]` replaces `https://graph.facebook.com` (a mirror, a local test server), and
`options["fetch_deadline_seconds"]` / `options["max_response_bytes"]` bound a fetch
(connectors/limits.py).
Moderator action: `hide(account, comment_id)`: POST `/{comment_id}?hide=true`.
"""
from __future__ import annotations

from typing import Any

import httpx

from connectors.base import AccountRef, ConnectorError, CredentialsError, FetchResult, Profile
from connectors.http import get_json
from connectors.limits import base_url_option, rebase
from connectors.items import Author, Item, Media, parse_time
from connectors.ratelimit import Throttle
from connectors.shapes import reads_platform_shapes

ORIGIN = "https://graph.facebook.com"
VERSION = "v19.0"
GRAPH = f"{ORIGIN}/{VERSION}"
NESTED_LIMIT = 50
REPLY_FIELDS = "id,text,username,from,timestamp"
COMMENT_FIELDS = f"id,text,username,from,timestamp,replies{{{REPLY_FIELDS}}}"
MEDIA_FIELDS = f"id,caption,media_type,media_url,thumbnail_url,permalink,timestamp,username,comments_count,comments.limit({NESTED_LIMIT}){{{COMMENT_FIELDS}}}"
DAY = 86400


class InstagramConnector:
    platform = "instagram"

    def __init__(self, throttle: Throttle | None = None, client: httpx.Client | None = None) -> None:
        self.throttle = throttle or Throttle()
        self.client = client or httpx.Client(timeout=30)
        self.calls = 0

    def _get(self, account: AccountRef, url: str, params: dict[str, Any], method: str = "GET") -> dict:
        token = account.credentials.get("access_token")
        if not token:
            raise CredentialsError(f"account {account.name}: no Instagram access token configured")
        self.calls += 1
        url = rebase(url, ORIGIN, base_url_option(account, ORIGIN))
        return get_json(self.client, self.throttle, account, "instagram", url, {**params, "access_token": token}, method=method)

    @reads_platform_shapes
    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        self.calls = 0
        self.throttle.begin(account, self.platform)
        user = account.options.get("ig_user_id") or account.handle
        after = int(cursor) if cursor else 0
        params: dict[str, Any] = {"fields": MEDIA_FIELDS, "limit": 25}
        if after:
            params["since"] = max(0, after - int(account.options.get("lookback_days", 7)) * DAY)
        items: list[Item] = []
        newest = after
        while True:
            page = self._get(account, f"{GRAPH}/{user}/media", params)
            for media in page.get("data", []):
                for item in self._media_items(account, user, media):
                    ts = int(item.created_at.timestamp()) if item.created_at else 0
                    if ts > after:
                        items.append(item)
                        newest = max(newest, ts)
            paging = page.get("paging") or {}
            nxt = (paging.get("cursors") or {}).get("after")
            if not page.get("data") or not paging.get("next") or not nxt:
                break
            params = {**params, "after": nxt}
        return FetchResult(items=items, cursor=str(newest) if newest else cursor, calls=self.calls, events=list(self.throttle.events))

    def _media_items(self, account: AccountRef, user: str, media: dict) -> list[Item]:
        items = [media_item(account, user, media)]
        comments = media.get("comments") or {}
        data = list(comments.get("data", []))
        while (comments.get("paging") or {}).get("next"):
            after = ((comments.get("paging") or {}).get("cursors") or {}).get("after")
            comments = self._get(account, f"{GRAPH}/{media['id']}/comments", {"fields": COMMENT_FIELDS, "limit": 50, "after": after})
            data.extend(comments.get("data", []))
        for comment in data:
            items.extend(comment_items(account, user, comment, str(media["id"])))
        return items

    def profile(self, account: AccountRef) -> Profile:
        self.throttle.begin(account, self.platform)  # a fresh deadline and budget, not an old fetch's
        """GET /{ig-user}?fields=name,username,biography,website. The Graph API gives only a
        follows_count, not whom the account follows, so Instagram has no `follows`."""
        user = account.options.get("ig_user_id") or account.handle
        found = self._get(account, f"{GRAPH}/{user}", {"fields": "name,username,biography,website"})
        return Profile(found.get("name") or found.get("username"), found.get("biography"), found.get("website") or None)

    def hide(self, account: AccountRef, platform_id: str) -> None:
        self.throttle.begin(account, self.platform)
        result = self._get(account, f"{GRAPH}/{platform_id}", {"hide": "true"}, method="POST")
        if not result.get("success"):
            raise ConnectorError(f"account {account.name}: Instagram did not hide comment {platform_id}")


def media_item(account: AccountRef, user: str, media: dict) -> Item:
    kind = media.get("media_type", "IMAGE")
    return Item(
        platform="instagram", platform_id=str(media["id"]), account=account.name, kind="post",
        text=media.get("caption") or "", author=Author(name=media.get("username") or account.handle, platform_id=user, is_account=True),
        created_at=parse_time(media.get("timestamp")), permalink=media.get("permalink"),
        media=[Media(type="video" if kind == "VIDEO" else "photo", url=media.get("media_url") or media.get("thumbnail_url"))],
        raw={k: v for k, v in media.items() if k != "comments"},
    )


def comment_items(account: AccountRef, user: str, comment: dict, media_id: str) -> list[Item]:
    def one(data: dict, kind: str, parent: str) -> Item:
        sender = data.get("from") or {}
        return Item(
            platform="instagram", platform_id=str(data["id"]), account=account.name, kind=kind,  # type: ignore[arg-type]
            text=data.get("text") or "", author=Author(name=data.get("username") or sender.get("username", ""), platform_id=sender.get("id"), is_account=sender.get("id") == user),
            created_at=parse_time(data.get("timestamp")), parent_id=parent, raw={k: v for k, v in data.items() if k != "replies"},
        )

    return [one(comment, "comment", media_id)] + [one(r, "reply", str(comment["id"])) for r in (comment.get("replies") or {}).get("data", [])]

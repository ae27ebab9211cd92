"""Pinterest accounts through the Pinterest API v5 (httpx, bearer token).

- boards: `GET /v5/boards` (bookmark paging): each board is a post (name and description as its
  text, `platform_id` `board-{id}`), since a board's description is public text like any caption;
- pins: `GET /v5/pins` (bookmark paging, newest first): each pin is a post with its title,
  description and link as text, and its largest image (or a video's cover) with the pin's
  `alt_text` as media.

Pinterest API v5 has no comments endpoint: comments on pins cannot be read, so this connector
returns posts only (and cannot tell a deleted comment from anything).

Incremental by time: the cursor is the newest `created_at` seen (ISO 8601); only boards and pins
created after it are returned, and pin paging stops at the first page that reaches back past it.

Account: `handle` is the Pinterest user name; `credentials["access_token"]` an OAuth token with
`boards:read` and `pins:read`; `options["base_url"]` replaces `https://api.pinterest.com`;
`fetch_deadline_seconds` / `max_response_bytes` bound a fetch. 401 is CredentialsError, 429 is
waited for (Retry-After honoured).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

import httpx

from connectors.base import AccountRef, CredentialsError, FetchResult, Profile
from connectors.http import get_json
from connectors.items import Author, Item, Media, parse_time
from connectors.limits import base_url_option
from connectors.ratelimit import Throttle
from connectors.shapes import reads_platform_shapes

ORIGIN = "https://api.pinterest.com"
API_PATH = "/v5"
PAGE_SIZE = 100
MAX_PAGES = 20


class PinterestConnector:
    platform = "pinterest"

    def __init__(self, throttle: Throttle | None = None, client: httpx.Client | None = None) -> None:
        self.throttle = throttle or Throttle()
        self.client = client or httpx.Client(timeout=30)
        self.calls = 0

    def _get(self, account: AccountRef, endpoint: str, params: dict[str, Any]) -> dict:
        token = account.credentials.get("access_token")
        if not token:
            raise CredentialsError(f"account {account.name}: no Pinterest access token configured")
        self.calls += 1
        url = base_url_option(account, ORIGIN) + API_PATH + endpoint
        return get_json(self.client, self.throttle, account, self.platform, url, params, headers={"Authorization": f"Bearer {token}"})

    def _pages(self, account: AccountRef, endpoint: str) -> Iterator[list[dict]]:
        params: dict[str, Any] = {"page_size": PAGE_SIZE}
        for _ in range(MAX_PAGES):
            page = self._get(account, endpoint, params)
            yield list(page.get("items") or [])
            bookmark = page.get("bookmark")
            if not bookmark:
                return
            params = {**params, "bookmark": bookmark}

    @reads_platform_shapes
    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        self.calls = 0
        self.throttle.begin(account, self.platform)
        since = parse_time(cursor) if cursor else None
        items: list[Item] = []
        for boards in self._pages(account, "/boards"):
            items.extend(i for i in (board_item(account, b) for b in boards) if _newer(i, since))
        for pins in self._pages(account, "/pins"):
            fresh = [i for i in (pin_item(account, p) for p in pins) if _newer(i, since)]
            items.extend(fresh)
            if since is not None and len(fresh) < len(pins):
                break  # newest first: this page already reaches back past the cursor
        times = [i.created_at for i in items if i.created_at]
        newest = max(times) if times else since
        return FetchResult(items=items, cursor=newest.isoformat() if newest else cursor, calls=self.calls, events=list(self.throttle.events))

    def profile(self, account: AccountRef) -> Profile:
        """`GET /v5/user_account`: business name (else user name), `about`, `website_url`. The v5
        API does not list whom an account follows in a way worth auditing, so there is no `follows`."""
        self.throttle.begin(account, self.platform)
        found = self._get(account, "/user_account", {})
        return Profile(found.get("business_name") or found.get("username"), found.get("about") or None, found.get("website_url") or None)


def _newer(item: Item, since: datetime | None) -> bool:
    return since is None or (item.created_at is not None and item.created_at > since)


def _image(media: dict) -> tuple[str, str | None]:
    """The media type and the URL of the largest image Pinterest lists (a video: its cover)."""
    if media.get("media_type") == "video":
        return "video", media.get("cover_image_url")
    images = media.get("images") or {}
    if not images and media.get("items"):  # multiple_images: the first image's sizes
        images = (media["items"][0] or {}).get("images") or {}
    best = max((v for v in images.values() if isinstance(v, dict)), key=lambda v: int(v.get("width") or 0), default={})
    return "photo", best.get("url")


def pin_item(account: AccountRef, pin: dict) -> Item:
    owner = str((pin.get("board_owner") or {}).get("username") or account.handle)
    kind, url = _image(pin.get("media") or {})
    text = "\n".join(str(t) for t in (pin.get("title"), pin.get("description"), pin.get("link")) if t)
    return Item(
        platform="pinterest", platform_id=str(pin["id"]), account=account.name, kind="post", text=text,
        author=Author(name=owner, platform_id=owner, is_account=owner == account.handle),
        created_at=parse_time(pin.get("created_at")), permalink=f"https://www.pinterest.com/pin/{pin['id']}/",
        media=[Media(type=kind, url=url, alt_text=pin.get("alt_text"))] if url or pin.get("alt_text") else [],  # type: ignore[arg-type]
        raw=pin,
    )


def board_item(account: AccountRef, board: dict) -> Item:
    owner = str((board.get("owner") or {}).get("username") or account.handle)
    text = "\n".join(str(t) for t in (board.get("name"), board.get("description")) if t)
    return Item(
        platform="pinterest", platform_id=f"board-{board['id']}", account=account.name, kind="post", text=text,
        author=Author(name=owner, platform_id=owner, is_account=owner == account.handle),
        created_at=parse_time(board.get("created_at")), permalink=f"https://www.pinterest.com/{owner}/", raw=board,
    )

"""LinkedIn organization pages through the Community Management API (httpx, versioned REST).

- posts: `GET /rest/posts?author=urn:li:organization:{id}&q=author&sortBy=CREATED` (newest first,
  `start`/`count` paging); each post is a post: its `commentary` as text, its image's `altText`
  as media (LinkedIn gives image URNs, not URLs: resolving them needs the Images API, so
  `Media.url` stays empty);
- comments: `GET /rest/socialActions/{post urn}/comments` for each post of the look-back window,
  and the replies to a comment (`/rest/socialActions/{comment urn}/comments`) when its
  `commentsSummary` counts any. A comment names its author by URN only (`urn:li:person:...`):
  member names need the profile API, which organization tokens do not get.

Every request carries `LinkedIn-Version` (option `linkedin_version`, default 202510) and
`X-Restli-Protocol-Version: 2.0.0`, and the token as a bearer header.

Incremental by time: the cursor is the newest creation time seen (milliseconds since the epoch,
LinkedIn's own unit); posts are read back to `lookback_days` (option, default 7) before it for
new comments, and only items newer than it are returned. A deleted comment is simply absent:
the API cannot tell it from paging.

Access needs LinkedIn's approval of the app for the Community Management API
(`r_organization_social`); this connector is built and tested against the documented response
shapes (cassettes/linkedin/), not against a live organization.

Account: `handle` is the organization's numeric id; `credentials["access_token"]`;
`options["base_url"]` replaces `https://api.linkedin.com`; `options["page_size"]` posts per call
(default 50); `fetch_deadline_seconds` /
`max_response_bytes` bound a fetch. HTTP 401 is CredentialsError, 429 is waited for.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import httpx

from connectors.base import AccountRef, CredentialsError, FetchResult, Profile
from connectors.http import get_json
from connectors.items import Author, Item, Media
from connectors.limits import base_url_option
from connectors.ratelimit import Throttle
from connectors.shapes import reads_platform_shapes

ORIGIN = "https://api.linkedin.com"
DEFAULT_VERSION = "202510"
POSTS_PAGE = 50
COMMENTS_PAGE = 100
MAX_PAGES = 20
DAY_MS = 86400 * 1000


class LinkedInConnector:
    platform = "linkedin"

    def __init__(self, throttle: Throttle | None = None, client: httpx.Client | None = None) -> None:
        self.throttle = throttle or Throttle()
        self.client = client or httpx.Client(timeout=30)
        self.calls = 0

    def _get(self, account: AccountRef, path: str, query: dict[str, Any]) -> dict:
        token = account.credentials.get("access_token")
        if not token:
            raise CredentialsError(f"account {account.name}: no LinkedIn access token configured")
        self.calls += 1
        headers = {
            "Authorization": f"Bearer {token}",
            "LinkedIn-Version": str(account.options.get("linkedin_version", DEFAULT_VERSION)),
            "X-Restli-Protocol-Version": "2.0.0",
        }
        # Rest.li wants URNs in the query percent-encoded whole (":" too), which httpx leaves as is
        encoded = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in query.items())
        url = f"{base_url_option(account, ORIGIN)}/rest/{path}" + (f"?{encoded}" if encoded else "")
        return get_json(self.client, self.throttle, account, self.platform, url, headers=headers)

    def _paged(self, account: AccountRef, path: str, query: dict[str, Any], count: int, stop_before: int = 0) -> list[dict]:
        found: list[dict] = []
        for page in range(MAX_PAGES):
            answer = self._get(account, path, {**query, "start": page * count, "count": count})
            elements = list(answer.get("elements") or [])
            found.extend(elements)
            if len(elements) < count or (stop_before and elements and _created(elements[-1]) < stop_before):
                break
        return found

    @reads_platform_shapes
    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        self.calls = 0
        self.throttle.begin(account, self.platform)
        org = f"urn:li:organization:{account.handle}"
        after = int(cursor) if cursor else 0
        window = max(0, after - int(account.options.get("lookback_days", 7)) * DAY_MS) if after else 0
        items: list[Item] = []
        page_size = int(account.options.get("page_size", POSTS_PAGE))
        posts = self._paged(account, "posts", {"author": org, "q": "author", "sortBy": "CREATED"}, page_size, window)
        for post in posts:
            if window and _created(post) < window:
                continue
            items.append(post_item(account, org, post))
            for comment in self._comments(account, str(post["id"])):
                items.append(comment_item(account, org, str(post["id"]), comment))
                if ((comment.get("commentsSummary") or {}).get("totalFirstLevelComments") or 0) > 0:
                    urn = comment.get("commentUrn") or comment["id"]
                    items.extend(comment_item(account, org, str(urn), reply, kind="reply") for reply in self._comments(account, str(urn)))
        items = [i for i in items if _ms(i) > after]
        newest = max([after, *(_ms(i) for i in items)])
        return FetchResult(items=items, cursor=str(newest) if newest else cursor, calls=self.calls, events=list(self.throttle.events))

    def profile(self, account: AccountRef) -> Profile:
        """`GET /rest/organizations/{id}`: `localizedName`, the description in its preferred
        locale, `localizedWebsite` (needs an administrator's token). No `follows`: an
        organization's followed pages are not in the API."""
        self.throttle.begin(account, self.platform)
        found = self._get(account, f"organizations/{account.handle}", {})
        description = found.get("localizedDescription")
        if not description:
            localized = ((found.get("description") or {}).get("localized") or {})
            description = next(iter(localized.values()), None) if isinstance(localized, dict) else None
        return Profile(found.get("localizedName"), description or None, found.get("localizedWebsite") or None)

    def _comments(self, account: AccountRef, urn: str) -> list[dict]:
        return self._paged(account, f"socialActions/{quote(urn, safe='')}/comments", {}, COMMENTS_PAGE)


def _created(element: dict) -> int:
    created = element.get("createdAt", (element.get("created") or {}).get("time"))
    return int(created or 0)


def _when(ms: int) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000, timezone.utc) if ms else None


def _ms(item: Item) -> int:
    return int(round(item.created_at.timestamp() * 1000)) if item.created_at else 0


def _media(content: dict) -> list[Media]:
    media: list[Media] = []
    single = content.get("media")
    if isinstance(single, dict):
        is_video = "video" in str(single.get("id", ""))
        media.append(Media(type="video" if is_video else "photo", alt_text=single.get("altText") or single.get("title")))
    for image in (content.get("multiImage") or {}).get("images") or []:
        media.append(Media(type="photo", alt_text=image.get("altText")))
    return media


def post_item(account: AccountRef, org: str, post: dict) -> Item:
    article = (post.get("content") or {}).get("article") or {}
    text = "\n".join(str(t) for t in (post.get("commentary"), article.get("title"), article.get("description")) if t)
    author = str(post.get("author") or org)
    return Item(
        platform="linkedin", platform_id=str(post["id"]), account=account.name, kind="post", text=text,
        author=Author(name=author, platform_id=author, is_account=author == org),
        created_at=_when(_created(post)), permalink=f"https://www.linkedin.com/feed/update/{post['id']}/",
        media=_media(post.get("content") or {}), raw=post,
    )


def comment_item(account: AccountRef, org: str, parent: str, comment: dict, kind: str = "comment") -> Item:
    actor = str(comment.get("actor") or (comment.get("created") or {}).get("actor") or "")
    urn = str(comment.get("commentUrn") or comment["id"])
    target = str(comment.get("object") or parent)
    images = [Media(type="photo", url=c.get("url")) for c in comment.get("content") or [] if isinstance(c, dict) and c.get("type") == "IMAGE"]
    return Item(
        platform="linkedin", platform_id=urn, account=account.name, kind=kind,  # type: ignore[arg-type]
        text=str((comment.get("message") or {}).get("text") or ""), author=Author(name=actor, platform_id=actor or None, is_account=actor == org),
        created_at=_when(_created(comment)), parent_id=parent,
        permalink=f"https://www.linkedin.com/feed/update/{target}/?commentUrn={quote(urn, safe='')}", media=images, raw=comment,
    )

"""YouTube channels through the YouTube Data API v3 (httpx).

- uploads: `channels?part=contentDetails` once (the uploads playlist id is kept in the cursor),
  then `playlistItems?playlistId=UU...` newest first, paging only while items are newer than the cursor;
- comments: `commentThreads?allThreadsRelatedToChannelId=...&order=time&part=snippet,replies`,
  newest first, top-level comments with their first replies, paging only while newer than the cursor.
An empty poll costs one call per endpoint (playlistItems, commentThreads).

Account: `options["channel_id"]` (or `handle`); `credentials["api_key"]` or an OAuth
`credentials["access_token"]`; `options["base_url"]` replaces `https://www.googleapis.com` (a
mirror, a local test server), and `options["fetch_deadline_seconds"]` /
`options["max_response_bytes"]` bound a fetch (connectors/limits.py).

Quota: every list call costs 1 unit of the project's daily 10,000, reported in
`FetchResult.usage["youtube_quota_units"]` (monitor.usage counts it per account and Pacific day).

Moderator actions, with the channel owner's OAuth token (`credentials["access_token"]`, scope
`youtube.force-ssl`; an API key cannot moderate): `moderate(account, comment_id, status, ban_author)`
is `POST comments/setModerationStatus` (`heldForReview` or `rejected`; 50 quota units). The queue's
`hide` holds a comment for review (the channel can still publish it), `delete` rejects it.
`last_usage` says what the last action cost.
"""
from __future__ import annotations

import json
import re
from typing import Any, Literal

import httpx

from connectors.base import AccountRef, ConnectorError, CredentialsError, FetchResult, Followed, Profile, ResponseError
from connectors.http import get_json
from connectors.limits import base_url_option
from connectors.items import Author, Item, Media, parse_time
from connectors.ratelimit import Throttle
from connectors.shapes import reads_platform_shapes

ORIGIN = "https://www.googleapis.com"
API_PATH = "/youtube/v3"
API = ORIGIN + API_PATH
MAX_PAGES = 5
ModerationStatus = Literal["heldForReview", "rejected"]
MODERATION_STATUSES: tuple[str, ...] = ("heldForReview", "rejected")
MODERATION_UNITS = 50  # comments.setModerationStatus's quota cost
LINK = re.compile(r"https?://[^\s<>\"')]+")


class YouTubeConnector:
    platform = "youtube"

    def __init__(self, throttle: Throttle | None = None, client: httpx.Client | None = None) -> None:
        self.throttle = throttle or Throttle()
        self.client = client or httpx.Client(timeout=30)
        self.calls = 0
        self.last_usage: dict[str, int] = {}

    def _get(self, account: AccountRef, endpoint: str, params: dict[str, Any], *, method: str = "GET", oauth: bool = False) -> dict:
        creds = account.credentials
        if oauth:
            if not creds.get("access_token"):
                raise CredentialsError(f"account {account.name}: YouTube moderation needs the channel owner's OAuth token (credentials.access_token); an API key cannot moderate")
            headers = {"Authorization": f"Bearer {creds['access_token']}"}
        elif creds.get("api_key"):
            params = {**params, "key": creds["api_key"]}
            headers = {}
        elif creds.get("access_token"):
            headers = {"Authorization": f"Bearer {creds['access_token']}"}
        else:
            raise CredentialsError(f"account {account.name}: no YouTube API key or token configured")
        self.calls += 1
        api = base_url_option(account, ORIGIN) + API_PATH
        return get_json(self.client, self.throttle, account, "youtube", f"{api}/{endpoint}", params, method=method, headers=headers)

    def moderate(self, account: AccountRef, comment_id: str, status: ModerationStatus, ban_author: bool = False) -> None:
        """comments.setModerationStatus: hold a comment for review or reject it (optionally banning its author)."""
        if status not in MODERATION_STATUSES:
            raise ConnectorError(f"account {account.name}: YouTube moderation status must be one of {', '.join(MODERATION_STATUSES)}, not {status!r}")
        self.throttle.begin(account, self.platform)
        params: dict[str, Any] = {"id": comment_id, "moderationStatus": status}
        if ban_author:
            if status != "rejected":
                raise ConnectorError(f"account {account.name}: YouTube bans an author only together with rejecting the comment")
            params["banAuthor"] = "true"
        self.last_usage = {}
        self._get(account, "comments/setModerationStatus", params, method="POST", oauth=True)
        self.last_usage = {"youtube_quota_units": MODERATION_UNITS}

    def hide(self, account: AccountRef, platform_id: str) -> None:
        """The queue's hide: held for review (not public until the channel publishes it)."""
        self.moderate(account, platform_id, "heldForReview")

    def delete(self, account: AccountRef, platform_id: str) -> None:
        """The queue's delete: rejected (removed from the video)."""
        self.moderate(account, platform_id, "rejected")

    @reads_platform_shapes
    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        self.calls = 0
        self.throttle.begin(account, self.platform)
        channel = account.options.get("channel_id") or account.handle
        state: dict[str, Any] = json.loads(cursor) if cursor else {}
        since = parse_time(state.get("since"))
        uploads = state.get("uploads")
        if not uploads:
            found = self._get(account, "channels", {"part": "contentDetails", "id": channel})
            uploads = ((found.get("items") or [{}])[0].get("contentDetails") or {}).get("relatedPlaylists", {}).get("uploads")
        items: list[Item] = []
        if uploads:
            for entry in self._newer(account, "playlistItems", {"part": "snippet,contentDetails", "playlistId": uploads, "maxResults": 50}, since, _video_time):
                items.append(video_item(account, channel, entry))
        for thread in self._newer(account, "commentThreads", {"part": "snippet,replies", "allThreadsRelatedToChannelId": channel, "order": "time", "maxResults": 100}, since, _thread_time):
            items.extend(i for i in thread_items(account, channel, thread) if since is None or (i.created_at and i.created_at > since))
        times = [i.created_at for i in items if i.created_at]
        newest = max(times) if times else since
        state = {"uploads": uploads, "since": newest.isoformat() if newest else None}
        return FetchResult(items=items, cursor=json.dumps(state, sort_keys=True), calls=self.calls, events=list(self.throttle.events), usage={"youtube_quota_units": self.calls})

    def profile(self, account: AccountRef) -> Profile:
        self.throttle.begin(account, self.platform)  # a fresh deadline and budget, not an old fetch's
        """channels?part=snippet: the title and description. The Data API does not return a
        channel's header links, so the website is the first web link in the description."""
        channel = account.options.get("channel_id") or account.handle
        found = self._get(account, "channels", {"part": "snippet", "id": channel})
        items = found.get("items") or []
        if not items:
            raise ResponseError(f"account {account.name}: YouTube returned no channel {channel}")
        snippet = items[0].get("snippet") or {}
        description = snippet.get("description") or None
        link = LINK.search(description or "")
        return Profile(snippet.get("title"), description, link.group(0).rstrip(".,;") if link else None)

    def follows(self, account: AccountRef) -> list[Followed]:
        """subscriptions?part=snippet&channelId=...: the channels this channel subscribes to (public ones)."""
        self.throttle.begin(account, self.platform)  # a fresh deadline and budget, not an old fetch's
        channel = account.options.get("channel_id") or account.handle
        params: dict[str, Any] = {"part": "snippet", "channelId": channel, "maxResults": 50}
        followed: list[Followed] = []
        for _ in range(MAX_PAGES):
            page = self._get(account, "subscriptions", params)
            for entry in page.get("items") or []:
                snippet = entry.get("snippet") or {}
                followed.append(Followed(str(snippet.get("title") or ""), str((snippet.get("resourceId") or {}).get("channelId") or "")))
            token = page.get("nextPageToken")
            if not token:
                break
            params = {**params, "pageToken": token}
        return followed

    def _newer(self, account: AccountRef, endpoint: str, params: dict[str, Any], since: Any, when: Any) -> list[dict]:
        """Entries newer than `since` from a newest-first list, stopping at the first older one."""
        found: list[dict] = []
        for _ in range(MAX_PAGES):
            page = self._get(account, endpoint, params)
            for entry in page.get("items", []):
                if since is not None and (when(entry) is None or when(entry) <= since):
                    return found
                found.append(entry)
            token = page.get("nextPageToken")
            if not token:
                break
            params = {**params, "pageToken": token}
        return found


def _video_time(entry: dict) -> Any:
    return parse_time((entry.get("contentDetails") or {}).get("videoPublishedAt") or (entry.get("snippet") or {}).get("publishedAt"))


def _thread_time(thread: dict) -> Any:
    # a thread sorts by its latest activity, so a new reply on an old comment still counts as new
    top = ((thread.get("snippet") or {}).get("topLevelComment") or {}).get("snippet") or {}
    replies = [(r.get("snippet") or {}).get("publishedAt") for r in (thread.get("replies") or {}).get("comments", [])]
    return max((t for t in (parse_time(x) for x in [top.get("publishedAt"), top.get("updatedAt"), *replies]) if t), default=None)


def video_item(account: AccountRef, channel: str, entry: dict) -> Item:
    snippet = entry.get("snippet") or {}
    video_id = (entry.get("contentDetails") or {}).get("videoId") or (snippet.get("resourceId") or {}).get("videoId") or entry["id"]
    thumb = ((snippet.get("thumbnails") or {}).get("high") or {}).get("url")
    return Item(
        platform="youtube", platform_id=str(video_id), account=account.name, kind="post",
        text="\n".join(t for t in (snippet.get("title"), snippet.get("description")) if t),
        author=Author(name=snippet.get("channelTitle", ""), platform_id=snippet.get("channelId", channel), is_account=True),
        created_at=_video_time(entry), permalink=f"https://www.youtube.com/watch?v={video_id}",
        media=[Media(type="video", url=thumb)], raw=entry,
    )


def thread_items(account: AccountRef, channel: str, thread: dict) -> list[Item]:
    def one(comment: dict, kind: str, parent: str | None) -> Item:
        s = comment.get("snippet") or {}
        author_id = (s.get("authorChannelId") or {}).get("value")
        return Item(
            platform="youtube", platform_id=str(comment["id"]), account=account.name, kind=kind,  # type: ignore[arg-type]
            text=s.get("textOriginal") or s.get("textDisplay") or "",
            author=Author(name=s.get("authorDisplayName", ""), platform_id=author_id, is_account=author_id == channel),
            created_at=parse_time(s.get("publishedAt")), parent_id=parent,
            permalink=f"https://www.youtube.com/watch?v={s.get('videoId')}&lc={comment['id']}" if s.get("videoId") else None, raw=comment,
        )

    snippet = thread.get("snippet") or {}
    top = snippet.get("topLevelComment") or {}
    video = snippet.get("videoId")
    items = [one(top, "comment", video)]
    items += [one(r, "reply", str(top.get("id"))) for r in (thread.get("replies") or {}).get("comments", [])]
    return items

"""Flickr accounts through the Flickr REST API (httpx; `flickrapi` is unmaintained since 2018).

- photos: `flickr.people.getPhotos` (newest upload first, `page`/`pages` paging) with the extras
  `description,date_upload,owner_name,url_l,url_m,media`; each photo is a post: title and
  description as its text, the `url_l` (else `url_m`) image as its media;
- people tags: `flickr.photos.people.getList` for each new photo: the people tagged in it go into
  `Media.tagged`, so the tagged-student check sees them;
- comments: `flickr.photos.comments.getList` (`min_comment_date` = the cursor) for each photo
  uploaded within `lookback_days` (option, default 7) of the cursor, so a new comment on a recent
  photo is found; comments are kind comment with the photo as parent.

Incremental by time: the cursor is the newest upload or comment time seen (unix seconds); only
items newer than it are returned. An empty poll costs one getPhotos call plus one comments call
per photo of the look-back window; the first poll reads every photo (at most 20 pages of 100) with
two calls each (people, comments), so a large back catalogue takes a while under Flickr's 3,600
calls an hour per key: the Throttle waits on each 429 as Flickr asks. People tagged later on an
already-stored photo are not re-read.

Account: `handle` is the user's NSID (`12345678@N01`); `credentials["api_key"]` reads public
photos; with `consumer_secret`, `access_token` and `access_token_secret` too, every request is
signed with OAuth 1.0a (oauthlib) and private photos are read as well. `options["base_url"]`
replaces `https://api.flickr.com`; `fetch_deadline_seconds` / `max_response_bytes` bound a fetch.

Flickr answers errors with HTTP 200 and `{"stat": "fail", "code": N}`: 98 (invalid auth token),
99 (insufficient permissions) and 100 (invalid API key) are CredentialsError; 105 (service
unavailable) and anything else a ResponseError; HTTP 429 is waited for (Retry-After honoured).
Flickr lists no deleted comments: a comment deleted between two polls is simply absent.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

import httpx
from oauthlib import oauth1

from connectors.base import AccountRef, CredentialsError, FetchResult, Profile, ResponseError
from connectors.http import get_json
from connectors.items import Author, Item, Media
from connectors.limits import base_url_option
from connectors.ratelimit import Throttle
from connectors.shapes import reads_platform_shapes

ORIGIN = "https://api.flickr.com"
REST_PATH = "/services/rest/"
EXTRAS = "description,date_upload,owner_name,url_l,url_m,media"
PER_PAGE = 100
MAX_PAGES = 20
DAY = 86400
CREDENTIAL_CODES = {98: "invalid auth token", 99: "insufficient permissions", 100: "invalid API key"}


class FlickrConnector:
    platform = "flickr"

    def __init__(self, throttle: Throttle | None = None, client: httpx.Client | None = None) -> None:
        self.throttle = throttle or Throttle()
        self.client = client or httpx.Client(timeout=30)
        self.calls = 0

    def _call(self, account: AccountRef, method: str, params: dict[str, Any]) -> dict:
        """One REST method; `stat: fail` answers become the connector errors."""
        creds = account.credentials
        if not creds.get("api_key"):
            raise CredentialsError(f"account {account.name}: no Flickr api_key configured")
        query = {"method": method, "format": "json", "nojsoncallback": "1", **{k: str(v) for k, v in params.items()}, "api_key": creds["api_key"]}
        url = base_url_option(account, ORIGIN) + REST_PATH + "?" + urlencode(query)
        if creds.get("access_token"):
            if not (creds.get("consumer_secret") and creds.get("access_token_secret")):
                raise CredentialsError(f"account {account.name}: Flickr OAuth needs consumer_secret, access_token and access_token_secret together")
            signer = oauth1.Client(
                creds["api_key"], client_secret=creds["consumer_secret"],
                resource_owner_key=creds["access_token"], resource_owner_secret=creds["access_token_secret"],
                signature_type=oauth1.SIGNATURE_TYPE_QUERY,
            )
            url, _, _ = signer.sign(url, http_method="GET")
        self.calls += 1
        data = get_json(self.client, self.throttle, account, self.platform, url)
        if data.get("stat") == "fail":
            code = data.get("code")
            if code in CREDENTIAL_CODES:
                raise CredentialsError(f"account {account.name}: Flickr refused the credentials (code {code}, {CREDENTIAL_CODES[code]}); renew them")
            if code == 105:
                raise ResponseError(f"account {account.name}: Flickr API unavailable (code 105); the next run tries again")
            raise ResponseError(f"account {account.name}: Flickr API error code {code}")
        if data.get("stat") != "ok":
            raise ResponseError(f"account {account.name}: Flickr sent an answer without stat ok/fail")
        return data

    @reads_platform_shapes
    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        self.calls = 0
        self.throttle.begin(account, self.platform)
        after = int(cursor) if cursor else 0
        window = max(0, after - int(account.options.get("lookback_days", 7)) * DAY) if after else 0
        items: list[Item] = []
        newest = after
        for photo in self._photos(account, window):
            uploaded = int(photo.get("dateupload") or 0)
            tagged: list[str] = []
            if uploaded > after:
                tagged = self._people(account, str(photo["id"]))
                items.append(photo_item(account, photo, tagged))
                newest = max(newest, uploaded)
            for comment in self._comments(account, str(photo["id"]), after):
                created = int(comment.get("datecreate") or 0)
                if created > after:
                    items.append(comment_item(account, photo, comment))
                    newest = max(newest, created)
        return FetchResult(items=items, cursor=str(newest) if newest else cursor, calls=self.calls, events=list(self.throttle.events))

    def profile(self, account: AccountRef) -> Profile:
        """`flickr.profile.getProfile`: first and last name (an organization's display name),
        `profile_description`, `website`. Flickr's contact list is private, so there is no `follows`."""
        self.throttle.begin(account, self.platform)
        found = self._call(account, "flickr.profile.getProfile", {"user_id": account.handle}).get("profile") or {}
        name = " ".join(str(found[k]) for k in ("first_name", "last_name") if found.get(k)) or None
        return Profile(name, found.get("profile_description") or None, found.get("website") or None)

    def _photos(self, account: AccountRef, window: int) -> list[dict]:
        params: dict[str, Any] = {"user_id": account.handle, "extras": EXTRAS, "per_page": PER_PAGE}
        if window:
            params["min_upload_date"] = window
        photos: list[dict] = []
        for page in range(1, MAX_PAGES + 1):
            found = self._call(account, "flickr.people.getPhotos", {**params, "page": page})["photos"]
            photos.extend(found.get("photo") or [])
            if page >= int(found.get("pages") or 1):
                break
        return photos

    def _people(self, account: AccountRef, photo_id: str) -> list[str]:
        people = self._call(account, "flickr.photos.people.getList", {"photo_id": photo_id}).get("people") or {}
        return [str(p.get("realname") or p.get("username") or "") for p in people.get("person") or [] if p.get("realname") or p.get("username")]

    def _comments(self, account: AccountRef, photo_id: str, after: int) -> list[dict]:
        params: dict[str, Any] = {"photo_id": photo_id}
        if after:
            params["min_comment_date"] = after
        comments = self._call(account, "flickr.photos.comments.getList", params).get("comments") or {}
        return list(comments.get("comment") or [])


def _when(unix: Any) -> datetime | None:
    return datetime.fromtimestamp(int(unix), timezone.utc) if unix else None


def _content(value: Any) -> str:
    """Flickr wraps text as `{"_content": ...}`; a plain string is taken as is."""
    if isinstance(value, dict):
        return str(value.get("_content") or "")
    return str(value or "")


def photo_item(account: AccountRef, photo: dict, tagged: list[str]) -> Item:
    """A photo of `flickr.people.getPhotos` (with the extras) as a post; `tagged` from people.getList."""
    owner = str(photo.get("owner") or account.handle)
    text = "\n".join(t for t in (_content(photo.get("title")), _content(photo.get("description"))) if t)
    kind = "video" if photo.get("media") == "video" else "photo"
    return Item(
        platform="flickr", platform_id=str(photo["id"]), account=account.name, kind="post", text=text,
        author=Author(name=str(photo.get("ownername") or owner), platform_id=owner, is_account=owner == account.handle),
        created_at=_when(photo.get("dateupload")), permalink=f"https://www.flickr.com/photos/{owner}/{photo['id']}/",
        media=[Media(type=kind, url=photo.get("url_l") or photo.get("url_m"), tagged=tuple(tagged))], raw=photo,
    )


def comment_item(account: AccountRef, photo: dict, comment: dict) -> Item:
    author = str(comment.get("author") or "")
    return Item(
        platform="flickr", platform_id=str(comment["id"]), account=account.name, kind="comment",
        text=_content(comment), author=Author(name=str(comment.get("realname") or comment.get("authorname") or author), platform_id=author or None, is_account=author == account.handle),
        created_at=_when(comment.get("datecreate")), parent_id=str(photo["id"]), permalink=comment.get("permalink"), raw=comment,
    )

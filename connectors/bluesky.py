"""Bluesky accounts through the AT Protocol with the `atproto` SDK (its Client, typed models and errors).

Per poll, after `com.atproto.server.createSession` with the account's app password:
- posts:    `app.bsky.feed.getAuthorFeed` (actor = the account), newest first, `cursor` paging,
            stopping at the first post not newer than the stored time (reposts are not the account's words);
- replies:  `app.bsky.feed.getPostThread` of the account's WATCH newest posts, every reply in the tree
            newer than the stored time (a direct reply to the account's post is a `comment`, a reply
            to a reply a `reply`, as on the other platforms);
- mentions: `app.bsky.notification.listNotifications`, reasons `mention` and `reply`, `cursor` paging.
The cursor keeps the newest times seen and the watched post URIs; never a token.

The SDK's HTTP layer is replaced by `_BudgetRequest`, a subclass of its `Request` that sends through
httpx with `connectors.limits.read_httpx`, so every body is streamed under the account's deadline and
size cap and vcrpy sees the calls; the SDK's own error types and models are used as they are. Bluesky
sends `ratelimit-remaining`/`ratelimit-reset` (unix seconds): a 429 waits until that reset or
Retry-After. An `ExpiredToken` answer refreshes the session once (`refreshSession`); a refused app
password or refresh is a CredentialsError.

Account: `handle` (`maplegrove.bsky.social`); `credentials["app_password"]` (an app password, never
the main one); `options["base_url"]` replaces `https://bsky.social` and pins every call there (a
local test server; otherwise the session's own PDS from its DID document is used, as the SDK does).

Moderator action: `hide(account, reply_uri)` adds the reply to the root post's threadgate
(`app.bsky.feed.threadgate`, `hiddenReplies`, via `com.atproto.repo.putRecord`), keeping the gate's
other rules; only replies in the account's own threads can be hidden.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Callable

import httpx
from atproto import Client, exceptions as at_errors
from atproto_core.exceptions import AtProtocolError
from atproto_client.models.utils import get_model_as_dict
from atproto_client.request import Request, _handle_response

from connectors.base import AccountRef, ConnectorError, CredentialsError, FetchResult, ResponseError
from connectors.items import Author, Item, Media, parse_time
from connectors.limits import FetchBudget, base_url_option, rate_limit_wait, read_httpx
from connectors.ratelimit import Throttle
from connectors.shapes import reads_platform_shapes

ORIGIN = "https://bsky.social"
PAGE_SIZE = 50
MAX_PAGES = 5
WATCH = 5  # replies are looked for under the account's newest N posts (one getPostThread each)
HIDDEN_REPLIES_MAX = 300  # the threadgate lexicon's limit
THREADGATE = "app.bsky.feed.threadgate"


class _BudgetRequest(Request):
    """The SDK's Request, but each call streamed under the account's FetchBudget (deadline, size cap)."""

    def __init__(self, client: httpx.Client) -> None:
        super().__init__()
        self._client.close()
        self._client = client
        self.budget: FetchBudget | None = None
        self.last_status = 0
        self.last_headers: dict[str, str] = {}

    def _new_instance(self) -> "_BudgetRequest":
        clone = type(self)(self._client)
        clone.budget = self.budget
        return clone

    def _send_request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        if self.budget is None:
            raise ConnectorError("a Bluesky request was made without a fetch budget (a connector bug)")
        headers = self.get_headers(kwargs.pop("headers", None))
        budget = self.budget
        try:
            answer = read_httpx(self._client, budget, method, url, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            budget.check()  # a read that timed out at the deadline is the deadline's failure
            raise ResponseError(f"account {budget.account}: Bluesky unreachable ({type(exc).__name__})") from None
        self.last_status, self.last_headers = answer.status_code, dict(answer.headers)
        if answer.status_code == 503 and rate_limit_wait(503, answer.headers) is None:
            raise ResponseError(f"account {budget.account}: Bluesky unavailable (HTTP 503 without Retry-After); the next run tries again")
        if 200 <= answer.status_code < 300 and "json" in answer.headers.get("content-type", ""):
            try:
                json.loads(answer.content)
            except ValueError:
                raise ResponseError(f"account {budget.account}: Bluesky sent a body that is not whole JSON (cut off or malformed)") from None
        response = httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)
        return _handle_response(response)


class _PinnedClient(Client):
    """The SDK client; with `pinned`, the session's DID document does not move calls off the base URL."""

    pinned = False

    def _update_pds_endpoint(self, pds_endpoint: str) -> None:
        if not self.pinned:
            super()._update_pds_endpoint(pds_endpoint)


class BlueskyConnector:
    platform = "bluesky"

    def __init__(self, throttle: Throttle | None = None, client: httpx.Client | None = None) -> None:
        self.throttle = throttle or Throttle()
        self.request = _BudgetRequest(client or httpx.Client(timeout=30))
        self.calls = 0

    def _login(self, account: AccountRef) -> _PinnedClient:
        password = account.credentials.get("app_password")
        if not password:
            raise CredentialsError(f"account {account.name}: no Bluesky app password configured")
        self.request.budget = self.throttle.budget_for(account, self.platform)
        base = base_url_option(account, ORIGIN)
        client = _PinnedClient(base_url=f"{base}/xrpc", request=self.request)
        client.pinned = bool(account.options.get("base_url"))
        try:
            self._call(account, lambda: client.login(account.handle, password, fetch_bsky_profile=False), relogin=None)
        except CredentialsError:
            raise CredentialsError(f"account {account.name}: Bluesky refused the app password (createSession); make a new app password") from None
        return client

    def _call(self, account: AccountRef, fn: Callable[[], Any], relogin: _PinnedClient | None) -> Any:
        """One SDK call with rate-limit waits; an expired access token is refreshed once, then tried again."""
        def once() -> Any:
            self.calls += 1
            return fn()

        def limited(exc: BaseException) -> float | None:
            if isinstance(exc, at_errors.RequestException) and self.request.last_status == 503:
                return rate_limit_wait(503, self.request.last_headers, self.throttle.now)  # only a 503 with Retry-After gets here
            if not isinstance(exc, at_errors.RateLimitExceededError):
                return None
            return _reset_wait(self.request.last_status, self.request.last_headers, self.throttle.now)

        try:
            try:
                return self.throttle.call(self.platform, once, limited)
            except at_errors.BadRequestError as exc:
                if relogin is None or _error_name(exc) not in ("ExpiredToken", "InvalidToken"):
                    raise
                self.calls += 1
                relogin._refresh_and_set_session()  # refreshSession with the refresh token
                return self.throttle.call(self.platform, once, limited)
        except at_errors.UnauthorizedError:
            raise CredentialsError(f"account {account.name}: Bluesky session refused (401); renew the app password") from None
        except at_errors.BadRequestError as exc:
            name = _error_name(exc)
            if name in ("ExpiredToken", "InvalidToken", "AuthenticationRequired", "AccountTakedown"):
                raise CredentialsError(f"account {account.name}: Bluesky session expired and could not be renewed ({name}); renew the app password") from None
            raise ResponseError(f"account {account.name}: Bluesky answered HTTP 400 ({name or 'no error name'})") from None
        except (at_errors.InvokeTimeoutError, at_errors.NetworkError) as exc:
            self.request.budget.check() if self.request.budget else None
            raise ResponseError(f"account {account.name}: Bluesky unreachable or failing ({type(exc).__name__})") from None
        except at_errors.RequestException as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None) or self.request.last_status
            raise ResponseError(f"account {account.name}: Bluesky answered HTTP {status}") from None
        except at_errors.ModelError:
            raise ResponseError(f"account {account.name}: Bluesky sent a response of an unexpected shape") from None
        except AtProtocolError as exc:  # e.g. a session token that is not a JWT
            raise ResponseError(f"account {account.name}: Bluesky sent something the SDK cannot read ({type(exc).__name__})") from None

    @reads_platform_shapes
    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        self.calls = 0
        self.throttle.begin(account, self.platform)
        client = self._login(account)
        did = client.me.did if client.me else client._session.did  # type: ignore[union-attr]
        state: dict[str, Any] = json.loads(cursor) if cursor else {}
        since_posts, since_replies, since_notes = (parse_time(state.get(k)) for k in ("posts", "replies", "mentions"))
        items: dict[str, Item] = {}

        posts = self._newer(account, client, lambda c: client.app.bsky.feed.get_author_feed({"actor": did, "limit": PAGE_SIZE, "cursor": c}), "feed", since_posts, lambda f: f.post.indexed_at)
        own = [f.post for f in posts if f.post.author.did == did and f.reason is None]
        for post in own:
            items.setdefault(post.uri, post_item(account, did, post))
        watched = _newest_uris([(p.uri, p.indexed_at) for p in own] + [tuple(w) for w in state.get("watch", [])])
        newest_reply = since_replies
        for uri, _ in watched:
            thread = self._call(account, lambda u=uri: client.app.bsky.feed.get_post_thread({"uri": u, "depth": 10, "parent_height": 0}), client)
            for reply in _replies(thread.thread):
                when = parse_time(reply.indexed_at)
                if since_replies is not None and (when is None or when <= since_replies):
                    continue
                items.setdefault(reply.uri, post_item(account, did, reply))
                newest_reply = max(filter(None, (newest_reply, when)), default=None)
        notes = self._newer(account, client, lambda c: client.app.bsky.notification.list_notifications({"limit": PAGE_SIZE, "cursor": c}), "notifications", since_notes, lambda n: n.indexed_at)
        for note in notes:
            if note.reason in ("mention", "reply") and note.uri not in items:
                items[note.uri] = notification_item(account, did, note)
        new_state = {
            "posts": _iso(max(filter(None, [since_posts, *(parse_time(p.indexed_at) for p in own)]), default=None)),
            "replies": _iso(newest_reply),
            "mentions": _iso(max(filter(None, [since_notes, *(parse_time(n.indexed_at) for n in notes)]), default=None)),
            "watch": [list(w) for w in watched],
        }
        return FetchResult(items=list(items.values()), cursor=json.dumps(new_state, sort_keys=True), calls=self.calls, events=list(self.throttle.events))

    def _newer(self, account: AccountRef, client: _PinnedClient, call: Callable[[str | None], Any], field: str, since: datetime | None, when: Callable[[Any], str]) -> list[Any]:
        """Entries of a newest-first list newer than `since`, following `cursor` at most MAX_PAGES pages."""
        found: list[Any] = []
        page_cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = self._call(account, lambda c=page_cursor: call(c), client)
            for entry in getattr(page, field) or []:
                moment = parse_time(when(entry))
                if since is not None and (moment is None or moment <= since):
                    return found
                found.append(entry)
            page_cursor = page.cursor
            if not page_cursor or not getattr(page, field):
                break
            if since is None:
                break  # a first poll reads one page of history, not the whole account
        return found

    def hide(self, account: AccountRef, platform_id: str) -> None:
        """Hide a reply in the account's own thread: add it to the root post's threadgate `hiddenReplies`."""
        self.calls = 0
        self.throttle.begin(account, self.platform)
        client = self._login(account)
        did = client._session.did  # type: ignore[union-attr]
        found = self._call(account, lambda: client.app.bsky.feed.get_posts({"uris": [platform_id]}), client)
        if not found.posts:
            raise ConnectorError(f"account {account.name}: Bluesky has no post {platform_id} (deleted already?)")
        reply = getattr(found.posts[0].record, "reply", None)
        if reply is None:
            raise ConnectorError(f"account {account.name}: {platform_id} is not a reply; only replies can be hidden on Bluesky")
        root = reply.root.uri
        if not root.startswith(f"at://{did}/"):
            raise ConnectorError(f"account {account.name}: the reply is in someone else's thread; only the thread's author can hide it")
        rkey = root.rsplit("/", 1)[1]
        gate: dict[str, Any] = {"$type": THREADGATE, "post": root, "createdAt": _iso(datetime.now(timezone.utc))}
        try:
            existing = self._call(account, lambda: client.com.atproto.repo.get_record({"repo": did, "collection": THREADGATE, "rkey": rkey}), client)
            gate = {**_plain(existing.value), "$type": THREADGATE, "post": root}
        except ResponseError as exc:
            if "RecordNotFound" not in str(exc):
                raise
        hidden = list(gate.get("hiddenReplies") or [])
        if platform_id not in hidden:
            if len(hidden) >= HIDDEN_REPLIES_MAX:
                raise ConnectorError(f"account {account.name}: the thread already hides {HIDDEN_REPLIES_MAX} replies, Bluesky's limit; delete or report this one on Bluesky")
            hidden.append(platform_id)
        gate["hiddenReplies"] = hidden
        self._call(account, lambda: client.com.atproto.repo.put_record({"repo": did, "collection": THREADGATE, "rkey": rkey, "record": gate}), client)


def _error_name(exc: at_errors.AtProtocolError) -> str:
    content = getattr(getattr(exc, "response", None), "content", None)
    return str(getattr(content, "error", "") or "")


def _reset_wait(status: int, headers: dict[str, str], now: Callable[[], float]) -> float:
    """Seconds until Bluesky's window resets (`ratelimit-reset`, unix seconds) or Retry-After; 0 when neither says."""
    wait = rate_limit_wait(status or 429, headers, now) or 0.0
    reset = {k.lower(): v for k, v in headers.items()}.get("ratelimit-reset")
    try:
        wait = max(wait, float(reset) - now()) if reset else wait
    except ValueError:
        pass
    return max(0.0, wait)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat() if value else None


def _newest_uris(pairs: list[tuple[Any, ...]]) -> list[tuple[str, str]]:
    by_uri = {str(u): str(t) for u, t in pairs}
    return sorted(by_uri.items(), key=lambda p: parse_time(p[1]) or datetime.min.replace(tzinfo=timezone.utc), reverse=True)[:WATCH]


def _replies(node: Any) -> list[Any]:
    """Every reply post under a thread view, depth first (blocked or deleted branches are skipped)."""
    found: list[Any] = []
    stack = list(getattr(node, "replies", None) or [])
    while stack:
        child = stack.pop()
        post = getattr(child, "post", None)
        if post is None:
            continue  # a NotFoundPost or BlockedPost: nothing to read
        found.append(post)
        stack.extend(getattr(child, "replies", None) or [])
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    return get_model_as_dict(value)


def _media(embed: Any) -> list[Media]:
    """Images (with alt) and videos of a post's embed view, a record-with-media embed's too."""
    if embed is None:
        return []
    if getattr(embed, "media", None) is not None:  # app.bsky.embed.recordWithMedia#view
        return _media(embed.media)
    media = [Media(type="photo", url=i.fullsize or i.thumb, alt_text=i.alt or None) for i in getattr(embed, "images", None) or []]
    if getattr(embed, "playlist", None):  # app.bsky.embed.video#view
        media.append(Media(type="video", url=getattr(embed, "thumbnail", None) or embed.playlist, alt_text=getattr(embed, "alt", None) or None))
    return media


def _kind(did: str, author_did: str, record: Any) -> tuple[str, str | None]:
    reply = getattr(record, "reply", None)
    if reply is None:
        return ("post" if author_did == did else "comment"), None
    parent = reply.parent.uri
    # a direct reply to a post is a comment on it; a reply to a reply is a reply
    return ("comment" if parent == reply.root.uri else "reply"), parent


def _permalink(handle: str, uri: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


def post_item(account: AccountRef, did: str, post: Any) -> Item:
    """A PostView (the account's post, a reply in its threads) as an Item."""
    record = post.record
    kind, parent = _kind(did, post.author.did, record)
    return Item(
        platform="bluesky", platform_id=post.uri, account=account.name, kind=kind,  # type: ignore[arg-type]
        text=getattr(record, "text", "") or "",
        author=Author(name=post.author.display_name or post.author.handle, platform_id=post.author.did, is_account=post.author.did == did),
        created_at=parse_time(getattr(record, "created_at", None)) or parse_time(post.indexed_at), parent_id=parent,
        permalink=_permalink(post.author.handle, post.uri), media=_media(post.embed), raw=get_model_as_dict(post),
    )


def notification_item(account: AccountRef, did: str, note: Any) -> Item:
    """A mention or reply notification (its record is the post) as an Item; its images are blobs, not views."""
    record = note.record
    kind, parent = _kind(did, note.author.did, record)
    embed = getattr(record, "embed", None)
    alts = [Media(type="photo", alt_text=i.alt or None) for i in getattr(embed, "images", None) or []]
    return Item(
        platform="bluesky", platform_id=note.uri, account=account.name, kind=kind,  # type: ignore[arg-type]
        text=getattr(record, "text", "") or "",
        author=Author(name=note.author.display_name or note.author.handle, platform_id=note.author.did, is_account=note.author.did == did),
        created_at=parse_time(getattr(record, "created_at", None)) or parse_time(note.indexed_at), parent_id=parent,
        permalink=_permalink(note.author.handle, note.uri), media=alts, raw=get_model_as_dict(note),
    )

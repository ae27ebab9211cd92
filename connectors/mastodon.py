"""Mastodon accounts through the client API with Mastodon.py (`mastodon-py`).

Three reads per poll, each incremental by status or notification id (Mastodon ids grow with time;
the cursor keeps the newest of each):
- statuses: `GET /api/v1/accounts/{id}/statuses` (account_statuses). A first poll pages back with
  `max_id` (at most FIRST_PAGES pages); later polls page forward with `min_id` from the cursor.
- mentions: `GET /api/v1/notifications?types[]=mention` (notifications), the same way;
- replies: `GET /api/v1/statuses/{id}/context` (status_context) for the account's WATCH newest
  statuses, keeping only descendants newer than the last reply seen.
An empty poll costs one call per list plus one context call per watched status.

Content is HTML: `html_to_text` turns it into plain text with the standard library's HTML parser
(paragraphs and `<br>` become line breaks, entities are decoded, nothing is executed or fetched).
Media attachments keep their description (the alt text) for the consent checks.

Account: `handle` is the numeric account id (`options.account_id` overrides it);
`credentials["access_token"]` an access token of the account (read scopes); `options["base_url"]`
is the instance (`https://mastodon.example`), required, since Mastodon has no one origin: the
library's `api_base_url`, so local tests point it at a test server. Requests go through the
connector's `LimitedSession` (deadline, size cap; connectors/limits.py). A 429 waits until
`X-RateLimit-Reset` (an ISO time) or Retry-After, within the fetch deadline (connectors/ratelimit.py).
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from typing import Any, Callable

import mastodon as mastodon_py
import requests

from connectors.base import AccountRef, ConnectorError, CredentialsError, FetchResult, ResponseError
from connectors.items import Author, Item, Media, parse_time
from connectors.limits import LimitedSession, base_url_option, rate_limit_wait
from connectors.ratelimit import Throttle
from connectors.shapes import reads_platform_shapes

PAGE_SIZE = 40  # Mastodon's maximum for statuses and notifications
FIRST_PAGES = 2  # a first poll reads the newest 80 statuses, not the account's whole history
MAX_PAGES = 5
WATCH = 5  # replies are looked for under the account's newest N statuses (one context call each)


class MastodonConnector:
    platform = "mastodon"

    def __init__(self, throttle: Throttle | None = None, session: requests.Session | None = None) -> None:
        self.throttle = throttle or Throttle()
        self.session = session if isinstance(session, LimitedSession) else LimitedSession()
        if session is not None and not isinstance(session, LimitedSession):
            self.session.adapters = session.adapters  # a test's transports, our limits
        self.last_status = 0
        self.last_headers: dict[str, str] = {}
        self.session.hooks["response"].append(self._remember)
        self.calls = 0

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last_status, self.last_headers = response.status_code, dict(response.headers)

    def _api(self, account: AccountRef) -> mastodon_py.Mastodon:
        token = account.credentials.get("access_token")
        if not token:
            raise CredentialsError(f"account {account.name}: no Mastodon access token configured")
        if not account.options.get("base_url"):
            raise ConnectorError(f"account {account.name}: options.base_url must name the Mastodon instance (https://...)")
        base = base_url_option(account, "")
        # the session's origin is left alone: the instance is the library's api_base_url already
        self.session.use(self.throttle.budget_for(account, self.platform), "", "")
        return mastodon_py.Mastodon(
            access_token=token, api_base_url=base, session=self.session, ratelimit_method="throw",
            version_check_mode="none", request_timeout=30,
        )

    def _request(self, account: AccountRef, fn: Callable[[], Any]) -> Any:
        def once() -> Any:
            self.calls += 1
            self.last_status, self.last_headers = 0, {}
            return fn()

        def limited(exc: BaseException) -> float | None:
            if isinstance(exc, mastodon_py.MastodonAPIError) and self.last_status == 503:
                return rate_limit_wait(503, self.last_headers, self.throttle.now)  # waited for only with Retry-After
            if not isinstance(exc, mastodon_py.MastodonRatelimitError):
                return None
            return _reset_wait(self.last_status, self.last_headers, self.throttle.now)

        try:
            return _plain(self.throttle.call(self.platform, once, limited))
        except mastodon_py.MastodonUnauthorizedError:
            raise CredentialsError(f"account {account.name}: Mastodon token rejected (401); renew it") from None
        except mastodon_py.MastodonNetworkError as exc:
            inner = exc.__context__
            if isinstance(inner, ConnectorError):  # the deadline or the size cap, raised in our session
                raise inner from None
            self.throttle.budget_for(account, self.platform).check()
            raise ResponseError(f"account {account.name}: Mastodon instance unreachable ({type(inner).__name__ if inner else 'network'})") from None
        except mastodon_py.MastodonAPIError as exc:
            if 200 <= self.last_status < 300:  # Mastodon.py could not decode a successful answer
                raise ResponseError(f"account {account.name}: Mastodon API sent a body that is not whole JSON (cut off or malformed)") from None
            if self.last_status == 503:
                raise ResponseError(f"account {account.name}: Mastodon API unavailable (HTTP 503 without Retry-After); the next run tries again") from None
            if self.last_status == 403 and "scope" in str(exc).lower():
                raise CredentialsError(f"account {account.name}: Mastodon token lacks a read scope; renew it") from None
            raise ResponseError(f"account {account.name}: Mastodon API answered HTTP {self.last_status or type(exc).__name__}") from None
        except mastodon_py.MastodonError as exc:
            raise ResponseError(f"account {account.name}: Mastodon API error ({type(exc).__name__})") from None

    @reads_platform_shapes
    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        self.calls = 0
        self.throttle.begin(account, self.platform)
        api = self._api(account)
        me = str(account.options.get("account_id") or account.handle)
        state: dict[str, Any] = json.loads(cursor) if cursor else {}
        items: dict[str, Item] = {}
        statuses = self._list(account, lambda **p: api.account_statuses(me, limit=PAGE_SIZE, **p), state.get("statuses"))
        for status in statuses:
            item = status_item(account, me, status)
            items.setdefault(item.platform_id, item)
        notes = self._list(account, lambda **p: api.notifications(types=["mention"], limit=PAGE_SIZE, **p), state.get("mentions"))
        for note in notes:
            if note.get("type") == "mention" and note.get("status"):
                item = status_item(account, me, note["status"])
                items.setdefault(item.platform_id, item)
        own = [s["id"] for s in statuses if str((s.get("account") or {}).get("id")) == me and not s.get("reblog")]
        watched = sorted({str(i) for i in own} | set(state.get("watch", [])), key=_order, reverse=True)[:WATCH]
        seen_reply = state.get("replies")
        newest_reply = seen_reply
        for status_id in watched:
            context = self._request(account, lambda s=status_id: api.status_context(s))
            for status in context.get("descendants") or []:
                if seen_reply and _order(status["id"]) <= _order(seen_reply):
                    continue
                item = status_item(account, me, status)
                items.setdefault(item.platform_id, item)
                newest_reply = max(newest_reply or item.platform_id, item.platform_id, key=_order)
        new_state = {
            "statuses": _newest([s["id"] for s in statuses], state.get("statuses")),
            "mentions": _newest([n["id"] for n in notes], state.get("mentions")),
            "replies": newest_reply,
            "watch": watched,
        }
        return FetchResult(items=list(items.values()), cursor=json.dumps(new_state, sort_keys=True), calls=self.calls, events=list(self.throttle.events))

    def _list(self, account: AccountRef, call: Callable[..., Any], since: str | None) -> list[dict]:
        """Every entry newer than `since` (min_id forward), or the newest FIRST_PAGES pages (max_id back)."""
        found: list[dict] = []
        if since:
            min_id = since
            for _ in range(MAX_PAGES):
                page = self._request(account, lambda m=min_id: call(min_id=m))
                page = [e for e in page or [] if _order(e["id"]) > _order(since)]
                if not page:
                    break
                found.extend(page)
                min_id = max((str(e["id"]) for e in page), key=_order)
                if len(page) < PAGE_SIZE:
                    break
            return found
        max_id: str | None = None
        for _ in range(FIRST_PAGES):
            page = self._request(account, lambda m=max_id: call(max_id=m) if m else call())
            if not page:
                break
            found.extend(page)
            max_id = min((str(e["id"]) for e in page), key=_order)
            if len(page) < PAGE_SIZE:
                break
        return found


def _reset_wait(status: int, headers: dict[str, str], now: Callable[[], float]) -> float:
    """Seconds until Mastodon's window resets (`X-RateLimit-Reset`, an ISO time), or Retry-After; 0 when neither says."""
    wait = rate_limit_wait(status or 429, headers, now) or 0.0
    lower = {k.lower(): v for k, v in headers.items()}
    reset = lower.get("x-ratelimit-reset")
    if reset:
        try:
            when = parse_time(reset)
        except ValueError:
            when = None
        if when is not None:
            wait = max(wait, when.timestamp() - now())
    return max(0.0, wait)


def _order(value: Any) -> tuple[int, str]:
    """Mastodon ids are decimal strings that grow with time; compare them as numbers."""
    text = str(value)
    return (int(text), text) if text.isdigit() else (-1, text)


def _newest(ids: list[Any], old: str | None) -> str | None:
    values = [str(i) for i in ids] + ([old] if old else [])
    return max(values, key=_order) if values else None


def _plain(value: Any) -> Any:
    """Mastodon.py's typed dicts and datetimes as plain JSON values (the raw payload is stored as JSON)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value if not isinstance(value, str) else str(value)
    return str(value)


class _Text(HTMLParser):
    BREAKS = {"br", "p", "div", "li", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        elif tag in ("p", "div", "li", "blockquote"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """A status's HTML content as plain text: tags dropped, entities decoded, paragraphs as lines."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return "\n".join(line for line in lines if line)


def status_item(account: AccountRef, me: str, status: dict) -> Item:
    """A status (the account's own, a mention or a reply) as an Item."""
    if "id" not in status:
        raise ResponseError(f"account {account.name}: Mastodon status without an id")
    author = status.get("account") or {}
    author_id = str(author.get("id")) if author.get("id") is not None else None
    is_account = author_id == me
    parent = status.get("in_reply_to_id")
    if parent:
        kind = "reply"
    else:
        kind = "post" if is_account else "comment"  # someone else's status that mentions the account
    shown = status.get("reblog") or status  # a boost shows the boosted status's text and media
    media = [
        Media(type="photo" if m.get("type") == "image" else "video", url=m.get("url") or m.get("preview_url"), alt_text=m.get("description"))
        for m in shown.get("media_attachments") or [] if m.get("type") in ("image", "video", "gifv")
    ]
    text = html_to_text(shown.get("content") or "")
    if shown.get("spoiler_text"):
        text = f"{shown['spoiler_text']}\n{text}"
    return Item(
        platform="mastodon", platform_id=str(status["id"]), account=account.name, kind=kind,  # type: ignore[arg-type]
        text=text, author=Author(name=author.get("display_name") or author.get("acct") or "", platform_id=author_id, is_account=is_account),
        created_at=parse_time(status.get("created_at")) if isinstance(status.get("created_at"), str) else None,
        parent_id=str(parent) if parent else None, permalink=status.get("url") or status.get("uri"), media=media, raw=status,
    )

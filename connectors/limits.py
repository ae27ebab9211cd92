"""Limits on what one account's fetch may cost: time, bytes, and where its requests go.

Every connector reads its platform through this module, so the five of them share one set of rules:

- `FetchBudget`: one fetch's deadline (`options.fetch_deadline_seconds`, default 300 s) on the
  monotonic clock, checked before every call, between body chunks and before any rate-limit wait.
  Per-read timeouts alone do not bound a server that sends one byte every few seconds.
- a response size cap (`options.max_response_bytes`, default 20 MiB): bodies are streamed and
  refused as soon as they pass it (or at once when `Content-Length` says so), so a 50 MB answer
  never sits in memory whole.
- a base URL (`options.base_url`) that replaces the platform's own origin, so an account can be
  pointed at a mirror or a local test server; plain http only to loopback (tokens travel along).
- `rate_limit_wait`: which answers are rate limits (429, and 503 *with* Retry-After) and how long
  the server asked to wait (`Retry-After` in seconds or as an HTTP date).

httpx callers use `read_httpx`; facebook-sdk and tweepy, which use requests, get a
`LimitedSession` that streams and caps the same way. Errors name the account and the platform,
never a URL (it may carry a token) and never a body (it may carry personal data).
"""
from __future__ import annotations

import ipaddress
import logging
import time
from dataclasses import dataclass
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urlsplit

import httpx
import requests
import urllib3.exceptions
import urllib3.response

from connectors.base import AccountRef, ConnectorError, DeadlineError, ResponseError

# These libraries log each request's full URL (httpx at INFO; urllib3 and tweepy at DEBUG, tweepy
# with its headers and body too), and the Graph and YouTube APIs take their tokens in the query:
# those records would put tokens and personal data into the journal under `--verbose`.
for _name in ("httpx", "httpcore", "urllib3", "tweepy"):
    logging.getLogger(_name).setLevel(logging.WARNING)

DEFAULT_DEADLINE_SECONDS = 300.0
DEFAULT_MAX_RESPONSE_BYTES = 20 * 1024 * 1024
DEFAULT_READ_TIMEOUT = 30.0
CHUNK = 64 * 1024
MAX_REDIRECTS = 5


def _positive(account: AccountRef, key: str, default: float, kind: type) -> Any:
    value = account.options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0 or (kind is int and value != int(value)):
        raise ConnectorError(f"account {account.name}: options.{key} must be a positive {'whole ' if kind is int else ''}number, not {value!r}")
    return kind(value)


def base_url_option(account: AccountRef, default: str) -> str:
    """`options.base_url` checked (http(s), a host, no query; plain http only to loopback), else `default`."""
    value = account.options.get("base_url")
    if value is None:
        return default.rstrip("/")
    if not isinstance(value, str):
        raise ConnectorError(f"account {account.name}: options.base_url must be a URL")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment or parts.username or parts.password:
        raise ConnectorError(f"account {account.name}: options.base_url must be an http(s) URL with a host and no query, user or password")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConnectorError(f"account {account.name}: options.base_url may use plain http only on this machine (127.0.0.1, ::1, localhost); tokens would travel unencrypted")
    return value.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def rebase(url: str, origin: str, base: str) -> str:
    """`url` with the platform's `origin` prefix replaced by `base` (other URLs unchanged)."""
    if base != origin and (url == origin or url.startswith(origin + "/") or url.startswith(origin + "?")):
        return base + url[len(origin):]
    return url


class FetchBudget:
    """One operation's limits for one account: a deadline on the monotonic clock and a size cap."""

    def __init__(self, account: AccountRef, platform: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.account = account.name
        self.platform = platform
        self.seconds = _positive(account, "fetch_deadline_seconds", DEFAULT_DEADLINE_SECONDS, float)
        self.max_bytes = _positive(account, "max_response_bytes", DEFAULT_MAX_RESPONSE_BYTES, int)
        self.read_timeout = _positive(account, "read_timeout_seconds", DEFAULT_READ_TIMEOUT, float)
        self.clock = clock
        self.deadline = clock() + self.seconds

    def remaining(self) -> float:
        return self.deadline - self.clock()

    def check(self) -> None:
        """Raise DeadlineError once the deadline has passed."""
        if self.remaining() <= 0:
            raise DeadlineError(
                f"account {self.account}: {self.platform} fetch did not finish within its deadline of {self.seconds:g} s "
                "(options.fetch_deadline_seconds); the server is too slow or sends its answer too slowly"
            )

    def timeout(self) -> float:
        """A per-read timeout that never reaches past the deadline."""
        return max(0.001, min(self.read_timeout, self.remaining()))

    def too_large(self) -> ResponseError:
        return ResponseError(
            f"account {self.account}: {self.platform} sent a response larger than {_size(self.max_bytes)} "
            "(options.max_response_bytes); refused"
        )

    def cut_off(self, exc: BaseException) -> ResponseError:
        return ResponseError(f"account {self.account}: {self.platform} response was cut off before its end ({type(exc).__name__})")

    def check_declared(self, headers: Mapping[str, str]) -> None:
        """Refuse at once a body whose Content-Length is already past the cap."""
        try:
            declared = int(headers.get("content-length") or 0)
        except ValueError:
            return
        if declared > self.max_bytes:
            raise self.too_large()

    def collect(self, chunks: Any) -> bytes:
        """Join body chunks, checking the deadline and the cap after each one."""
        parts: list[bytes] = []
        size = 0
        for chunk in chunks:
            size += len(chunk)
            if size > self.max_bytes:
                raise self.too_large()
            parts.append(chunk)
            self.check()
        return b"".join(parts)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def retry_after_seconds(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - now())


def rate_limit_wait(status: int, headers: Mapping[str, str] | None, now: Callable[[], float] = time.time) -> float | None:
    """How long a rate-limited answer asks to wait (0 = not said), or None when it is not a rate limit.

    Only 429, and 503 carrying Retry-After, are rate limits; a 503 without it is an outage, an error
    for this run, not something to retry until it ends.
    """
    lower = {str(k).lower(): v for k, v in (headers or {}).items()}
    wait = retry_after_seconds(lower.get("retry-after"), now)
    if status == 429:
        return wait or 0.0
    if status == 503 and wait is not None:
        return wait
    return None


@dataclass
class Answer:
    """A response whose body has been read within the budget."""

    status_code: int
    headers: httpx.Headers
    content: bytes


def read_httpx(client: httpx.Client, budget: FetchBudget, method: str, url: str, **kwargs: Any) -> Answer:
    """One httpx request, streamed: refused past the size cap or the deadline; transport errors raise httpx.HTTPError.

    Redirects (followed only when the client is set to follow them) are followed here, a few hops
    at most, without reading their bodies: httpx's own following reads each one whole, unbounded.
    """
    for _ in range(MAX_REDIRECTS + 1):
        budget.check()
        with client.stream(method, url, timeout=budget.timeout(), follow_redirects=False, **kwargs) as response:
            if client.follow_redirects and response.has_redirect_location:
                url = str(response.url.join(response.headers["location"]))
                continue
            budget.check_declared(response.headers)
            try:
                content = budget.collect(response.iter_bytes())
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.DecodingError) as exc:
                raise budget.cut_off(exc) from None
            except httpx.TimeoutException:
                budget.check()
                raise
            return Answer(response.status_code, response.headers, content)
    raise ResponseError(f"account {budget.account}: {budget.platform} redirected more than {MAX_REDIRECTS} times")


class LimitedSession(requests.Session):
    """A requests session for facebook-sdk and tweepy: the platform's origin rebased, every body
    streamed under the budget, no redirects (the APIs do not send any), a read timeout always set.

    `budget` and `origin`/`base` are set by the connector for each operation (`use`).
    """

    def __init__(self) -> None:
        super().__init__()
        self.budget: FetchBudget | None = None
        self.origin = ""
        self.base = ""

    def use(self, budget: FetchBudget, origin: str, base: str) -> "LimitedSession":
        self.budget, self.origin, self.base = budget, origin, base
        return self

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        budget = self.budget
        if budget is None:
            raise ConnectorError("a platform request was made without a fetch budget (a connector bug)")
        budget.check()
        if self.origin and request.url:
            request.url = rebase(request.url, self.origin, self.base)
        kwargs.update(stream=True, timeout=budget.timeout(), allow_redirects=False)
        response = super().send(request, **kwargs)
        try:
            budget.check_declared(response.headers)
            if response._content is False:  # not read yet (a transport adapter may hand it over read)
                response._content = budget.collect(_requests_chunks(response, budget))
            elif len(response._content or b"") > budget.max_bytes:
                raise budget.too_large()
            response._content_consumed = True
        finally:
            response.close()
        return response


def _requests_chunks(response: requests.Response, budget: FetchBudget) -> Iterator[bytes]:
    """The decoded body as it arrives: `read1` returns what one socket read brings, so a trickling
    server cannot hold a read open past the deadline (`iter_content` blocks until a whole chunk)."""
    raw = response.raw
    if not isinstance(raw, urllib3.response.BaseHTTPResponse):
        # a stand-in transport (vcrpy playback) that holds the body already: its own stream
        yield from raw.stream(CHUNK, decode_content=True)
        return
    while True:
        try:
            chunk = raw.read1(CHUNK, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError:
            budget.check()
            raise requests.exceptions.ReadTimeout("read timed out") from None
        except (urllib3.exceptions.ProtocolError, urllib3.exceptions.DecodeError) as exc:
            raise budget.cut_off(exc) from None
        if not chunk:
            return
        yield chunk

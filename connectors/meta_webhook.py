"""Receiver for Meta Page webhooks (`feed` changes), so comments arrive within seconds of posting.

Mount the routes returned by `webhook_routes(app_secret, verify_token, on_items)` in the web app
(path `/webhooks/meta` by default) and subscribe the page to the `feed` field with that callback URL.

- GET: the verify-token handshake (`hub.mode=subscribe`, `hub.verify_token`, `hub.challenge`);
  the challenge is echoed only when the token matches.
- POST: the body must carry `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the
  app secret>`, compared with hmac.compare_digest. Unsigned, wrongly signed and stale payloads
  (an entry `time` older than `max_age` seconds) are refused with 403 and never parsed further;
  so are payloads dated more than `max_skew` seconds in the future (a replay cannot be post-dated).
  The body is counted while it streams in and refused with 413 past `max_body` bytes (1 MiB),
  whatever Content-Length says; anything malformed (a non-ASCII signature, JSON of the wrong shape,
  nesting deeper than MAX_DEPTH) is a 400, never a 500.
  `feed` changes with `item=comment` become Items, all delivered to `on_items`; each Item's raw
  keeps the `verb` (add, edited, remove) and the entry's `time` as `entry_time`, the platform's
  time of the change, so the monitor can tell a replayed or older delivery from a newer one. The
  monitor keeps an edit as a new version and marks a removed comment deleted, keeping its text as
  evidence (monitor.records).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import math
import time
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from connectors.base import ResponseError
from connectors.items import Author, Item

DEFAULT_MAX_AGE = 900.0  # seconds; Meta delivers within seconds, retries later are for the poll to catch
DEFAULT_MAX_SKEW = 300.0  # seconds a sender's clock may run ahead of ours
DEFAULT_MAX_BODY = 1024 * 1024  # bytes; a feed change is a few KiB
MAX_DEPTH = 32  # a feed payload nests 6 deep; anything far deeper is not Meta's


class BodyTooLarge(Exception):
    """The request body passed the limit (counted while streaming, not taken from Content-Length)."""


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body, or BodyTooLarge as soon as more than `limit` bytes have arrived (or are announced)."""
    announced = request.headers.get("content-length")
    if announced is not None:
        try:
            if int(announced) > limit:
                raise BodyTooLarge
        except ValueError:
            pass  # a garbled header: the count below still applies
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _depth(value: Any, limit: int) -> int:
    """How deep the JSON value nests, stopping (iteratively, no recursion) once past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _seconds(value: float) -> float:
    # seconds for Page feed changes; some Meta products send milliseconds
    return value / 1000 if value > 1e11 else value


def signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    # as bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, a 500)
    return hmac.compare_digest(expected.encode(), header[len("sha256="):].encode("utf-8", "surrogateescape"))


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    raise ResponseError(f"webhook payload: {field} is not text")


def _mapping(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ResponseError(f"webhook payload: {field} is not an object")
    return value


def parse_feed_changes(payload: dict[str, Any], page_accounts: Mapping[str, str] | None = None) -> list[Item]:
    """Comment items of a `{"object": "page", "entry": [{"changes": [{"field": "feed", ...}]}]}` body."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise ResponseError("webhook payload without an 'entry' list")
    items: list[Item] = []
    for entry in payload["entry"]:
        entry = _mapping(entry, "entry[]")
        page_id = _text(entry.get("id"), "entry.id")
        entry_time = entry.get("time") if isinstance(entry.get("time"), (int, float)) and not isinstance(entry.get("time"), bool) else None
        account = (page_accounts or {}).get(page_id, page_id)
        changes = entry.get("changes") or []
        if not isinstance(changes, list):
            raise ResponseError("webhook payload: entry.changes is not a list")
        for change in changes:
            change = _mapping(change, "changes[]")
            value = _mapping(change.get("value"), "changes.value")
            if change.get("field") != "feed" or value.get("item") != "comment" or "comment_id" not in value:
                continue
            sender = _mapping(value.get("from"), "value.from")
            sender_id = _text(sender.get("id"), "value.from.id") or None
            post_id = _text(value.get("post_id"), "value.post_id")
            parent = _text(value.get("parent_id"), "value.parent_id") or post_id
            created = value.get("created_time")
            created_at = None
            if isinstance(created, (int, float)) and not isinstance(created, bool):
                try:
                    created_at = datetime.fromtimestamp(_seconds(created), tz=timezone.utc)
                except (OverflowError, OSError, ValueError):
                    raise ResponseError("webhook payload: value.created_time is not a time") from None
            permalink = _text(_mapping(value.get("post"), "value.post").get("permalink_url"), "value.post.permalink_url") or None
            items.append(Item(
                platform="facebook", platform_id=_text(value["comment_id"], "value.comment_id"), account=account,
                kind="reply" if parent and parent != post_id else "comment",
                text=_text(value.get("message"), "value.message"),
                author=Author(name=_text(sender.get("name"), "value.from.name"), platform_id=sender_id, is_account=sender_id == page_id),
                created_at=created_at, parent_id=parent or None, permalink=permalink,
                raw={**value, "verb": value.get("verb"), "entry_time": entry_time},
            ))
    return items


def webhook_routes(
    app_secret: str,
    verify_token: str,
    on_items: Callable[[list[Item]], None],
    *,
    path: str = "/webhooks/meta",
    page_accounts: Mapping[str, str] | None = None,
    max_age: float = DEFAULT_MAX_AGE,
    max_skew: float = DEFAULT_MAX_SKEW,
    max_body: int = DEFAULT_MAX_BODY,
    now: Callable[[], float] = time.time,
) -> list[Route]:
    """Starlette routes for the handshake (GET) and the signed deliveries (POST)."""

    async def verify(request: Request) -> Response:
        params = request.query_params
        given = params.get("hub.verify_token", "").encode("utf-8", "surrogateescape")
        if params.get("hub.mode") == "subscribe" and hmac.compare_digest(given, verify_token.encode()):
            return PlainTextResponse(params.get("hub.challenge", ""))
        return PlainTextResponse("verification failed", status_code=403)

    async def receive(request: Request) -> Response:
        try:
            body = await read_limited(request, max_body)
        except BodyTooLarge:
            # Connection: close, so the rest of an oversized body is never read
            return PlainTextResponse(f"payload larger than {max_body} bytes", status_code=413, headers={"connection": "close"})
        signature = request.headers.get("x-hub-signature-256")
        if signature is not None and not signature.isascii():
            return PlainTextResponse("malformed signature header", status_code=400)
        if not signature_valid(app_secret, body, signature):
            return PlainTextResponse("bad or missing signature", status_code=403)
        try:
            payload = json.loads(body)
            if _depth(payload, MAX_DEPTH) > MAX_DEPTH:
                return PlainTextResponse("payload nested too deeply", status_code=400)
            entries = payload["entry"]
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise TypeError
            times = [_seconds(float(e["time"])) for e in entries]
            if not all(math.isfinite(t) for t in times):
                raise ValueError
        except (ValueError, KeyError, TypeError, RecursionError):
            return PlainTextResponse("unreadable payload", status_code=400)
        moment = now()
        if any(moment - t > max_age for t in times):
            return PlainTextResponse("stale payload", status_code=403)
        if any(t - moment > max_skew for t in times):
            return PlainTextResponse("payload dated in the future", status_code=403)
        try:
            items = parse_feed_changes(payload, page_accounts)
        except ResponseError:
            return PlainTextResponse("unreadable payload", status_code=400)
        if any(i.created_at is not None and i.created_at.timestamp() - moment > max_skew for i in items):
            return PlainTextResponse("comment dated in the future", status_code=403)
        delivered = [i for i in items if i.raw.get("verb") in ("add", "edited", "remove")]
        if delivered:
            # on_items stores to the database: keep it off the event loop
            await run_in_threadpool(on_items, delivered)
        removed = sum(i.raw.get("verb") == "remove" for i in delivered)
        return JSONResponse({"received": len(delivered) - removed, "removed": removed})

    return [Route(path, verify, methods=["GET"]), Route(path, receive, methods=["POST"])]

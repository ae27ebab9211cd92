"""Receiver for Meta Page webhooks (`feed` changes), so comments arrive within seconds of posting.

Mount the routes returned by `webhook_routes(app_secret, verify_token, on_items)` in the web app
(path `/webhooks/meta` by default) and subscribe the page to the `feed` field with that callback URL.

- GET: the verify-token handshake (`hub.mode=subscribe`, `hub.verify_token`, `hub.challenge`);
  the challenge is echoed only when the token matches.
- POST: the body must carry `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the
  app secret>`, compared with hmac.compare_digest. Unsigned, wrongly signed and stale payloads
  (an entry `time` older than `max_age` seconds) are refused with 403 and never parsed further.
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


def _seconds(value: float) -> float:
    # seconds for Page feed changes; some Meta products send milliseconds
    return value / 1000 if value > 1e11 else value


def signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256="):])


def parse_feed_changes(payload: dict[str, Any], page_accounts: Mapping[str, str] | None = None) -> list[Item]:
    """Comment items of a `{"object": "page", "entry": [{"changes": [{"field": "feed", ...}]}]}` body."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise ResponseError("webhook payload without an 'entry' list")
    items: list[Item] = []
    for entry in payload["entry"]:
        page_id = str(entry.get("id", ""))
        entry_time = entry.get("time") if isinstance(entry.get("time"), (int, float)) and not isinstance(entry.get("time"), bool) else None
        account = (page_accounts or {}).get(page_id, page_id)
        for change in entry.get("changes", []):
            value = change.get("value") or {}
            if change.get("field") != "feed" or value.get("item") != "comment" or "comment_id" not in value:
                continue
            sender = value.get("from") or {}
            parent = str(value.get("parent_id") or value.get("post_id") or "")
            created = value.get("created_time")
            items.append(Item(
                platform="facebook", platform_id=str(value["comment_id"]), account=account,
                kind="reply" if parent and parent != str(value.get("post_id")) else "comment",
                text=value.get("message") or "",
                author=Author(name=str(sender.get("name", "")), platform_id=sender.get("id"), is_account=sender.get("id") == page_id),
                created_at=datetime.fromtimestamp(_seconds(created), tz=timezone.utc) if isinstance(created, (int, float)) else None,
                parent_id=parent or None, permalink=(value.get("post") or {}).get("permalink_url"),
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
    now: Callable[[], float] = time.time,
) -> list[Route]:
    """Starlette routes for the handshake (GET) and the signed deliveries (POST)."""

    async def verify(request: Request) -> Response:
        params = request.query_params
        given = params.get("hub.verify_token", "").encode()
        if params.get("hub.mode") == "subscribe" and hmac.compare_digest(given, verify_token.encode()):
            return PlainTextResponse(params.get("hub.challenge", ""))
        return PlainTextResponse("verification failed", status_code=403)

    async def receive(request: Request) -> Response:
        body = await request.body()
        if not signature_valid(app_secret, body, request.headers.get("x-hub-signature-256")):
            return PlainTextResponse("bad or missing signature", status_code=403)
        try:
            payload = json.loads(body)
            entries = payload["entry"]
            times = [_seconds(float(e["time"])) for e in entries]
        except (ValueError, KeyError, TypeError):
            return PlainTextResponse("unreadable payload", status_code=400)
        if any(now() - t > max_age for t in times):
            return PlainTextResponse("stale payload", status_code=403)
        try:
            items = parse_feed_changes(payload, page_accounts)
        except ResponseError:
            return PlainTextResponse("unreadable payload", status_code=400)
        delivered = [i for i in items if i.raw.get("verb") in ("add", "edited", "remove")]
        if delivered:
            # on_items stores to the database: keep it off the event loop
            await run_in_threadpool(on_items, delivered)
        removed = sum(i.raw.get("verb") == "remove" for i in delivered)
        return JSONResponse({"received": len(delivered) - removed, "removed": removed})

    return [Route(path, verify, methods=["GET"]), Route(path, receive, methods=["POST"])]

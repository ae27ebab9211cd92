"""The Meta Page webhook mounted in `hallwatch serve`: comments reach the queue within seconds.

Enabled when HALLWATCH_META_APP_SECRET and HALLWATCH_META_VERIFY_TOKEN are set (environment or
credentials file). Deliveries are checked by connectors.meta_webhook (X-Hub-Signature-256, age);
each account's items are then stored, classified and routed as a poll's would be.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from starlette.routing import Route

from connectors.items import Item
from connectors.meta_webhook import webhook_routes
from monitor.config import Division
from monitor.db import Database
from monitor.notify import notify_after_run
from monitor.models import utcnow
from monitor.runs import Analyze, store_and_classify

log = logging.getLogger("hallwatch.webhooks")
APP_SECRET, VERIFY_TOKEN = "HALLWATCH_META_APP_SECRET", "HALLWATCH_META_VERIFY_TOKEN"


def deliver(db: Database, division: Division, items: list[Item], *, analyze: Analyze | None = None, now: Callable[[], datetime] = utcnow) -> int:
    """Store and classify delivered items, by account; items of unregistered pages are dropped. Returns how many were new."""
    registered = {a.name for a in division.accounts}
    by_account: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        if item.account in registered:
            by_account[item.account].append(item)
        else:
            log.warning("webhook delivery for an unregistered page dropped")
    new = 0
    for account, batch in by_account.items():
        new += store_and_classify(db, division, account, batch, analyze=analyze, now=now)[0]
    if new:
        notify_after_run(db, division, now())
    return new


def meta_routes(db: Database, division: Division) -> list[Route]:
    """The webhook's routes, or none when the app secret and verify token are not configured."""
    secret = division.secret(f"env:{APP_SECRET}") or division.secret(f"file:{APP_SECRET}")
    token = division.secret(f"env:{VERIFY_TOKEN}") or division.secret(f"file:{VERIFY_TOKEN}")
    if not secret or not token:
        return []
    pages = {a.handle: a.name for a in division.accounts if a.platform == "facebook"}
    return webhook_routes(secret, token, lambda items: deliver(db, division, items), page_accounts=pages)

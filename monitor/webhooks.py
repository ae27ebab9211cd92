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

from sqlalchemy import select
from starlette.routing import Route

from connectors.items import Item
from connectors.meta_webhook import webhook_routes
from monitor.config import Division
from monitor.db import Database
from monitor.notify import notify_after_run
from monitor.models import StoredItem, utcnow
from monitor.records.deletions import mark_removed
from monitor.records.versions import is_stale
from monitor.runs import Analyze, store_and_classify, sync_accounts

log = logging.getLogger("hallwatch.webhooks")
APP_SECRET, VERIFY_TOKEN = "HALLWATCH_META_APP_SECRET", "HALLWATCH_META_VERIFY_TOKEN"


def deliver(db: Database, division: Division, items: list[Item], *, analyze: Analyze | None = None, now: Callable[[], datetime] = utcnow) -> int:
    """Store and classify delivered items, by account; items of unregistered pages are dropped. Returns how many were new.

    `add` and `edited` go through store_items (an edit keeps the old version; a replayed or older
    delivery, by the entry's platform time, changes nothing); `remove` marks the stored comment
    deleted on the platform, keeping its text (monitor.records.deletions)."""
    registered = {a.name for a in division.accounts}
    by_account: dict[str, list[Item]] = defaultdict(list)
    removed: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        if item.account not in registered:
            log.warning("webhook delivery for an unregistered page dropped")
        elif item.raw.get("verb") == "remove":
            removed[item.account].append(item)
        else:
            by_account[item.account].append(item)
    new = 0
    for account, batch in by_account.items():
        new += store_and_classify(db, division, account, batch, analyze=analyze, now=now)[0]
    for account, batch in removed.items():
        with db.transaction() as session:
            account_id = sync_accounts(session, division)[account].id
            rows = {r.platform_id: r for r in session.scalars(select(StoredItem).where(
                StoredItem.account_id == account_id, StoredItem.platform_id.in_([i.platform_id for i in batch])))}
            # a remove older than the stored version (by the platform's clock) is a stale delivery
            fresh = [i.platform_id for i in batch if i.platform_id in rows and not is_stale(rows[i.platform_id], i)]
            marked = mark_removed(session, account_id, fresh, now())
        log.info("webhook: %d comment(s) removed on the platform, %d marked deleted", len(batch), len(marked))
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

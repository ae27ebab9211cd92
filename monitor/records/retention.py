"""Retention: the text and media of items kept no longer than division.yaml's `retention:` allows.

Rules (monitor.config.RetentionSettings): `without_findings_days` for items nothing flagged and
no review item holds, counted from when they were posted; `resolved_days` for items whose review
item is resolved, counted from the resolution, where an item's categories may set a longer period
(`categories:`, the longest wins); an account's rule overrides the default field by field. Open
review items, items still to classify and anything under a legal hold (monitor.records.holds)
are never purged.

A purged item stays as a tombstone: its row, review item, findings (categories, clause, reason,
no text) and the audit log remain, so counts and history stay true; its text, author, media,
raw payload, earlier versions' texts and quarantined payload are blanked and `purged_at` set.

Crash safety: items are purged in batches, each batch one transaction (the tombstones, the
media rows the hook removes, and one `purge` audit row with the batch's counts per rule); files
are removed only after that transaction commits. A purge killed midway has committed whole
batches and nothing of the one it was in; the next purge finishes the rest.
"""
from __future__ import annotations

import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from monitor.config import Division, RetentionRule
from monitor.db import Database
from monitor.media import store as media_store
from monitor.models import Account, AuditEntry, Finding, ItemVersion, QuarantinedItem, ReviewItem, StoredItem
from monitor.records.holds import is_held, item_time

log = logging.getLogger("hallwatch.retention")
SYSTEM_ACTOR = "hallwatch"
# for the crash test: pause inside batch N (its rows blanked, not committed) so a test can SIGKILL the process
PAUSE_ENV = "HALLWATCH_PURGE_PAUSE_IN_BATCH"

MediaHook = Callable[[Session, Path | None, list[int]], list[Path]]


def delete_item_media(session: Session, data_dir: Path | None, item_ids: list[int]) -> list[Path]:
    """The purge's hook for fetched images: called once per batch, inside its transaction.

    monitor.media removes the items' stored-media rows in `session` (the current photos and those kept
    for earlier versions, monitor.media.archive) and deletes their files itself
    once the batch commits (keeping a file another item still points at), so there is nothing left
    for the purge to unlink: it returns no paths. A hook that returns paths has them unlinked by
    the purge after the commit instead.
    """
    if data_dir is not None:
        media_store.delete_item_media(session, data_dir, item_ids)
    return []


@dataclass
class PurgeReport:
    """What a purge did (or, dry, would do): items per rule, and those a legal hold kept."""

    counts: Counter[str] = field(default_factory=Counter)
    held: Counter[str] = field(default_factory=Counter)
    batches: int = 0
    files_removed: int = 0
    files_failed: int = 0
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _rule_for(division: Division, account: str) -> tuple[RetentionRule, str]:
    settings = division.retention
    own = settings.accounts.get(account)
    if own is None:
        return settings.default, "default"
    merged = RetentionRule(
        without_findings_days=own.without_findings_days if own.without_findings_days is not None else settings.default.without_findings_days,
        resolved_days=own.resolved_days if own.resolved_days is not None else settings.default.resolved_days,
    )
    return merged, f"account {account}"


def plan(session: Session, division: Division, now: datetime) -> list[tuple[int, str, bool]]:
    """Every item a rule lets go now: (item id, the rule's label, whether a hold keeps it), by id."""
    found: list[tuple[int, str, bool]] = []
    accounts = {a.name: a.id for a in session.scalars(select(Account))}
    categories = division.retention.categories
    for config in division.accounts:
        account_id = accounts.get(config.name)
        if account_id is None:
            continue
        rule, where = _rule_for(division, config.name)
        base = (StoredItem.account_id == account_id, StoredItem.purged_at.is_(None))
        if rule.without_findings_days is not None:
            label = f"without findings after {rule.without_findings_days} days ({where})"
            cutoff = now - timedelta(days=rule.without_findings_days)
            rows = session.execute(select(StoredItem.id, is_held()).where(
                *base, StoredItem.classified_at.is_not(None), item_time() < cutoff,
                ~exists().where(Finding.item_id == StoredItem.id), ~exists().where(ReviewItem.item_id == StoredItem.id)))
            found.extend((item_id, label, bool(held)) for item_id, held in rows)
        if rule.resolved_days is None and not categories:
            continue
        rows = session.execute(select(StoredItem.id, ReviewItem.resolved_at, ReviewItem.categories, is_held())
                               .join(ReviewItem, ReviewItem.item_id == StoredItem.id)
                               .where(*base, ReviewItem.active.is_(False), ReviewItem.resolved_at.is_not(None)))
        for item_id, resolved_at, cats, held in rows:
            days, label = rule.resolved_days, f"resolved after {rule.resolved_days} days ({where})"
            longest = max(((categories[c], c) for c in (cats or "").split(",") if c in categories), default=None)
            if longest is not None:
                days, label = longest[0], f"resolved after {longest[0]} days (category {longest[1]})"
            if days is not None and resolved_at < now - timedelta(days=days):
                found.append((item_id, label, bool(held)))
    found.sort()
    return found


def purge(db: Database, division: Division, now: datetime, *, dry_run: bool = False, data_dir: Path | None = None,
          batch_size: int | None = None, media: MediaHook = delete_item_media, actor: str = SYSTEM_ACTOR) -> PurgeReport:
    """Apply the retention rules (see the module); `dry_run` counts without changing anything."""
    report = PurgeReport(dry_run=dry_run)
    data_dir = media_store.data_root(db, division, data_dir)  # where the fetched photos are, as monitor.media keeps them
    with db.sessions() as session:
        planned = plan(session, division, now)
    for _, label, held in planned:
        (report.held if held else report.counts)[label] += 1
    if dry_run:
        return report
    report.counts = Counter()
    todo = [(item_id, label) for item_id, label, held in planned if not held]
    size = batch_size or division.retention.batch_size
    pause_in = int(os.environ.get(PAUSE_ENV, "0") or 0)
    for start in range(0, len(todo), size):
        batch = dict(todo[start:start + size])
        with db.transaction() as session:
            done, files = _purge_batch(session, data_dir, batch, now, media)
            counts = Counter(batch[i] for i in done)
            if done:
                session.add(AuditEntry(at=now, actor=actor, action="purge", entity_type="retention", entity_id=f"batch-{report.batches + 1}",
                                       before=None, after={"items": len(done), "counts": dict(counts), "first_item": min(done), "last_item": max(done)}))
            session.flush()
            if pause_in and report.batches + 1 == pause_in:
                print(f"purge paused in batch {pause_in}", file=sys.stderr, flush=True)
                time.sleep(3600)
        # committed: only now are the files removed (a crash before this leaves them, never a row without its file)
        report.batches += 1
        report.counts.update(counts)
        for path in files:
            try:
                path.unlink(missing_ok=True)
                report.files_removed += 1
            except OSError as exc:
                report.files_failed += 1
                log.warning("purge: a media file could not be removed (%s)", type(exc).__name__)
    if report.total:
        log.info("purge: %d item(s) in %d batch(es), %d held", report.total, report.batches, sum(report.held.values()))
    return report


def _purge_batch(session: Session, data_dir: Path | None, batch: dict[int, str], now: datetime, media: MediaHook) -> tuple[list[int], list[Path]]:
    """Blank the batch's items that are still eligible (not purged, not held since the plan)."""
    rows = list(session.scalars(select(StoredItem).where(StoredItem.id.in_(list(batch)), StoredItem.purged_at.is_(None), ~is_held())))
    ids = [row.id for row in rows]
    if not ids:
        return [], []
    for row in rows:
        row.text, row.author_name, row.author_platform_id = "", "", None
        row.media, row.raw, row.purged_at = [], {}, now
    session.execute(update(ItemVersion).where(ItemVersion.item_id.in_(ids)).values(text="", media=[]).execution_options(synchronize_session=False))
    session.execute(update(QuarantinedItem).where(QuarantinedItem.item_id.in_(ids)).values(payload=None).execution_options(synchronize_session=False))
    files = media(session, data_dir, ids)
    session.flush()
    return ids, files

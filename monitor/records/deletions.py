"""Comments deleted on the platform are noticed and marked, never removed from the record.

Two ways to notice: a re-read that listed a recent post's comments to the end
(connectors.base.FetchResult.complete) without one stored before (`deleted_how` "re-read"), and
a Meta webhook `remove` delivery ("webhook"). A failed fetch returns no FetchResult and a post
listed partly is not in `complete`, so neither marks anything. The item keeps its text as
evidence; its review item says "deleted on the platform" and its history records the notice.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.models import AuditEntry, ReviewItem, StoredItem
from monitor.routing import SYSTEM_ACTOR, audit, snapshot

DELETED_LABEL = "deleted on the platform"


def mark_missing(session: Session, account_id: int, complete: Sequence[tuple[str, Sequence[str]]], now: datetime) -> list[StoredItem]:
    """Mark as deleted (re-read) the stored comments and replies of each fully listed post that the listing lacks."""
    marked: list[StoredItem] = []
    for post_id, listed in complete:
        present = set(listed)
        comments = list(session.scalars(select(StoredItem).where(
            StoredItem.account_id == account_id, StoredItem.kind == "comment", StoredItem.parent_platform_id == post_id)))
        replies: list[StoredItem] = []
        if comments:
            ids = [c.platform_id for c in comments]
            for start in range(0, len(ids), 500):
                replies.extend(session.scalars(select(StoredItem).where(
                    StoredItem.account_id == account_id, StoredItem.kind == "reply", StoredItem.parent_platform_id.in_(ids[start:start + 500]))))
        gone = [row for row in [*comments, *replies] if row.platform_id not in present]
        marked.extend(_mark(session, gone, now, "re-read"))
        for row in [*comments, *replies]:
            if row.platform_id in present and row.deleted_how == "re-read":
                # listed again (hidden and shown again, a platform hiccup): it is there after all
                row.deleted_at, row.deleted_how = None, None
                session.add(AuditEntry(at=now, actor=SYSTEM_ACTOR, action="listed_again", entity_type="item", entity_id=str(row.id),
                                       before={"deleted_how": "re-read"}, after=None))
    return marked


def mark_removed(session: Session, account_id: int, platform_ids: Iterable[str], now: datetime) -> list[StoredItem]:
    """Mark as deleted (webhook) the stored items a `remove` delivery names; unknown ids are ignored."""
    ids = list(dict.fromkeys(platform_ids))
    rows: list[StoredItem] = []
    for start in range(0, len(ids), 500):
        rows.extend(session.scalars(select(StoredItem).where(StoredItem.account_id == account_id, StoredItem.platform_id.in_(ids[start:start + 500]))))
    return _mark(session, rows, now, "webhook")


def _mark(session: Session, rows: Iterable[StoredItem], now: datetime, how: str) -> list[StoredItem]:
    marked = []
    for row in rows:
        if row.deleted_at is not None or row.purged_at is not None:
            continue
        row.deleted_at, row.deleted_how = now, how
        session.add(AuditEntry(at=now, actor=SYSTEM_ACTOR, action="deleted_on_platform", entity_type="item", entity_id=str(row.id),
                               before=None, after={"deleted_how": how}))
        review = session.scalar(select(ReviewItem).where(ReviewItem.item_id == row.id))
        if review is not None:
            # the queue's history shows it where the moderator looks
            state = snapshot(review)
            audit(session, SYSTEM_ACTOR, "deleted_on_platform", review, state, {**state, "deleted_how": how}, now)
        marked.append(row)
    session.flush()
    return marked

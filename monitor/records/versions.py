"""Every version of a stored item is kept: an edit on the platform never overwrites the old text.

`apply_edit` is what monitor.runs.store_items calls when a post or comment comes back with other
text, media or tags (a poll, an export, a Meta webhook `edited` delivery): the current text goes
to `item_versions`, the item takes the new one and is classified again (classified_at = None).
Findings carry the version they were made on (Finding.item_version), so an old version's findings
stay attached to it.

A delivery that carries the platform's own time of the change (a webhook's entry `time`, kept as
`raw["entry_time"]`) is compared with the stored version's: a replayed or older delivery never
overwrites newer text. A poll carries no such time: it reads the platform as it is now.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.items import Item
from monitor.models import ItemVersion, StoredItem

EDITED = "edited on the platform"


def platform_time(item: Item) -> datetime | None:
    """The platform's time of this state of the item, when the delivery says (webhook entry time)."""
    value = (item.raw or {}).get("entry_time")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    seconds = value / 1000 if value > 1e11 else value
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def media_of(item: Item) -> list[dict[str, Any]]:
    return [m.to_dict() for m in item.media]


def differs(row: StoredItem, item: Item) -> bool:
    """Other text, media or tags (tagged people are part of each media entry)."""
    return row.text != item.text or (row.media or []) != media_of(item)


def is_stale(row: StoredItem, item: Item) -> bool:
    """True when the delivery is no newer than the stored version by the platform's own clock."""
    when = platform_time(item)
    return when is not None and row.platform_changed_at is not None and when <= row.platform_changed_at


def apply_edit(session: Session, row: StoredItem, item: Item, now: datetime, why: str = EDITED) -> ItemVersion:
    """Keep the row's current version in item_versions, then make `item` the current one (pending classification)."""
    old = ItemVersion(
        item_id=row.id, version=row.version or 1, text=row.text, media=list(row.media or []),
        seen_from=row.version_seen_at or row.first_seen_at or now, seen_until=now,
        platform_time=row.platform_changed_at, why=why,
    )
    session.add(old)
    row.version = (row.version or 1) + 1
    row.text, row.media, row.raw = item.text, media_of(item), item.raw
    row.version_seen_at, row.classified_at = now, None
    row.platform_changed_at = platform_time(item) or row.platform_changed_at
    return old


def versions_of(session: Session, item_id: int) -> list[ItemVersion]:
    """Every version of the item, oldest first; the last is the current one.

    The earlier versions are the stored item_versions rows; the current one is a transient
    ItemVersion (never added to the session, `seen_until` None, `why` "current") built from the
    item itself, so a records export lists all versions the same way. Empty for an unknown id.
    """
    row = session.get(StoredItem, item_id)
    if row is None:
        return []
    older = list(session.scalars(select(ItemVersion).where(ItemVersion.item_id == item_id).order_by(ItemVersion.version)))
    current = ItemVersion(
        item_id=row.id, version=row.version or 1, text=row.text, media=list(row.media or []),
        seen_from=row.version_seen_at or row.first_seen_at, seen_until=None, platform_time=row.platform_changed_at, why="current",
    )
    return [*older, current]

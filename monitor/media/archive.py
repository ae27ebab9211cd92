"""Photos of an item's earlier versions: kept when an edit replaces them, found again for the records.

An item's versions are public records (monitor.records.versions), and what a version showed is
part of it. When an edit puts another photo at a position of the item's `media` list, the fetch
(monitor.media.store) starts that position's stored_media row over for the new photo; first,
in the same transaction, `keep_replaced` copies the old row's file into archived_media for every
earlier version that showed it (its URL at that position). So the file always has a row pointing
at it, whether the new photo is then fetched or the fetch fails, and it stays until retention
purges the item (monitor.media.store.delete_item_media); a legal hold keeps it as it keeps the item.

`version_photos` is what the records export reads: for each earlier version and position, the
archived photo, or, when that photo was never replaced since (an edit of the text only), the
photo stored now. The current-photo readers (item page, photo route, `queue show`, thumbnails,
the classifier's input) read stored_media alone and never see this table.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.models import ArchivedMedia, ItemVersion, StoredMedia


def photo_url(media: object, position: int) -> str | None:
    """The URL of the photo at `position` of a stored media list; None for a video, a gap or no URL."""
    if not isinstance(media, list) or not 0 <= position < len(media):
        return None
    entry = media[position]
    if not isinstance(entry, dict) or entry.get("type", "photo") != "photo":
        return None
    url = entry.get("url")
    return url if isinstance(url, str) and url else None


def keep_replaced(session: Session, row: StoredMedia, now: datetime) -> int:
    """Archive the file of `row` (about to be started over) for each earlier version that showed it.

    A version already holding an archived photo at that position keeps it. Returns how many rows
    were added; none when the row has no stored file (every fetch of it failed)."""
    if row.path is None or row.content_type is None or not row.source_url:
        return 0
    kept = set(session.scalars(select(ArchivedMedia.version).where(
        ArchivedMedia.item_id == row.item_id, ArchivedMedia.position == row.position)))
    added = 0
    for version in session.scalars(select(ItemVersion).where(ItemVersion.item_id == row.item_id).order_by(ItemVersion.version)):
        if version.version in kept or photo_url(version.media, row.position) != row.source_url:
            continue
        session.add(ArchivedMedia(
            item_id=row.item_id, version=version.version, position=row.position, source_url=row.source_url, path=row.path,
            content_type=row.content_type, bytes=row.bytes, sha256=row.sha256, width=row.width, height=row.height,
            fetched_at=row.fetched_at, archived_at=now,
        ))
        added += 1
    return added


def version_photos(session: Session, item_id: int) -> dict[int, dict[int, str]]:
    """{version: {position: path relative to the data directory}} of the item's earlier versions.

    Only versions with a stored photo appear; the caller checks that the file is there."""
    versions = list(session.scalars(select(ItemVersion).where(ItemVersion.item_id == item_id)))
    if not versions:
        return {}  # never edited: nothing earlier to show (and no query on the media tables)
    found: dict[int, dict[int, str]] = {}
    for archived in session.scalars(select(ArchivedMedia).where(ArchivedMedia.item_id == item_id)):
        found.setdefault(archived.version, {})[archived.position] = archived.path
    current = {m.position: m for m in session.scalars(select(StoredMedia).where(StoredMedia.item_id == item_id, StoredMedia.path.is_not(None)))}
    if not current:
        return found
    for version in versions:
        for position, row in current.items():
            url = photo_url(version.media, position)
            if url is not None and url == row.source_url and position not in found.get(version.version, {}):
                found.setdefault(version.version, {})[position] = str(row.path)
    return found


def earlier_photos(session: Session, item_id: int, root: Path) -> dict[int, list[int]]:
    """{version: [positions]} of the earlier versions' photos whose file is there to serve: the item
    page draws an <img> only for these, so it never points at a photo the route answers with a 404."""
    return {version: sorted(p for p, relative in photos.items() if (root / relative).is_file())
            for version, photos in version_photos(session, item_id).items()}

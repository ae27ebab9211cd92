"""Stored photos: which photos still need fetching, the files under `<data_dir>/media/`, their rows.

A file is named from the SHA-256 of its bytes (`media/ab/abcdef….jpg`), never from the platform's
file name, and written to a temporary file first and renamed, so a crash leaves either the whole
file or none. The same bytes posted twice are one file with two rows; a file is removed only
when no row points at it any more (a stored_media row, or an archived_media row of an earlier
version: an edit that replaces a photo keeps the old one for the version that showed it, see
monitor.media.archive).

The monitor calls `fetch_account_media` between storing an account's items and classifying them
(monitor.runs); `with_local_media` then gives the classifier each fetched photo's file, so faces
are counted on the real image. Each photo is fetched and recorded on its own: a failure is stored
on its row (redacted) and retried by later runs up to MAX_ATTEMPTS times; it never fails the item,
the account or the run. Retention (monitor.records) calls `delete_item_media`.
"""
from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import Text, cast, delete, event, exists, or_, select
from sqlalchemy.orm import Session

from connectors.items import Item
from monitor.db import Database, is_database_gone
from monitor.media.fetch import FetchedImage, MediaFetchError, fetch_image, new_client
from monitor.media import archive
from monitor.models import ArchivedMedia, StoredItem, StoredMedia, utcnow
from monitor.redact import safe_message

log = logging.getLogger("hallwatch.media")

MEDIA_DIR = "media"
THUMBS_DIR = "thumbs"
# a photo that failed this many times is left alone (the error stays on its row for the reviewer)
MAX_ATTEMPTS = 4
# at most this many items' photos per account and run, and at most this long: a back-fill of old
# items, or a media host that hangs until every deadline, spreads over runs instead of holding one up
ITEMS_PER_RUN = 200
BUDGET_SECONDS = 120.0
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}

Fetch = Callable[[str], FetchedImage]


@dataclass
class MediaOutcome:
    fetched: int = 0
    failed: int = 0
    deferred: int = 0


def data_root(db: Database, division: object, data_dir: Path | None) -> Path:
    """The data directory as the rest of the monitor uses it: beside the SQLite file when no
    --data-dir was given (the same rule as the e-mail outbox), else the division's data directory."""
    from monitor.notify import outbox_for

    return outbox_for(db, division, data_dir).parent  # type: ignore[arg-type]


def media_path(root: Path, relative: str) -> Path:
    return root / relative


def stored_file(root: Path | None, row: StoredMedia | None) -> Path | None:
    """The file a photo's row points at, when there is one to serve: the one rule the photo route
    and the item page share, so the page never draws an <img> the route answers with a 404.

    With no `root` (a caller that cannot look at the data directory) the row alone decides."""
    if row is None or row.path is None or row.content_type is None:
        return None
    path = root / row.path if root is not None else Path(row.path)
    if root is not None and not path.is_file():
        return None  # the row outlived its file (a restore without the data directory)
    return path


def write_file(root: Path, data: bytes, content_type: str) -> tuple[str, str]:
    """Store `data` under root/media by its SHA-256, atomically; returns (relative path, sha256)."""
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    relative = f"{MEDIA_DIR}/{digest[:2]}/{digest}.{EXTENSIONS.get(content_type, 'bin')}"
    target = root / relative
    if target.is_file() and target.stat().st_size == len(data):
        return relative, digest  # the same bytes are already here
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o640)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return relative, digest


def _photos(item_media: object) -> list[tuple[int, str | None]]:
    """(position, url) of each photo in a stored item's media list; videos are not fetched."""
    if not isinstance(item_media, list):
        return []
    found = []
    for position, entry in enumerate(item_media):
        if isinstance(entry, dict) and entry.get("type", "photo") == "photo":
            url = entry.get("url")
            found.append((position, url if isinstance(url, str) else None))
    return found


@dataclass(frozen=True)
class _Wanted:
    item_id: int
    position: int
    url: str | None


def pending_photos(session: Session, account_id: int, limit: int = ITEMS_PER_RUN) -> list[_Wanted]:
    """The account's photos to fetch now: never tried, changed since (an edited item), or failed
    fewer than MAX_ATTEMPTS times."""
    has_photo = cast(StoredItem.media, Text).like('%"photo"%')
    no_row = ~exists().where(StoredMedia.item_id == StoredItem.id)
    retry = exists().where(StoredMedia.item_id == StoredItem.id, StoredMedia.path.is_(None), StoredMedia.attempts < MAX_ATTEMPTS)
    items = list(session.scalars(
        select(StoredItem)
        .where(StoredItem.account_id == account_id, has_photo, or_(no_row, retry, StoredItem.classified_at.is_(None)))
        .order_by(StoredItem.id.desc())
        .limit(limit)
    ))
    if not items:
        return []
    rows = {(r.item_id, r.position): r for r in session.scalars(select(StoredMedia).where(StoredMedia.item_id.in_([i.id for i in items])))}
    wanted = []
    for item in items:
        for position, url in _photos(item.media):
            row = rows.get((item.id, position))
            if row is None or row.source_url != (url or ""):
                wanted.append(_Wanted(item.id, position, url))
            elif row.path is None and row.attempts < MAX_ATTEMPTS:
                wanted.append(_Wanted(item.id, position, url))
    return wanted


def fetch_account_media(
    db: Database,
    account_id: int,
    root: Path,
    *,
    fetch: Fetch | None = None,
    local_roots: Sequence[Path] = (),
    now: Callable[[], datetime] = utcnow,
    budget: float = BUDGET_SECONDS,
) -> MediaOutcome:
    """Fetch and store the account's pending photos, each recorded in its own transaction.

    Photos not reached within `budget` seconds wait for the next run, with no attempt counted."""
    outcome = MediaOutcome()
    with db.sessions() as session:
        wanted = pending_photos(session, account_id)
    if not wanted:
        return outcome
    client = None
    if fetch is None:
        client = new_client()
        http = client

        def fetch(url: str) -> FetchedImage:
            return fetch_image(url, client=http, local_roots=local_roots)
    started = time.monotonic()
    try:
        for done, photo in enumerate(wanted):
            # the budget is checked between items, never between the photos of one item: an item
            # with a row for some photos and none for others would not be picked up again
            new_item = done == 0 or wanted[done - 1].item_id != photo.item_id
            if new_item and time.monotonic() - started > budget:
                outcome.deferred = len(wanted) - done
                log.warning("account %d: %d photo(s) left for the next run (media fetch budget of %g s used)", account_id, outcome.deferred, budget)
                break
            try:
                _fetch_one(db, root, photo, fetch, now, outcome)
            except Exception as exc:  # noqa: BLE001  (this photo's row could not be written: the next run tries again)
                if is_database_gone(exc):
                    raise
                outcome.failed += 1
                log.error("account %d: a photo's record could not be written (%s)", account_id, safe_message(exc))
    finally:
        if client is not None:
            client.close()
    if outcome.failed:
        log.warning("account %d: %d photo(s) not fetched this run (errors on their stored_media rows)", account_id, outcome.failed)
    return outcome


def _fetch_one(db: Database, root: Path, photo: _Wanted, fetch: Fetch, now: Callable[[], datetime], outcome: MediaOutcome) -> None:
    image: FetchedImage | None = None
    relative = digest = None
    error: str | None = None
    permanent = False
    try:
        if not photo.url:
            raise MediaFetchError("the platform gave no URL for this photo", permanent=True)
        image = fetch(photo.url)
        relative, digest = write_file(root, image.data, image.content_type)
    except MediaFetchError as exc:
        error = str(exc)
        permanent = exc.permanent
    except Exception as exc:  # noqa: BLE001  (a disk or decoder failure is this photo's, never the run's)
        if is_database_gone(exc):
            raise
        error = f"the photo could not be stored ({safe_message(exc)})"
    moment = now()
    replaced: str | None = None
    with db.transaction() as session:
        item = session.get(StoredItem, photo.item_id)
        if item is None:
            return  # the item went (retention) while its photo was fetched
        row = session.scalar(select(StoredMedia).where(StoredMedia.item_id == photo.item_id, StoredMedia.position == photo.position))
        if row is None:
            row = StoredMedia(item_id=photo.item_id, position=photo.position, source_url=photo.url or "", attempts=0)
            session.add(row)
        elif row.source_url != (photo.url or ""):
            # an edited item with another photo at this place: the old photo is kept for the earlier
            # version(s) that showed it, then the row starts over (the file goes only if nothing keeps it)
            archive.keep_replaced(session, row, moment)
            replaced, row.source_url, row.attempts = row.path, photo.url or "", 0
        row.attempts += 1
        row.last_tried_at = moment
        if image is not None and relative is not None:
            row.path, row.sha256, row.content_type = relative, digest, image.content_type
            row.bytes, row.width, row.height, row.fetched_at, row.error = len(image.data), image.width, image.height, moment, None
            outcome.fetched += 1
            if item.classified_at is not None and item.purged_at is None:
                # judged before its photo arrived (a failed fetch retried, a webhook or an import):
                # classified again on the photo itself; findings already filed are not filed twice
                item.classified_at = None
        else:
            if replaced is not None:
                row.path = row.sha256 = row.content_type = None
                row.bytes = row.width = row.height = row.fetched_at = None
            row.error = error
            if permanent:
                row.attempts = max(row.attempts, MAX_ATTEMPTS)
            outcome.failed += 1
        if replaced is not None and replaced != row.path:
            _remove_after_commit(session, root, [replaced])


def with_local_media(session: Session, rows: Sequence[StoredItem], items: Sequence[Item], root: Path | None) -> list[Item]:
    """`items` (built from `rows`) with each fetched photo's local file in Media.local_path.

    With a `root` (a monitoring run), a photo without a stored file keeps only an http(s) URL
    (which the classifier never reads): a local path or file: URL in platform data is not read.
    Without one (an import outside a run), the items are returned as they are."""
    if root is None:
        return list(items)
    stored: dict[tuple[int, int], StoredMedia] = {}
    ids = [r.id for r in rows if r.media]
    if ids:
        stored = {(m.item_id, m.position): m for m in session.scalars(
            select(StoredMedia).where(StoredMedia.item_id.in_(ids), StoredMedia.path.is_not(None)))}
    result = []
    for row, item in zip(rows, items, strict=True):
        if not item.media:
            result.append(item)
            continue
        media = []
        for position, m in enumerate(item.media):
            found = stored.get((row.id, position))
            if found is not None and found.path and (root / found.path).is_file():
                m = replace(m, local_path=str(root / found.path))
            elif m.url and not m.url.lower().startswith(("http://", "https://")):
                m = replace(m, url=None)
            media.append(m)
        result.append(replace(item, media=media))
    return result


def delete_item_media(session: Session, data_dir: Path, item_ids: Iterable[int]) -> int:
    """Remove the stored photos of these items, their earlier versions' too: rows now, files once
    the session commits.

    For retention (monitor.records purge): the caller commits. A file another item's row still
    points at (the same bytes posted twice) stays; a file already gone is fine. Thumbnails go too.
    Returns how many rows (stored and archived) were deleted."""
    ids = sorted(set(item_ids))
    if not ids:
        return 0
    paths: set[str] = set()
    count = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        paths |= {p for p in session.scalars(select(StoredMedia.path).where(StoredMedia.item_id.in_(chunk), StoredMedia.path.is_not(None)))}
        paths |= set(session.scalars(select(ArchivedMedia.path).where(ArchivedMedia.item_id.in_(chunk))))
        count += session.execute(delete(StoredMedia).where(StoredMedia.item_id.in_(chunk))).rowcount or 0
        count += session.execute(delete(ArchivedMedia).where(ArchivedMedia.item_id.in_(chunk))).rowcount or 0
    session.flush()
    _remove_after_commit(session, data_dir, sorted(paths))
    return count


def _remove_after_commit(session: Session, root: Path, paths: list[str]) -> None:
    """Delete the files once the transaction commits, each only if no row (stored or archived) points at it then."""
    if not paths:
        return

    def remove(committed: Session) -> None:
        try:
            with Session(bind=committed.get_bind()) as fresh:
                still = set(fresh.scalars(select(StoredMedia.path).where(StoredMedia.path.in_(paths))))
                still |= set(fresh.scalars(select(ArchivedMedia.path).where(ArchivedMedia.path.in_(paths))))
        except Exception as exc:  # noqa: BLE001
            log.error("stored photos not removed after commit (%s); they are orphans now", safe_message(exc))
            return
        for relative in paths:
            if relative in still:
                continue
            for path in (root / relative, thumbnail_path(root, relative)):
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:
                    log.error("a stored photo could not be removed (%s)", type(exc).__name__)

    event.listen(session, "after_commit", remove, once=True)


def thumbnail_path(root: Path, relative: str) -> Path:
    """Where the thumbnail of a stored file is cached (named from the same hash)."""
    name = Path(relative).stem
    return root / MEDIA_DIR / THUMBS_DIR / f"{name}.jpg"

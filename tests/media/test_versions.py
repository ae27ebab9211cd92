"""Photos of earlier item versions kept as records, inside real monitoring cycles on SQLite and
PostgreSQL: an edit that replaces a photo keeps the old file for the old version (whether the new
one is fetched or not), while the item page, the photo route and the classifier see the new one;
the same bytes are one file, kept while any row points at it; retention removes the kept photos
with their item and a legal hold keeps them."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from starlette.testclient import TestClient

from classifiers.findings import Finding as ClassifierFinding
from connectors.items import Item
from connectors.sample import SAMPLE_IMAGES
from monitor.config import Division, load_division
from monitor.db import Database
from monitor.media.store import delete_item_media
from monitor.models import ArchivedMedia, ReviewItem, StoredItem, StoredMedia
from monitor.records import holds
from monitor.records.retention import purge
from monitor.web.app import create_app
from tests.media.image_server import IMAGE, ImageServer
from tests.media.test_runs import T0, PhotoConnector, SeeingAnalyzer, cycle, media_rows
from tests.queue.helpers import COMMS, WILLOW_ADMIN, make_user
from tests.records.conftest import RETENTION
from tests.web.conftest import SECRET, sign_in

SECOND = (SAMPLE_IMAGES / "wcfb-4.png").read_bytes()
HOUR = timedelta(hours=1)


class FlaggingAnalyzer(SeeingAnalyzer):
    """Flags every item's photo, so each item has a review item and an item page."""

    def __call__(self, items: Sequence[Item]) -> list[list[ClassifierFinding]]:
        super().__call__(items)
        return [[ClassifierFinding("photo_no_consent", 0.9, None, None, None, "AP1311 2.2.3", "medium", "a photo of students")] for _ in items]


def item_id(db: Database, platform_id: str) -> int:
    with db.sessions() as s:
        return s.scalar(select(StoredItem.id).where(StoredItem.platform_id == platform_id))


def archived(db: Database, item: int) -> dict[tuple[int, int], ArchivedMedia]:
    with db.sessions() as s:
        return {(a.version, a.position): a for a in s.scalars(select(ArchivedMedia).where(ArchivedMedia.item_id == item))}


def files(data: Path) -> set[Path]:
    """The stored originals under the data directory (thumbnails aside)."""
    return {p for p in (data / "media").rglob("*.*") if p.is_file() and "thumbs" not in p.parts}


def edited(db: Database, division: Division, server: ImageServer, data: Path, *, analyzer: type[SeeingAnalyzer] = SeeingAnalyzer,
           second: str = "/ok.png?v=2") -> tuple[int, SeeingAnalyzer]:
    """Post "p" fetched with IMAGE, then edited on the platform to another photo URL and fetched
    again (the server now sends SECOND); returns the item's id and what the classifier saw last."""
    cycle(db, division, PhotoConnector({"p": [server.url("/ok.png?v=1")]}), data, analyzer())
    server.image = SECOND
    seen = analyzer()
    cycle(db, division, PhotoConnector({"p": [server.url(second)]}), data, seen, at=T0 + HOUR)
    return item_id(db, "p"), seen


def test_an_edit_replacing_a_photo_keeps_the_old_file_for_the_old_version_and_shows_the_new_one(
        db: Database, config_dir: Path, server: ImageServer, tmp_path: Path) -> None:
    division = load_division(config_dir)
    data = tmp_path / "data"
    item, seen = edited(db, division, server, data, analyzer=FlaggingAnalyzer)
    current = media_rows(db)[("p", 0)]
    old = archived(db, item)[(1, 0)]
    assert (data / old.path).read_bytes() == IMAGE and (data / current.path).read_bytes() == SECOND, "both files are on disk"
    assert old.path != current.path and old.source_url.endswith("?v=1") and old.sha256 in old.path
    assert (old.width, old.height, old.bytes, old.content_type) == (640, 480, len(IMAGE), "image/png")
    assert set(archived(db, item)) == {(1, 0)}, "kept for the version that showed it, and only that one"
    assert seen.seen["p"] == [str(data / current.path)], "the classifier judged the edited item on its new photo"

    # the item page and the photo route show the current photo, as before
    make_user(db, division, COMMS, "communications_manager")
    with db.sessions() as s:
        review = s.scalar(select(ReviewItem.id).where(ReviewItem.item_id == item))
    app = create_app(db, division, secret_key=SECRET, now=lambda: T0 + HOUR, data_dir=data)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        sign_in(client, COMMS)
        page = client.get(f"/items/{review}").text
        assert page.count(f'<img src="/item/{item}/media/0"') == 1
        full = client.get(f"/item/{item}/media/0?size=full")
        assert full.status_code == 200 and full.content == SECOND
        assert client.get(f"/item/{item}/media/0").status_code == 200, "the thumbnail of the new photo"
        # the earlier version's photo under "Earlier versions", from its own route
        assert page.count(f'<img src="/item/{item}/versions/1/media/0"') == 1
        old_full = client.get(f"/item/{item}/versions/1/media/0?size=full")
        assert old_full.status_code == 200 and old_full.content == IMAGE and old_full.headers["content-type"] == "image/png"
        assert client.get(f"/item/{item}/versions/1/media/0").headers["content-type"] == "image/jpeg", "a thumbnail by default"
        assert client.get(f"/item/{item}/versions/2/media/0").status_code == 404, "the current version is served by the item's own route"
        assert client.get(f"/item/{item}/versions/1/media/1").status_code == 404
    # someone who may not see the account gets the same 404 as for a photo that does not exist
    make_user(db, division, WILLOW_ADMIN, "account_admin")  # Willow Creek's admin: not the division account
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        assert client.get(f"/item/{item}/versions/1/media/0?size=full").status_code == 404, "signed out"
        sign_in(client, WILLOW_ADMIN)
        assert client.get(f"/item/{item}/versions/1/media/0?size=full").status_code == 404


def test_a_failed_fetch_of_the_new_photo_keeps_the_old_one_for_the_old_version(db: Database, config_dir: Path, server: ImageServer, tmp_path: Path) -> None:
    division = load_division(config_dir)
    data = tmp_path / "data"
    item, seen = edited(db, division, server, data, second="/missing")
    current = media_rows(db)[("p", 0)]
    assert current.path is None and current.error == "the media host answered HTTP 404" and current.attempts == 1
    old = archived(db, item)[(1, 0)]
    assert (data / old.path).read_bytes() == IMAGE, "the earlier version's photo is still there"
    assert seen.seen["p"] == [None], "the old photo is never given to the classifier as the edited item's"
    # the new photo arrives on a later run: the old one is still kept for version 1
    server.image = SECOND
    cycle(db, division, PhotoConnector({"p": [server.url("/missing")]}), data, SeeingAnalyzer(), at=T0 + 2 * HOUR)
    assert (data / archived(db, item)[(1, 0)].path).read_bytes() == IMAGE


def test_the_same_bytes_in_two_versions_are_one_file_kept_while_any_row_points_at_it(
        db: Database, config_dir: Path, server: ImageServer, tmp_path: Path) -> None:
    division = load_division(config_dir)
    data = tmp_path / "data"
    posts = {"p": [server.url("/ok.png?v=1")], "q": [server.url("/ok.png?q")]}
    cycle(db, division, PhotoConnector(posts), data, SeeingAnalyzer())
    server.image = SECOND
    cycle(db, division, PhotoConnector({**posts, "p": [server.url("/ok.png?v=2")]}), data, SeeingAnalyzer(), at=T0 + HOUR)
    p, q = item_id(db, "p"), item_id(db, "q")
    first = archived(db, p)[(1, 0)].path
    assert media_rows(db)[("q", 0)].path == first and len(files(data)) == 2
    # q is purged (its media blanked, then retention's hook): its photo's file is still version 1's of p, so it stays
    with db.transaction() as s:
        s.get(StoredItem, q).media = []
        assert delete_item_media(s, data, [q]) == 1
    assert (data / first).read_bytes() == IMAGE
    # p is edited back to the first photo (another URL, the same bytes): still one file for both versions
    server.image = IMAGE
    cycle(db, division, PhotoConnector({"p": [server.url("/ok.png?v=3")]}), data, SeeingAnalyzer(), at=T0 + 2 * HOUR)
    kept = archived(db, p)
    assert media_rows(db)[("p", 0)].path == kept[(1, 0)].path == first and (data / kept[(2, 0)].path).read_bytes() == SECOND
    assert len(files(data)) == 2
    with db.transaction() as s:
        assert delete_item_media(s, data, [p]) == 3  # the current row and two archived
    assert files(data) == set()
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ArchivedMedia)) == 0


def retention_division(config_dir: Path) -> Division:
    path = config_dir / "division.yaml"
    path.write_text(path.read_text(encoding="utf-8") + RETENTION, encoding="utf-8")
    return load_division(config_dir)


def test_retention_removes_the_old_versions_photos_with_the_item(db: Database, config_dir: Path, server: ImageServer, tmp_path: Path) -> None:
    division = retention_division(config_dir)
    data = tmp_path / "data"
    item, _ = edited(db, division, server, data)
    both = files(data)
    assert len(both) == 2
    report = purge(db, division, T0 + timedelta(days=100), data_dir=data)
    assert report.total == 1 and files(data) == set() and not any(p.exists() for p in both)
    with db.sessions() as s:
        assert s.get(StoredItem, item).purged_at is not None
        assert s.scalar(select(func.count()).select_from(ArchivedMedia)) == 0
        assert s.scalar(select(func.count()).select_from(StoredMedia)) == 0


def test_a_legal_hold_keeps_the_old_versions_photos_until_released(db: Database, config_dir: Path, server: ImageServer, tmp_path: Path) -> None:
    division = retention_division(config_dir)
    data = tmp_path / "data"
    item, _ = edited(db, division, server, data)
    both = files(data)
    later = T0 + timedelta(days=100)
    with db.transaction() as s:
        hold = holds.add_hold(s, division, reason="records request 2026-117", actor=COMMS, now=later, item_id=item).id
    report = purge(db, division, later, data_dir=data)
    assert report.total == 0 and sum(report.held.values()) == 1
    assert files(data) == both and len(both) == 2
    assert (data / archived(db, item)[(1, 0)].path).read_bytes() == IMAGE
    with db.transaction() as s:
        holds.release_hold(s, division, hold, actor=COMMS, now=later)
    assert purge(db, division, later, data_dir=data).total == 1
    assert files(data) == set()

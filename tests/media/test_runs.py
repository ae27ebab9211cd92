"""Photos fetched inside a real monitoring cycle, on SQLite and PostgreSQL: stored by hash, given to
the classifier as local files, failures recorded and retried a bounded number of times, nothing lost."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select

from classifiers.findings import Finding as ClassifierFinding
from connectors.base import AccountRef, FetchResult
from connectors.items import Author, Item, Media
from connectors.registry import get_connector
from monitor.config import load_division
from monitor.db import Database
from monitor.media.fetch import sniff
from monitor.media.store import MAX_ATTEMPTS
from monitor.models import StoredItem, StoredMedia
from monitor.runs import run_cycle
from tests.media.image_server import IMAGE, ImageServer, closed_port

ACCOUNT = "prairie-hills-sd-fb"
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


class PhotoConnector:
    """The account's platform, answering with posts whose photos are on the local image server."""

    platform = "facebook"

    def __init__(self, posts: dict[str, list[str | None]]) -> None:
        self.posts = posts

    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        items = [Item(platform="facebook", platform_id=pid, account=account.name, kind="post", text=f"post {pid}",
                      author=Author("Prairie Hills School Division", is_account=True), created_at=T0,
                      media=[Media("photo", url=u) for u in urls]) for pid, urls in self.posts.items()]
        return FetchResult(items=items, cursor="c", calls=1)


class SeeingAnalyzer:
    """Records what the classifier was given for each photo: the local file it may read, or nothing."""

    def __init__(self) -> None:
        self.seen: dict[str, list[str | None]] = {}

    def __call__(self, items: Sequence[Item]) -> list[list[ClassifierFinding]]:
        for item in items:
            self.seen[item.platform_id] = [m.local_path for m in item.media]
        return [[] for _ in items]


def cycle(db: Database, division, connector: PhotoConnector, data_dir: Path, analyzer: SeeingAnalyzer, *, at: datetime = T0, only: str | None = ACCOUNT):  # noqa: ANN001
    return run_cycle(db, division, only=only, everything=only is None, analyze=analyzer, now=lambda: at, data_dir=data_dir,
                     connector_for=lambda ref: connector if ref.name == ACCOUNT else get_connector(ref))


def media_rows(db: Database) -> dict[tuple[str, int], StoredMedia]:
    with db.sessions() as s:
        rows = s.execute(select(StoredMedia, StoredItem.platform_id).join(StoredItem, StoredItem.id == StoredMedia.item_id)).all()
    return {(pid, m.position): m for m, pid in rows}


def test_photos_are_fetched_between_store_and_classify_and_failures_stop_nothing(db: Database, config_dir: Path, server: ImageServer, tmp_path: Path) -> None:
    division = load_division(config_dir)
    refused = f"http://127.0.0.1:{closed_port()}/gone.png"
    connector = PhotoConnector({
        "good": [server.url("/ok.png?access_token=SECRET")],
        "mixed": [server.url("/missing"), server.url("/octet.png")],
        "html": [server.url("/html-as-jpeg")], "big": [server.url("/big-stream")], "refused": [refused], "nourl": [None],
    })
    analyzer = SeeingAnalyzer()
    data = tmp_path / "data"
    report = cycle(db, division, connector, data, analyzer, only=None)
    assert report.status == "ok" and len(report.accounts) == len(division.accounts)  # every account, this one included, completed
    outcome = next(o for o in report.accounts if o.account == ACCOUNT)
    assert (outcome.new_items, outcome.classified, outcome.photos_fetched, outcome.photos_failed) == (6, 6, 2, 5)
    rows = media_rows(db)
    good = rows[("good", 0)]
    # named from the bytes' SHA-256 under <data_dir>/media, with what was sniffed and measured
    assert good.path is not None and good.path.startswith("media/") and good.sha256 in good.path and "ok.png" not in good.path
    assert (data / good.path).read_bytes() == IMAGE and sniff(IMAGE) == good.content_type == "image/png"
    assert (good.width, good.height, good.bytes, good.attempts, good.error) == (640, 480, len(IMAGE), 1, None)
    assert rows[("mixed", 1)].path == good.path  # the same bytes twice: one file, two rows
    assert not list((data / "media").rglob(".part-*"))  # no temporary file left behind
    errors = {key: row.error for key, row in rows.items() if row.path is None}
    assert errors == {
        ("mixed", 0): "the media host answered HTTP 404", ("html", 0): "not an image: the bytes are not JPEG, PNG, GIF or WebP",
        ("big", 0): "the photo is larger than 10 MiB", ("refused", 0): "could not connect to the media host",
        ("nourl", 0): "the platform gave no URL for this photo",
    }
    assert all("SECRET" not in (row.source_url if row.path is None else "") and "SECRET" not in (row.error or "") for row in rows.values())
    # the classifier was given the stored file for each fetched photo, nothing for the rest
    assert analyzer.seen["good"] == [str(data / good.path)]
    assert analyzer.seen["mixed"] == [None, str(data / good.path)]
    assert analyzer.seen["html"] == analyzer.seen["refused"] == [None]
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(StoredItem).where(StoredItem.classified_at.is_(None))) == 0


def test_failed_photos_are_retried_a_bounded_number_of_times(db: Database, config_dir: Path, server: ImageServer, tmp_path: Path) -> None:
    division = load_division(config_dir)
    connector = PhotoConnector({"flaky": [server.url("/flaky.png")], "missing": [server.url("/missing")], "nourl": [None]})
    data = tmp_path / "data"
    cycle(db, division, connector, data, SeeingAnalyzer())
    assert media_rows(db)[("flaky", 0)].attempts == 1 and server.hits("/flaky.png") == 1
    server.fixed = True  # the media host is back: the next run stores the photo
    again = SeeingAnalyzer()
    cycle(db, division, connector, data, again, at=T0 + timedelta(hours=1))
    rows = media_rows(db)
    # the item judged on its caption alone the first time is judged again on the photo itself
    assert again.seen["flaky"] == [str(data / rows[("flaky", 0)].path)] and "missing" not in again.seen
    assert rows[("flaky", 0)].path is not None and rows[("flaky", 0)].attempts == 2 and rows[("flaky", 0)].error is None
    for n in range(2, MAX_ATTEMPTS + 3):
        cycle(db, division, connector, data, SeeingAnalyzer(), at=T0 + timedelta(hours=n))
    rows = media_rows(db)
    assert server.hits("/missing") == MAX_ATTEMPTS == rows[("missing", 0)].attempts  # then it is left alone
    assert server.hits("/flaky.png") == 2  # a stored photo is never fetched again
    assert rows[("nourl", 0)].attempts == MAX_ATTEMPTS  # nothing to retry without a URL


def test_an_edited_item_with_a_new_photo_is_fetched_again_and_the_old_file_stays_for_the_old_version(db: Database, config_dir: Path, server: ImageServer, tmp_path: Path) -> None:
    from tests.media.image_server import ImageServer as Second

    division = load_division(config_dir)
    data = tmp_path / "data"
    cycle(db, division, PhotoConnector({"p": [server.url("/ok.png")]}), data, SeeingAnalyzer())
    old = media_rows(db)[("p", 0)].path
    assert old and (data / old).is_file()
    with Second() as other:
        other.image = (Path(__file__).resolve().parents[2] / "connectors/sample_images/wcfb-4.png").read_bytes()
        analyzer = SeeingAnalyzer()
        cycle(db, division, PhotoConnector({"p": [other.url("/ok.png")]}), data, analyzer, at=T0 + timedelta(hours=1))
    row = media_rows(db)[("p", 0)]
    assert row.path != old and (data / row.path).read_bytes() == other.image and row.attempts == 1
    assert (data / old).read_bytes() == IMAGE  # the earlier version's photo is a record too (tests/media/test_versions.py)
    assert analyzer.seen["p"] == [str(data / row.path)]  # the edited item was classified on its new photo


def test_a_photo_url_from_the_platform_is_never_read_as_a_local_file(db: Database, config_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "not-for-strangers.png"
    secret.write_bytes(IMAGE)
    division = load_division(config_dir)
    analyzer = SeeingAnalyzer()
    seen_urls: list[str | None] = []

    def remember(items):  # noqa: ANN001, ANN202
        seen_urls.extend(m.url for i in items for m in i.media)
        return analyzer(items)

    run_cycle(db, division, everything=True, analyze=remember, now=lambda: T0, data_dir=tmp_path / "data",
              connector_for=lambda ref: PhotoConnector({"p": [secret.as_uri()], "q": [str(secret)]}) if ref.name == ACCOUNT else get_connector(ref))
    rows = media_rows(db)
    assert rows[("p", 0)].error == "file URLs are read only from the bundled demo images" and rows[("p", 0)].path is None
    assert rows[("q", 0)].path is None
    assert analyzer.seen["p"] == analyzer.seen["q"] == [None] and str(secret) not in " ".join(u or "" for u in seen_urls)


def test_photos_past_the_time_budget_wait_for_the_next_run_with_no_attempt_counted(db: Database, server: ImageServer, tmp_path: Path) -> None:
    from monitor.media.store import fetch_account_media
    from tests.queue.helpers import WILLOW, add_item, example_division

    with db.transaction() as session:
        item, _ = add_item(session, example_division(), WILLOW, [])
        item.media = [{"type": "photo", "url": server.url("/ok.png")}, {"type": "photo", "url": server.url("/octet.png")}]
        account_id = item.account_id
    later = fetch_account_media(db, account_id, tmp_path, budget=0.0)
    assert (later.fetched, later.failed, later.deferred) == (0, 0, 2) and media_rows(db) == {} and server.requests == []
    done = fetch_account_media(db, account_id, tmp_path)
    assert (done.fetched, done.deferred) == (2, 0) and all(r.attempts == 1 for r in media_rows(db).values())

"""delete_item_media (the retention hook rec15a's purge calls) and migrations 0007 and 0012, on SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, func, inspect, select

from monitor.db import Database, downgrade, upgrade
from monitor.media.store import delete_item_media, thumbnail_path, write_file
from monitor.media.thumbs import thumbnail
from monitor.models import StoredItem, StoredMedia, utcnow
from tests.media.image_server import IMAGE
from tests.queue.helpers import WILLOW, add_item, example_division

OTHER = (Path(__file__).resolve().parents[2] / "connectors/sample_images/wcfb-4.png").read_bytes()


def stored(db: Database, root: Path, photos: list[bytes]) -> tuple[int, list[str]]:
    """An item with these photos stored as a run would store them; (item id, relative paths)."""
    division = example_division()
    with db.transaction() as session:
        item, _ = add_item(session, division, WILLOW, [])
        paths = []
        for position, data in enumerate(photos):
            relative, digest = write_file(root, data, "image/png")
            session.add(StoredMedia(item_id=item.id, position=position, source_url=f"https://cdn.example/{position}.png", path=relative,
                                    sha256=digest, content_type="image/png", bytes=len(data), attempts=1, fetched_at=utcnow()))
            paths.append(relative)
        return item.id, paths


def test_rows_go_at_once_and_files_after_the_commit(db: Database, tmp_path: Path) -> None:
    item, (shared, own) = stored(db, tmp_path, [IMAGE, OTHER])
    keeper, (kept,) = stored(db, tmp_path, [IMAGE])  # another item posted the same bytes
    assert kept == shared
    thumb = thumbnail(tmp_path, own)
    with db.transaction() as session:
        assert delete_item_media(session, tmp_path, [item]) == 2
        assert session.scalar(select(func.count()).select_from(StoredMedia).where(StoredMedia.item_id == item)) == 0
        assert (tmp_path / own).is_file()  # not before the commit: a rollback must find its files
    assert not (tmp_path / own).exists() and not thumb.exists()
    assert (tmp_path / shared).is_file()  # still the other item's photo
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StoredMedia).where(StoredMedia.item_id == keeper)) == 1


def test_a_rolled_back_purge_keeps_rows_and_files(db: Database, tmp_path: Path) -> None:
    item, (path,) = stored(db, tmp_path, [OTHER])
    with pytest.raises(RuntimeError), db.transaction() as session:
        delete_item_media(session, tmp_path, [item])
        raise RuntimeError("the purge failed later on")
    assert (tmp_path / path).is_file()
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StoredMedia).where(StoredMedia.item_id == item)) == 1


def test_a_file_already_gone_and_an_unknown_item_are_fine(db: Database, tmp_path: Path) -> None:
    item, (path,) = stored(db, tmp_path, [OTHER])
    (tmp_path / path).unlink()
    with db.transaction() as session:
        assert delete_item_media(session, tmp_path, [item, 999_999]) == 1
        assert delete_item_media(session, tmp_path, []) == 0
    assert not thumbnail_path(tmp_path, path).exists()


def test_deleting_an_item_deletes_its_media_rows(db: Database, tmp_path: Path) -> None:
    item, _ = stored(db, tmp_path, [OTHER])
    with db.transaction() as session:
        session.execute(delete(StoredItem).where(StoredItem.id == item))
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StoredMedia)) == 0


def test_migration_0007_adds_stored_media_and_goes_back(db: Database) -> None:
    assert "stored_media" in inspect(db.engine).get_table_names()
    columns = {c["name"] for c in inspect(db.engine).get_columns("stored_media")}
    assert {"item_id", "position", "source_url", "path", "content_type", "bytes", "sha256", "width", "height", "fetched_at", "error", "attempts"} <= columns
    downgrade(db.engine, "0006")
    assert "stored_media" not in inspect(db.engine).get_table_names()
    upgrade(db.engine)
    assert "stored_media" in inspect(db.engine).get_table_names()
    foreign = inspect(db.engine).get_foreign_keys("stored_media")
    assert foreign[0]["referred_table"] == "items" and foreign[0]["options"].get("ondelete") == "CASCADE"


def test_migration_0012_adds_archived_media_keeping_every_row_and_goes_back(db: Database) -> None:
    from sqlalchemy import text

    rows = {
        "accounts": "SELECT id, name FROM accounts",
        "items": "SELECT id, text, version FROM items",
        "item_versions": "SELECT item_id, version, text FROM item_versions",
        "stored_media": "SELECT item_id, position, source_url, path, sha256, attempts FROM stored_media",
    }

    def contents() -> dict[str, list[tuple]]:
        with db.engine.connect() as conn:
            return {table: sorted(tuple(r) for r in conn.execute(text(query))) for table, query in rows.items()}

    downgrade(db.engine, "0011")
    assert "archived_media" not in inspect(db.engine).get_table_names()
    with db.engine.begin() as conn:  # a database as 0011 left it: an edited item with its photo stored
        conn.execute(text("INSERT INTO accounts (id, name, platform, handle, comments_enabled, credential_status, created_at) "
                          "VALUES (1, 'a', 'facebook', 'h', false, 'ok', '2026-11-01 00:00:00')"))
        conn.execute(text("INSERT INTO items (id, account_id, platform, platform_id, kind, author_name, author_is_account, text, media, raw, first_seen_at, version) "
                          "VALUES (1, 1, 'facebook', 'p1', 'post', '', true, 'now', '[{\"type\": \"photo\", \"url\": \"https://cdn.example/b.png\"}]', '{}', '2026-11-01 00:00:00', 2)"))
        conn.execute(text("INSERT INTO item_versions (item_id, version, text, media, seen_from, why) "
                          "VALUES (1, 1, 'before', '[{\"type\": \"photo\", \"url\": \"https://cdn.example/a.png\"}]', '2026-11-01 00:00:00', 'edited on the platform')"))
        conn.execute(text("INSERT INTO stored_media (item_id, position, source_url, path, content_type, sha256, attempts) "
                          "VALUES (1, 0, 'https://cdn.example/b.png', 'media/bb/bb.png', 'image/png', 'bb', 1)"))
    before = contents()
    assert all(before.values())
    upgrade(db.engine)
    assert contents() == before, "every row is kept"
    foreign = inspect(db.engine).get_foreign_keys("archived_media")
    assert [(f["referred_table"], f["constrained_columns"], f["options"].get("ondelete")) for f in foreign] == [
        ("item_versions", ["item_id", "version"], "CASCADE")]
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO archived_media (item_id, version, position, source_url, path, content_type, archived_at) "
                          "VALUES (1, 1, 0, 'https://cdn.example/a.png', 'media/aa/aa.png', 'image/png', '2026-11-02 00:00:00')"))
    downgrade(db.engine, "0011")
    assert "archived_media" not in inspect(db.engine).get_table_names() and contents() == before
    upgrade(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO archived_media (item_id, version, position, source_url, path, content_type, archived_at) "
                          "VALUES (1, 1, 0, 'https://cdn.example/a.png', 'media/aa/aa.png', 'image/png', '2026-11-02 00:00:00')"))
        conn.execute(text("DELETE FROM items WHERE id = 1"))
        assert conn.execute(text("SELECT count(*) FROM archived_media")).scalar_one() == 0, "the rows go with their item"

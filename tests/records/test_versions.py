"""An edited item keeps its old version and is classified again (the real pipeline); findings keep their version."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from connectors.items import Author, Item, Media
from monitor.config import Division
from monitor.models import Finding, ItemVersion, ReviewItem, StoredItem
from monitor.records.versions import versions_of
from monitor.runs import default_analyzer, store_and_classify
from tests.queue.helpers import example_division
from tests.records.conftest import NOW, WILLOW

CLEAN = "Great game tonight everyone!"
LEAKED = "the staff wifi password is Willow2026"


@pytest.fixture(scope="module")
def division() -> Division:
    return example_division()


@pytest.fixture(scope="module")
def real_analyzer(division: Division) -> Iterator:
    """The division's real pipeline (spaCy, rules, the model), loaded once for the module."""
    yield default_analyzer(division)


def comment(text: str, media: list[Media] | None = None) -> Item:
    return Item(platform="facebook", platform_id="900_1", account=WILLOW, kind="comment", text=text,
                author=Author("A Parent", "9000000077"), parent_id="100200300400611_900", media=media or [])


def item_row(db) -> StoredItem:  # noqa: ANN001
    with db.sessions() as s:
        row = s.scalars(select(StoredItem)).one()
        s.expunge(row)
        return row


def test_an_edit_is_kept_as_a_version_and_the_new_text_is_classified(db, division, real_analyzer) -> None:
    times = iter([NOW.replace(hour=h) for h in range(9, 20)])

    def clock():  # noqa: ANN202
        return next(times)

    assert store_and_classify(db, division, WILLOW, [comment(CLEAN)], analyze=real_analyzer, now=clock) == (1, 0)
    with db.sessions() as s:
        assert s.scalars(select(Finding)).all() == []
    # the same comment, edited on the platform to leak a password: a new version, classified, queued
    assert store_and_classify(db, division, WILLOW, [comment(LEAKED)], analyze=real_analyzer, now=clock) == (0, 1)
    row = item_row(db)
    assert row.text == LEAKED and row.version == 2 and row.classified_at is not None
    with db.sessions() as s:
        versions = versions_of(s, row.id)
        assert [(v.version, v.text, v.why) for v in versions] == [(1, CLEAN, "edited on the platform"), (2, LEAKED, "current")]
        assert versions[0].seen_until == versions[1].seen_from
        found = s.scalars(select(Finding)).all()
        assert [(f.category, f.item_version) for f in found] == [("confidential", 2)]
        assert s.scalars(select(ReviewItem)).one().categories == ",confidential,"
    # edited back: version 3, and the finding stays attached to version 2, whose text is kept
    store_and_classify(db, division, WILLOW, [comment(CLEAN + " (edited)")], analyze=real_analyzer, now=clock)
    with db.sessions() as s:
        assert [v.version for v in versions_of(s, row.id)] == [1, 2, 3]
        assert s.scalars(select(ItemVersion.text).where(ItemVersion.version == 2)).one() == LEAKED
        assert [(f.category, f.item_version) for f in s.scalars(select(Finding))] == [("confidential", 2)]


def test_the_same_text_again_makes_no_version(db, division, analyzer) -> None:
    store_and_classify(db, division, WILLOW, [comment(CLEAN)], analyze=analyzer)
    store_and_classify(db, division, WILLOW, [comment(CLEAN)], analyze=analyzer)
    with db.sessions() as s:
        assert s.scalars(select(ItemVersion)).all() == []
        assert versions_of(s, item_row(db).id)[0].version == 1
        assert versions_of(s, 12345) == []


def test_other_tags_on_the_same_photo_make_a_version(db, division, analyzer) -> None:
    photo = Media(type="photo", url="https://example.invalid/a.jpg")
    store_and_classify(db, division, WILLOW, [comment(CLEAN, [photo])], analyze=analyzer)
    tagged = Media(type="photo", url="https://example.invalid/a.jpg", tagged=("Oliver Mbeki",))
    store_and_classify(db, division, WILLOW, [comment(CLEAN, [tagged])], analyze=analyzer)
    with db.sessions() as s:
        old = s.scalars(select(ItemVersion)).one()
        assert old.media[0]["tagged"] == [] and old.text == CLEAN
    assert item_row(db).media[0]["tagged"] == ["Oliver Mbeki"]
    assert analyzer.seen == ["900_1", "900_1"]  # classified again


def test_a_purged_item_is_never_filled_again(db, division, analyzer) -> None:
    store_and_classify(db, division, WILLOW, [comment(CLEAN)], analyze=analyzer)
    with db.transaction() as s:
        row = s.scalars(select(StoredItem)).one()
        row.text, row.purged_at = "", NOW
    store_and_classify(db, division, WILLOW, [comment(LEAKED)], analyze=analyzer)
    assert item_row(db).text == ""
    with db.sessions() as s:
        assert s.scalars(select(ItemVersion)).all() == []

"""Retention purge by each rule, under legal holds, dry, and with media files, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.models import AuditEntry, Finding, ItemVersion, QuarantinedItem, ReviewItem, StoredItem
from monitor.records import holds
from monitor.records.retention import purge
from tests.records.conftest import COMMS, NORTHGATE, NOW, WILLOW, stored, with_review


def state(db, item_id: int) -> StoredItem:  # noqa: ANN001
    with db.sessions() as session:
        row = session.get(StoredItem, item_id)
        session.expunge(row)
        return row


def test_each_rule_purges_what_it_covers_and_nothing_else(db, retention_division) -> None:
    division = retention_division
    with db.transaction() as s:
        old_clean = stored(s, division, WILLOW, age_days=100).id
        young_clean = stored(s, division, WILLOW, age_days=10).id
        pending = stored(s, division, WILLOW, age_days=100, classified=False).id
        still_open = stored(s, division, WILLOW, age_days=500)
        with_review(s, still_open, "student_pii", resolved_days_ago=None)
        resolved_long_ago = stored(s, division, WILLOW, age_days=500)
        with_review(s, resolved_long_ago, "student_pii", resolved_days_ago=400)
        resolved_recently = stored(s, division, WILLOW, age_days=500)
        with_review(s, resolved_recently, "student_pii", resolved_days_ago=100)
        harassment_400 = stored(s, division, WILLOW, age_days=900)
        with_review(s, harassment_400, "harassment", resolved_days_ago=400)
        harassment_800 = stored(s, division, WILLOW, age_days=900)
        with_review(s, harassment_800, "harassment", resolved_days_ago=800)
        northgate_40 = stored(s, division, NORTHGATE, age_days=40).id
        willow_40 = stored(s, division, WILLOW, age_days=40).id
        ids = {k: v if isinstance(v, int) else v.id for k, v in locals().items() if k in (
            "still_open", "resolved_long_ago", "resolved_recently", "harassment_400", "harassment_800")}
    report = purge(db, division, NOW)
    assert dict(report.counts) == {
        "without findings after 90 days (default)": 1,
        "resolved after 365 days (default)": 1,
        "resolved after 730 days (category harassment)": 1,
        "without findings after 30 days (account northgate-high-fb)": 1,
    }
    purged = {old_clean, ids["resolved_long_ago"], ids["harassment_800"], northgate_40}
    kept = {young_clean, pending, ids["still_open"], ids["resolved_recently"], ids["harassment_400"], willow_40}
    assert {i for i in purged | kept if state(db, i).purged_at is not None} == purged
    # a second purge finds nothing left to do
    assert purge(db, division, NOW).total == 0


def test_a_purged_item_is_a_tombstone_and_the_purge_is_audited(db, retention_division) -> None:
    with db.transaction() as s:
        item = stored(s, retention_division, WILLOW, age_days=500)
        review = with_review(s, item, "student_pii", resolved_days_ago=400)
        s.add(QuarantinedItem(account_id=item.account_id, platform_id=item.platform_id, item_id=item.id, stage="classify",
                              reason="ValueError", payload='{"text": "Ava Okafor"}'))
        item_id, review_id = item.id, review.id
    purge(db, retention_division, NOW)
    with db.sessions() as s:
        row = s.get(StoredItem, item_id)
        assert (row.text, row.author_name, row.author_platform_id, row.media, row.raw) == ("", "", None, [], {})
        assert row.purged_at == NOW and row.platform_id and row.permalink
        assert [v.text for v in s.scalars(select(ItemVersion).where(ItemVersion.item_id == item_id))] == [""]
        assert s.scalar(select(QuarantinedItem.payload).where(QuarantinedItem.item_id == item_id)) is None
        # counts and categories stay: the finding and the review item are kept
        assert [f.category for f in s.scalars(select(Finding).where(Finding.item_id == item_id))] == ["student_pii"]
        assert s.get(ReviewItem, review_id).outcome == "dismissed"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "purge")).one()
        assert entry.after["counts"] == {"resolved after 365 days (default)": 1} and entry.after["items"] == 1
        assert "Ava" not in str(entry.after)


def test_dry_run_counts_and_changes_nothing(db, retention_division) -> None:
    with db.transaction() as s:
        ids = [stored(s, retention_division, WILLOW, age_days=100).id for _ in range(3)]
    report = purge(db, retention_division, NOW, dry_run=True)
    assert report.dry_run and dict(report.counts) == {"without findings after 90 days (default)": 3}
    assert all(state(db, i).purged_at is None and state(db, i).text for i in ids)
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "purge")) == 0


def test_nothing_under_a_hold_is_purged_until_it_is_released(db, retention_division) -> None:
    division = retention_division
    with db.transaction() as s:
        in_range = stored(s, division, WILLOW, age_days=100).id  # posted 2026-08-15
        out_of_range = stored(s, division, WILLOW, age_days=200).id
        single = stored(s, division, NORTHGATE, age_days=100).id
        posted = (NOW - timedelta(days=100)).date()
        account_hold = holds.add_hold(s, division, reason="FOIP request 2026-014", actor=COMMS, now=NOW, account=WILLOW,
                                      from_day=posted, to_day=posted).id
        item_hold = holds.add_hold(s, division, reason="litigation hold", actor=COMMS, now=NOW, item_id=single).id
    dry = purge(db, division, NOW, dry_run=True)
    assert dict(dry.held) == {"without findings after 90 days (default)": 1, "without findings after 30 days (account northgate-high-fb)": 1}
    report = purge(db, division, NOW)
    assert report.total == 1 and sum(report.held.values()) == 2
    assert state(db, out_of_range).purged_at is not None
    assert state(db, in_range).purged_at is None and state(db, in_range).text
    assert state(db, single).purged_at is None
    with db.transaction() as s:
        holds.release_hold(s, division, account_hold, actor=COMMS, now=NOW)
    purge(db, division, NOW)
    assert state(db, in_range).purged_at is not None
    assert state(db, single).purged_at is None  # the item hold is still in force
    with db.sessions() as s:
        actions = [(e.action, e.entity_id) for e in s.scalars(select(AuditEntry).where(AuditEntry.entity_type == "legal_hold").order_by(AuditEntry.id))]
    assert actions == [("hold_added", str(account_hold)), ("hold_added", str(item_hold)), ("hold_released", str(account_hold))]


def test_hold_dates_are_local_days_inclusive(db, retention_division) -> None:
    # 2026-08-15 23:30 in Edmonton is 2026-08-16 05:30 UTC: a hold "to 2026-08-15" covers it
    from datetime import datetime, timezone
    with db.transaction() as s:
        item = stored(s, retention_division, WILLOW, age_days=100)
        item.created_at = datetime(2026, 8, 16, 5, 30, tzinfo=timezone.utc)
        later = stored(s, retention_division, WILLOW, age_days=100)
        later.created_at = datetime(2026, 8, 16, 6, 30, tzinfo=timezone.utc)  # 00:30 on the 16th, local
        holds.add_hold(s, retention_division, reason="request", actor=COMMS, now=NOW, account=WILLOW, to_day=date(2026, 8, 15))
        item_id, later_id = item.id, later.id
    purge(db, retention_division, NOW)
    assert state(db, item_id).purged_at is None
    assert state(db, later_id).purged_at is not None


def test_media_files_go_only_after_the_batch_commits(db, retention_division, tmp_path: Path) -> None:
    with db.transaction() as s:
        ids = [stored(s, retention_division, WILLOW, age_days=100).id for _ in range(4)]
    files = {i: tmp_path / f"{i}.jpg" for i in ids}
    for path in files.values():
        path.write_bytes(b"\xff\xd8 image")
    calls: list[list[int]] = []

    def hook(session, data_dir, item_ids):  # noqa: ANN001, ANN202
        calls.append(list(item_ids))
        if len(calls) == 2:
            raise RuntimeError("disk trouble")  # the second batch fails before it commits
        return [files[i] for i in item_ids]

    with pytest.raises(RuntimeError):
        purge(db, retention_division, NOW, batch_size=2, media=hook, data_dir=tmp_path)
    assert calls == [ids[:2], ids[2:]]
    assert [files[i].exists() for i in ids] == [False, False, True, True]
    assert [state(db, i).purged_at is not None for i in ids] == [True, True, False, False]
    assert all(state(db, i).text for i in ids[2:])
    calls.clear()
    purge(db, retention_division, NOW, batch_size=2, media=lambda s, d, i: [files[x] for x in i], data_dir=tmp_path)
    assert not any(f.exists() for f in files.values())


def test_purge_removes_the_fetched_photos_with_the_text(db, retention_division, tmp_path: Path) -> None:
    """The default hook: monitor.media's rows go in the batch, the files once it commits; a photo the
    purge does not cover keeps its file, even when it holds the same bytes under another item."""
    from connectors.sample import SAMPLE_IMAGES
    from monitor.media.store import write_file
    from monitor.models import StoredMedia, utcnow

    images = sorted(SAMPLE_IMAGES.glob("*.png"))
    with db.transaction() as s:
        old = stored(s, retention_division, WILLOW, age_days=100).id
        young = stored(s, retention_division, WILLOW, age_days=10).id
        paths = {}
        for item_id, image, shared in ((old, images[0], False), (old, images[1], True), (young, images[1], True)):
            relative, digest = write_file(tmp_path, image.read_bytes(), "image/png")
            position = 0 if item_id == young or not shared else 1
            s.add(StoredMedia(item_id=item_id, position=position, source_url="https://cdn.example/x", path=relative, sha256=digest,
                              content_type="image/png", bytes=1, attempts=1, fetched_at=utcnow()))
            paths[(item_id, position)] = tmp_path / relative
    assert all(p.exists() for p in paths.values())
    purge(db, retention_division, NOW, data_dir=tmp_path)
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(StoredMedia).where(StoredMedia.item_id == old)) == 0
        assert s.scalar(select(func.count()).select_from(StoredMedia).where(StoredMedia.item_id == young)) == 1
    assert not paths[(old, 0)].exists()
    assert paths[(young, 0)].exists() and paths[(old, 1)] == paths[(young, 0)]  # the shared bytes stay for the young item


def test_without_a_retention_section_nothing_is_purged(db, tmp_path: Path) -> None:
    from tests.records.conftest import division_with
    _, division = division_with(tmp_path, retention="")
    with db.transaction() as s:
        item = stored(s, division, WILLOW, age_days=5000)
        with_review(s, stored(s, division, WILLOW, age_days=5000), "student_pii", resolved_days_ago=4000)
        item_id = item.id
    assert purge(db, division, NOW).total == 0
    assert state(db, item_id).purged_at is None


def test_the_daily_job_purges_once_per_local_day(db, retention_division, tmp_path: Path) -> None:
    from monitor.scheduler import purge_job
    with db.transaction() as s:
        first = stored(s, retention_division, WILLOW, age_days=100).id
    clock = [NOW]
    job = purge_job(db, retention_division, tmp_path, now=lambda: clock[0])
    job()
    assert state(db, first).purged_at is not None
    with db.transaction() as s:
        second = stored(s, retention_division, WILLOW, age_days=100).id
    clock[0] = NOW + timedelta(hours=3)  # the same day in Edmonton: already done
    job()
    assert state(db, second).purged_at is None
    clock[0] = NOW + timedelta(days=1)
    job()
    assert state(db, second).purged_at is not None
    with db.sessions() as s:
        days = [(e.entity_id, e.after["items"]) for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "purge_daily").order_by(AuditEntry.id))]
    assert days == [("2026-11-23", 1), ("2026-11-24", 1)]

"""The monitoring cycle on a real database: idempotence, crash safety, one broken account."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from connectors.base import AccountRef, CredentialsError, FetchResult
from connectors.registry import get_connector
from monitor.config import load_division
from monitor.db import Database
from monitor.models import Account, Cursor, Finding, Run, RunAccount, StoredItem
from monitor.runs import run_cycle

SAMPLES = [line for p in (Path(__file__).resolve().parents[2] / "config/example/samples").glob("*.jsonl") for line in p.read_text().splitlines()]
SAMPLE_ITEMS = len(SAMPLES)
# what KeywordAnalyzer flags
SAMPLE_PASSWORDS = sum("password" in line.lower() for line in SAMPLES)


def counts(db: Database) -> tuple[int, int, int]:
    with db.sessions() as s:
        items = s.scalar(select(func.count()).select_from(StoredItem))
        distinct = s.scalar(select(func.count(func.distinct(StoredItem.platform_id))))
        findings = s.scalar(select(func.count()).select_from(Finding))
    return items, distinct, findings


def test_a_run_stores_every_item_once_and_files_findings(db, config_dir, analyzer) -> None:
    division = load_division(config_dir)
    report = run_cycle(db, division, analyze=analyzer)
    assert report.status == "ok"
    assert {o.account for o in report.accounts} == {a.name for a in division.accounts}
    items, distinct, findings = counts(db)
    assert items == distinct == SAMPLE_ITEMS
    assert findings == SAMPLE_PASSWORDS > 0
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(StoredItem).where(StoredItem.classified_at.is_(None))) == 0
        assert all(c.value for c in s.scalars(select(Cursor)))


def test_a_second_run_over_the_same_source_adds_nothing(db, config_dir, analyzer) -> None:
    division = load_division(config_dir)
    run_cycle(db, division, analyze=analyzer)
    before = counts(db)
    report = run_cycle(db, division, analyze=analyzer, everything=True)
    assert counts(db) == before
    assert all(o.new_items == 0 and o.findings == 0 for o in report.accounts)


def test_accounts_are_not_polled_again_before_they_are_due(db, config_dir, analyzer) -> None:
    division = load_division(config_dir)
    start = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
    run_cycle(db, division, analyze=analyzer, now=lambda: start)
    soon = run_cycle(db, division, analyze=analyzer, now=lambda: start + timedelta(minutes=10))
    assert soon.accounts == []
    later = run_cycle(db, division, analyze=analyzer, now=lambda: start + timedelta(minutes=61))
    assert len(later.accounts) == len(division.accounts)


def test_a_crash_between_fetching_and_committing_loses_and_duplicates_nothing(db, config_dir, analyzer) -> None:
    division = load_division(config_dir)

    class PowerCut(BaseException):
        """The process dies: no handler of the run may absorb it (an Exception is one item's fault and is quarantined)."""

    def crash_when_items_are_written(session: Session, context, instances) -> None:  # noqa: ANN001
        if any(isinstance(obj, StoredItem) for obj in session.new):
            raise PowerCut("between fetch and commit")

    event.listen(Session, "before_flush", crash_when_items_are_written)
    try:
        with pytest.raises(PowerCut):
            run_cycle(db, division, analyze=analyzer)
    finally:
        event.remove(Session, "before_flush", crash_when_items_are_written)
    assert counts(db)[0] == 0
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Cursor)) == 0, "the cursor must not move without its items"
    report = run_cycle(db, division, analyze=analyzer)
    assert report.status == "ok"
    items, distinct, findings = counts(db)
    assert items == distinct == SAMPLE_ITEMS
    assert findings == SAMPLE_PASSWORDS


def test_a_crash_between_storing_and_classifying_is_finished_by_the_next_run(db, config_dir, analyzer) -> None:
    division = load_division(config_dir)

    def broken_classifier(items):  # noqa: ANN001, ANN202
        raise MemoryError("classifier died")

    # a classifier that fails on every item is broken, not the items: the account fails, nothing is quarantined
    failed = run_cycle(db, division, analyze=broken_classifier, only="dubois-grade2-blog")
    assert failed.status == "failed"
    assert failed.accounts[0].error == "the classifier failed on every item of a batch of 3: MemoryError: classifier died"
    assert failed.accounts[0].quarantined == 0
    with db.sessions() as s:
        pending = s.scalar(select(func.count()).select_from(StoredItem).where(StoredItem.classified_at.is_(None)))
    assert pending == 3
    run_cycle(db, division, analyze=analyzer, only="dubois-grade2-blog")
    items, distinct, findings = counts(db)
    assert items == distinct == 3
    assert findings == 1
    assert sorted(analyzer.seen) == ["dg2-1", "dg2-2", "dg2-2-c1"]


def test_a_broken_token_on_one_account_leaves_the_others_complete(db, config_dir, analyzer) -> None:
    division = load_division(config_dir)

    class ExpiredToken:
        platform = "facebook"

        def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
            raise CredentialsError(f"account {account.name}: the page token has expired (Graph code 190); renew it")

    def connector_for(ref: AccountRef):  # noqa: ANN202
        return ExpiredToken() if ref.name == "northgate-high-fb" else get_connector(ref)

    report = run_cycle(db, division, analyze=analyzer, connector_for=connector_for)
    assert report.status == "partial"
    by_name = {o.account: o for o in report.accounts}
    assert by_name["northgate-high-fb"].status == "failed"
    assert "expired" in (by_name["northgate-high-fb"].error or "")
    assert all(o.status == "ok" for n, o in by_name.items() if n != "northgate-high-fb")
    with db.sessions() as s:
        account = s.scalar(select(Account).where(Account.name == "northgate-high-fb"))
        assert account.credential_status == "failing"
        assert s.get(Cursor, account.id) is None
        assert s.scalar(select(func.count()).select_from(StoredItem).where(StoredItem.account_id == account.id)) == 0
        assert s.scalar(select(RunAccount.status).where(RunAccount.account_id == account.id)) == "failed"
        assert s.scalar(select(Run.status)) == "partial"
    # the token is renewed: the next run fetches the account from where it was and clears the mark
    report = run_cycle(db, division, analyze=analyzer, only="northgate-high-fb")
    assert report.status == "ok" and report.accounts[0].new_items == 6
    with db.sessions() as s:
        assert s.scalar(select(Account.credential_status).where(Account.name == "northgate-high-fb")) == "ok"


def test_an_edited_comment_is_classified_again(db, config_dir, analyzer) -> None:
    division = load_division(config_dir)
    run_cycle(db, division, analyze=analyzer, only="prairie-hills-sd-x")
    sample = config_dir / "samples" / "prairie-hills-sd-x.jsonl"
    lines = sample.read_text().splitlines()
    lines[0] = lines[0].replace("Visit our website for the forms.", "Admin password is hunter2.")
    sample.write_text("\n".join(lines) + "\n")
    with db.transaction() as s:
        for cursor in s.scalars(select(Cursor)):
            cursor.value = None  # the platform shows the edited post again
    before = counts(db)[2]
    report = run_cycle(db, division, analyze=analyzer, only="prairie-hills-sd-x")
    assert report.accounts[0].new_items == 0
    assert counts(db)[2] == before + 1

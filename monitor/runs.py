"""One monitoring cycle: fetch each due account, store its items, classify, file findings.

Crash safety rests on two transactions per account:
1. the fetched items (idempotent upsert by platform id) and the account's next cursor commit
   together, so a crash before the commit leaves the cursor where it was and the next run
   fetches the same items again, while a crash after it has nothing left to redo;
2. the findings of pending items commit together with the items' `classified_at`, so a crash
   between the two steps leaves the items pending and the next run classifies them.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers.findings import Finding as ClassifierFinding
from connectors.base import AccountRef, Connector, ConnectorError, CredentialsError
from connectors.items import Item
from connectors.registry import get_connector
from monitor.config import AccountConfig, Division, load_division
from monitor.db import Database
from monitor.models import Account, Cursor, Finding, Run, RunAccount, StoredItem, utcnow
from monitor.notify import notify_after_run
from monitor.routing import route_findings

log = logging.getLogger("hallwatch.run")

Analyze = Callable[[Sequence[Item]], list[list[ClassifierFinding]]]
CLASSIFY_BATCH = 256


@dataclass
class AccountOutcome:
    account: str
    status: str = "ok"
    fetched: int = 0
    new_items: int = 0
    classified: int = 0
    findings: int = 0
    api_calls: int = 0
    events: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class RunReport:
    run_id: int
    status: str
    accounts: list[AccountOutcome]


def default_analyzer(division: Division) -> Analyze:
    from classifiers.pipeline import get_analyzer

    return get_analyzer(division.directory).analyze


def sync_accounts(session: Session, division: Division) -> dict[str, Account]:
    """Mirror the registry of division.yaml into the accounts table (accounts are never deleted: their history stays)."""
    rows = {a.name: a for a in session.scalars(select(Account))}
    for config in division.accounts:
        row = rows.get(config.name)
        if row is None:
            row = Account(name=config.name, platform=config.platform, handle=config.handle)
            session.add(row)
            rows[config.name] = row
        row.platform, row.handle, row.school, row.comments_enabled = config.platform, config.handle, config.school, config.comments
    session.flush()
    return rows


def due_accounts(session: Session, division: Division, now: datetime, only: str | None, everything: bool) -> list[AccountConfig]:
    if only is not None:
        return [division.account(only)]
    if everything:
        return list(division.accounts)
    due = []
    for config in division.accounts:
        last = session.scalar(
            select(RunAccount.finished_at)
            .join(Account, RunAccount.account_id == Account.id)
            .where(Account.name == config.name, RunAccount.status == "ok")
            .order_by(RunAccount.finished_at.desc())
            .limit(1)
        )
        if last is None or last + timedelta(minutes=config.poll_minutes) <= now:
            due.append(config)
    return due


def account_ref(division: Division, config: AccountConfig) -> AccountRef:
    options = dict(config.options)
    sample = division.sample_path(config)
    if sample is not None:
        options["sample_file"] = str(sample)
    return AccountRef(config.name, config.platform, config.handle, division.account_credentials(config), options)


def mark_interrupted_runs(db: Database) -> int:
    """Runs still 'running' when no run holds the lock died midway; say so rather than leave them open."""
    with db.transaction() as session:
        runs = list(session.scalars(select(Run).where(Run.status == "running")))
        for run in runs:
            run.status = "interrupted"
    return len(runs)


def run_cycle(
    db: Database,
    division: Division,
    *,
    only: str | None = None,
    everything: bool = False,
    now: Callable[[], datetime] = utcnow,
    analyze: Analyze | None = None,
    connector_for: Callable[[AccountRef], Connector] = get_connector,
    trigger: str = "cli",
) -> RunReport:
    """Fetch, store and classify every due account; one broken account never stops the others."""
    with db.transaction() as session:
        accounts = sync_accounts(session, division)
        due = due_accounts(session, division, now(), only, everything)
        run = Run(started_at=now(), trigger=trigger)
        session.add(run)
        session.flush()
        run_id = run.id
        ids = {name: row.id for name, row in accounts.items()}
    outcomes: list[AccountOutcome] = []
    for config in due:
        outcome = AccountOutcome(config.name)
        try:
            _fetch_and_store(db, division, config, ids[config.name], run_id, connector_for, outcome, now)
            if analyze is None:
                analyze = default_analyzer(division)
            classify_pending(db, division, ids[config.name], run_id, analyze, outcome, now)
        except ConnectorError as exc:
            outcome.status, outcome.error = "failed", str(exc)
            # a fetch that gave up returns no FetchResult: its rate-limit waits travel on the error
            outcome.events.extend(getattr(exc, "events", []))
            if isinstance(exc, CredentialsError):
                _mark_credentials_failing(db, ids[config.name], str(exc))
        log.info("account %s: %s, %d fetched, %d new, %d findings", config.name, outcome.status, outcome.fetched, outcome.new_items, outcome.findings)
        _record_outcome(db, run_id, ids[config.name], outcome, now())
        outcomes.append(outcome)
    notify_after_run(db, division, now())
    failed = sum(o.status != "ok" for o in outcomes)
    status = "ok" if not failed else ("failed" if failed == len(outcomes) else "partial")
    with db.transaction() as session:
        row = session.get(Run, run_id)
        assert row is not None
        row.status, row.finished_at = status, now()
    return RunReport(run_id, status, outcomes)


def _fetch_and_store(
    db: Database,
    division: Division,
    config: AccountConfig,
    account_id: int,
    run_id: int,
    connector_for: Callable[[AccountRef], Connector],
    outcome: AccountOutcome,
    now: Callable[[], datetime],
) -> None:
    with db.sessions() as session:
        cursor_row = session.get(Cursor, account_id)
        cursor = cursor_row.value if cursor_row else None
    ref = account_ref(division, config)
    result = connector_for(ref).fetch(ref, cursor)
    outcome.fetched, outcome.api_calls, outcome.events = len(result.items), result.calls, list(result.events)
    with db.transaction() as session:
        outcome.new_items = store_items(session, account_id, run_id, result.items)
        cursor_row = session.get(Cursor, account_id)
        if cursor_row is None:
            session.add(Cursor(account_id=account_id, value=result.cursor, updated_at=now()))
        else:
            cursor_row.value, cursor_row.updated_at = result.cursor, now()
        account = session.get(Account, account_id)
        assert account is not None
        account.credential_status, account.credential_error = "ok", None


def store_items(session: Session, account_id: int, run_id: int | None, items: Sequence[Item]) -> int:
    """Insert items not stored yet; an edited item gets its new text and is classified again. Returns how many were new."""
    by_id: dict[str, Item] = {}
    for item in items:
        by_id[item.platform_id] = item  # the last version of a duplicate in one batch wins
    known: dict[str, StoredItem] = {}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = session.scalars(select(StoredItem).where(StoredItem.account_id == account_id, StoredItem.platform_id.in_(chunk)))
        known.update({row.platform_id: row for row in rows})
    new = 0
    for platform_id, item in by_id.items():
        row = known.get(platform_id)
        if row is None:
            session.add(StoredItem.from_item(item, account_id, run_id))
            new += 1
        elif row.text != item.text or row.media != [m.to_dict() for m in item.media]:
            row.text, row.media, row.classified_at = item.text, [m.to_dict() for m in item.media], None
    session.flush()
    return new


def classify_pending(
    db: Database,
    division: Division,
    account_id: int,
    run_id: int | None,
    analyze: Analyze,
    outcome: AccountOutcome,
    now: Callable[[], datetime] = utcnow,
) -> None:
    """Classify the account's pending items in batches; each batch commits with its findings."""
    while True:
        with db.transaction() as session:
            account = session.get(Account, account_id)
            assert account is not None
            rows = list(session.scalars(
                select(StoredItem)
                .where(StoredItem.account_id == account_id, StoredItem.classified_at.is_(None))
                .order_by(StoredItem.id)
                .limit(CLASSIFY_BATCH)
            ))
            if not rows:
                return
            results = analyze([row.to_item(account.name) for row in rows])
            filed: list[Finding] = []
            moment = now()
            for row, findings in zip(rows, results, strict=True):
                filed.extend(_file_findings(session, row, findings, run_id, moment))
                row.classified_at = moment
            session.flush()
            # routing: review items for what was just filed
            route_findings(session, division, filed, moment)
            outcome.classified += len(rows)
            outcome.findings += len(filed)


def _file_findings(session: Session, row: StoredItem, findings: list[ClassifierFinding], run_id: int | None, moment: datetime) -> list[Finding]:
    # an edited item is classified again: keep what was filed before, add only what is new
    existing = {(f.category, f.start, f.end, f.label) for f in session.scalars(select(Finding).where(Finding.item_id == row.id))} if row.id else set()
    filed = []
    for f in findings:
        if (f.category, f.start, f.end, f.label) in existing:
            continue
        stored = Finding(
            item_id=row.id, account_id=row.account_id, run_id=run_id, category=f.category, score=float(f.score),
            start=f.start, end=f.end, label=f.label, clause=f.clause, severity=f.severity, reason=f.reason or None, created_at=moment,
        )
        session.add(stored)
        filed.append(stored)
    return filed


def _mark_credentials_failing(db: Database, account_id: int, message: str) -> None:
    with db.transaction() as session:
        account = session.get(Account, account_id)
        assert account is not None
        account.credential_status, account.credential_error = "failing", message


def _record_outcome(db: Database, run_id: int, account_id: int, outcome: AccountOutcome, finished: datetime) -> None:
    with db.transaction() as session:
        session.add(RunAccount(
            run_id=run_id, account_id=account_id, status=outcome.status, fetched=outcome.fetched,
            new_items=outcome.new_items, classified=outcome.classified, findings=outcome.findings,
            api_calls=outcome.api_calls, events=outcome.events, error=outcome.error, finished_at=finished,
        ))


def ingest_items(config_dir: Path, account_name: str, items: list[Item], *, analyze: Analyze | None = None) -> tuple[int, int]:
    """Store items from an export file for one account and classify them: (new, already known).

    Used by `hallwatch import`; the cursor is left alone, since an export is not a poll.
    """
    division = load_division(config_dir)
    division.account(account_name)  # an unknown account fails here, before the database is opened
    db = open_database(division)
    try:
        return store_and_classify(db, division, account_name, items, analyze=analyze)
    finally:
        db.dispose()


def store_and_classify(db: Database, division: Division, account_name: str, items: list[Item], *, analyze: Analyze | None = None, now: Callable[[], datetime] = utcnow) -> tuple[int, int]:
    """Items that did not come from a poll (an export file, a webhook delivery): stored idempotently,
    classified and routed; the account's cursor is left alone. Returns (new, already known)."""
    config = division.account(account_name)
    with db.transaction() as session:
        accounts = sync_accounts(session, division)
        account_id = accounts[config.name].id
        new = store_items(session, account_id, None, items)
    outcome = AccountOutcome(config.name)
    classify_pending(db, division, account_id, None, analyze or default_analyzer(division), outcome, now)
    return new, len({i.platform_id for i in items}) - new


def open_database(division: Division, data_dir: Path | None = None) -> Database:
    """The division's database, migrated to the current schema."""
    db = Database.for_data_dir(division.data_dir(data_dir))
    db.migrate()
    return db

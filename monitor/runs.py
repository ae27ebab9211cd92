"""One monitoring cycle: fetch each due account, store its items, classify, file findings.

Crash safety rests on two transactions per account:
1. the fetched items (idempotent upsert by platform id) and the account's next cursor commit
   together, so a crash before the commit leaves the cursor where it was and the next run
   fetches the same items again, while a crash after it has nothing left to redo;
2. the findings of pending items commit together with the items' `classified_at`, so a crash
   between the two steps leaves the items pending and the next run classifies them.

Isolation: nothing one stranger can post stops the monitoring of anything else.
- Each item is stored in a SAVEPOINT of transaction 1: a row the database refuses rolls back
  alone and is set aside in the `quarantine` table (with the item, so it is not lost) in the
  same transaction, and the cursor still moves past it.
- When a classification batch raises, its items are classified one by one in transaction 2: the
  ones that raise again are quarantined, the rest file their findings. When every item of a batch
  fails, the classifier is broken, not the items: the account fails and its items stay pending.
- Quarantined items are retried by later runs once `next_retry_at` has come (1 h, then doubling
  up to a day) and at once by `hallwatch quarantine retry`.
- Any other error fails that account (recorded as its error, redacted), not the cycle; only a
  database that cannot be used at all (connection lost, file deleted) ends the cycle, saying so.
- Urgent e-mail goes out after each account's findings commit, not at the end of the cycle.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers.findings import Finding as ClassifierFinding
from connectors.base import AccountRef, Connector, ConnectorError, CredentialsError
from connectors.items import Author, Item, Media, parse_time
from connectors.registry import get_connector
from monitor.config import AccountConfig, Division, load_division
from monitor.db import Database, DatabaseUnusable, is_database_gone
from monitor.errors import HallwatchError
from monitor.media.store import data_root, fetch_account_media, with_local_media
from monitor.models import Account, Cursor, Finding, QuarantinedItem, Run, RunAccount, StoredItem, utcnow
from monitor.notify import notify_after_run
from monitor.records import deletions, versions
from monitor.redact import safe_message
from monitor.routing import route_findings
from monitor.usage import counters as usage

log = logging.getLogger("hallwatch.run")

Analyze = Callable[[Sequence[Item]], list[list[ClassifierFinding]]]
CLASSIFY_BATCH = 256
# a quarantined item is tried again after 1 h, 2 h, 4 h ... and at least once a day
RETRY_FIRST = timedelta(hours=1)
RETRY_MAX = timedelta(days=1)


class ClassifierFailed(HallwatchError):
    """The analyzer raised on every item of a batch, alone too: it is broken, not the items."""


class DatabaseLost(DatabaseUnusable):
    pass


@dataclass
class AccountOutcome:
    account: str
    status: str = "ok"
    fetched: int = 0
    new_items: int = 0
    classified: int = 0
    findings: int = 0
    # items that got at least one new finding (the unit `run` and `report` both lead with)
    flagged_items: int = 0
    api_calls: int = 0
    quarantined: int = 0
    # stored comments the platform no longer lists (noticed deleted by this fetch)
    deleted: int = 0
    photos_fetched: int = 0
    photos_failed: int = 0
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


def lazy_analyzer(division: Division) -> Analyze:
    """The division's analyzer, loaded at its first call: a cycle with nothing new to classify
    (most cron ticks) never loads spaCy and the models."""
    loaded: list[Analyze] = []

    def analyze(items: Sequence[Item]) -> list[list[ClassifierFinding]]:
        if not loaded:
            loaded.append(default_analyzer(division))
        return loaded[0](items)

    return analyze


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
    # registered-not-read accounts (fetch: false) have no API to read: never fetched, never an error
    if only is not None:
        return [a for a in [division.account(only)] if a.fetch]
    if everything:
        return [a for a in division.accounts if a.fetch]
    due = []
    for config in division.accounts:
        if not config.fetch:
            continue
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
    data_dir: Path | None = None,
) -> RunReport:
    """Fetch, store and classify every due account; one broken account or item never stops the others.

    Raises DatabaseUnusable when the database itself is gone; the run is then left `running`,
    which the next run marks `interrupted`."""
    with db.transaction() as session:
        accounts = sync_accounts(session, division)
        due = due_accounts(session, division, now(), only, everything)
        run = Run(started_at=now(), trigger=trigger)
        session.add(run)
        session.flush()
        run_id = run.id
        ids = {name: row.id for name, row in accounts.items()}
    outcomes: list[AccountOutcome] = []
    media_root = data_root(db, division, data_dir)
    for config in due:
        outcome = AccountOutcome(config.name)
        try:
            _fetch_and_store(db, division, config, ids[config.name], run_id, connector_for, outcome, now)
            retry_quarantined_stores(db, ids[config.name], run_id, outcome, now)
            fetch_media(db, ids[config.name], media_root, outcome, now)
            if analyze is None:
                analyze = lazy_analyzer(division)
            classify_pending(db, division, ids[config.name], run_id, analyze, outcome, now, media_root=media_root)
        except ConnectorError as exc:
            outcome.status, outcome.error = "failed", safe_message(exc)
            # a fetch that gave up returns no FetchResult: its rate-limit waits travel on the error
            outcome.events.extend(getattr(exc, "events", []))
            if isinstance(exc, CredentialsError):
                _guard(lambda: _mark_credentials_failing(db, ids[config.name], outcome.error or ""), len(outcomes))
        except Exception as exc:  # noqa: BLE001  (one account's failure, whatever it is, is that account's)
            if is_database_gone(exc):
                raise _lost(exc, len(outcomes)) from None
            outcome.status, outcome.error = "failed", safe_message(exc)
            log.error("account %s failed: %s", config.name, outcome.error)
        log.info("account %s: %s, %d fetched, %d new, %d findings, %d quarantined", config.name, outcome.status,
                 outcome.fetched, outcome.new_items, outcome.findings, outcome.quarantined)
        _guard(lambda: _record_outcome(db, run_id, ids[config.name], outcome, now()), len(outcomes))
        outcomes.append(outcome)
        # urgent items are mailed as each account's findings commit, not after the whole cycle
        _guard(lambda: notify_after_run(db, division, now(), data_dir), len(outcomes), fatal_only=True)
    failed = sum(o.status != "ok" for o in outcomes)
    status = "ok" if not failed else ("failed" if failed == len(outcomes) else "partial")

    def finish() -> None:
        with db.transaction() as session:
            row = session.get(Run, run_id)
            assert row is not None
            row.status, row.finished_at = status, now()

    _guard(finish, len(outcomes))
    return RunReport(run_id, status, outcomes)


def fetch_media(db: Database, account_id: int, root: Path, outcome: AccountOutcome, now: Callable[[], datetime] = utcnow) -> None:
    """The account's new photos into the data directory, before they are classified (monitor.media).

    Each photo's failure is recorded on its own row; anything else that goes wrong here is logged
    and the account goes on to classification (its photos judged by their captions)."""
    from connectors.sample import SAMPLE_IMAGES

    try:
        got = fetch_account_media(db, account_id, root, local_roots=(SAMPLE_IMAGES,), now=now)
    except Exception as exc:  # noqa: BLE001
        if is_database_gone(exc):
            raise
        log.error("photos of account %d not fetched: %s", account_id, safe_message(exc))
        return
    outcome.photos_fetched, outcome.photos_failed = got.fetched, got.failed


def _lost(exc: BaseException, done: int) -> DatabaseUnusable:
    if isinstance(exc, DatabaseUnusable):
        return exc
    return DatabaseLost(f"the database cannot be used ({safe_message(exc)}); the cycle stopped after {done} account(s)")


def _guard(step: Callable[[], Any], done: int, *, fatal_only: bool = False) -> None:
    """Run a bookkeeping step; a lost database ends the cycle, saying so. With `fatal_only`,
    any other error is logged (redacted) and the cycle goes on."""
    try:
        step()
    except Exception as exc:  # noqa: BLE001
        if is_database_gone(exc):
            raise _lost(exc, done) from None
        if not fatal_only:
            raise
        log.error("after-account step failed: %s", safe_message(exc))


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
    if config.platform == "x" and not config.sample_file:
        with db.sessions() as session:
            budget = usage.x_budget(session, division, config, account_id, now())
        if budget.reached:
            # not an error: the account waits for next month; governance files one finding for it
            outcome.events = [f"X read budget reached for {budget.month} ({budget.posts_read} posts); not read until {budget.resumes.isoformat()}"]
            return
        if budget.left is not None:
            ref = replace(ref, options={**ref.options, "x_reads_left": budget.left})
    result = connector_for(ref).fetch(ref, cursor)
    outcome.fetched, outcome.api_calls, outcome.events = len(result.items), result.calls, list(result.events)
    with db.transaction() as session:
        outcome.new_items = store_items(session, account_id, run_id, result.items, outcome=outcome, now=now)
        usage.add(session, account_id, result.usage, now())
        # only a listing the connector says is whole marks anything deleted (monitor.records.deletions)
        outcome.deleted = len(deletions.mark_missing(session, account_id, getattr(result, "complete", None) or [], now()))
        cursor_row = session.get(Cursor, account_id)
        if cursor_row is None:
            session.add(Cursor(account_id=account_id, value=result.cursor, updated_at=now()))
        else:
            cursor_row.value, cursor_row.updated_at = result.cursor, now()
        account = session.get(Account, account_id)
        assert account is not None
        account.credential_status, account.credential_error = "ok", None


def store_items(session: Session, account_id: int, run_id: int | None, items: Sequence[Item], *,
                outcome: AccountOutcome | None = None, now: Callable[[], datetime] = utcnow) -> int:
    """Insert items not stored yet; an edited item keeps its old version (monitor.records.versions)
    and is classified again. A purged item (a retention tombstone) is never filled again, and a
    delivery older than the stored version by the platform's clock is ignored. Returns how many were new.

    Each item is written in a SAVEPOINT: one the database refuses is rolled back alone and
    quarantined (stage `store`, with the item) in the same transaction, never blocking the rest."""
    by_id: dict[str, Item] = {}
    for item in items:
        by_id[item.platform_id] = item  # the last version of a duplicate in one batch wins
    known: dict[str, StoredItem] = {}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = session.scalars(select(StoredItem).where(StoredItem.account_id == account_id, StoredItem.platform_id.in_(chunk)))
        known.update({row.platform_id: row for row in rows})
    waiting = {q.platform_id: q for q in session.scalars(select(QuarantinedItem).where(
        QuarantinedItem.account_id == account_id, QuarantinedItem.stage == "store", QuarantinedItem.resolved_at.is_(None)))}
    new = 0
    for platform_id, item in by_id.items():
        row = known.get(platform_id)
        try:
            with session.begin_nested():
                if row is None:
                    stored = StoredItem.from_item(item, account_id, run_id)
                    stored.version_seen_at, stored.platform_changed_at = now(), versions.platform_time(item)
                    session.add(stored)
                elif row.purged_at is None and not versions.is_stale(row, item):
                    if row.deleted_at is not None and row.deleted_how == "re-read":
                        # listed again (a hidden comment shown again, a platform hiccup): it is there after all
                        row.deleted_at, row.deleted_how = None, None
                    if versions.differs(row, item):
                        # the old version is kept, the new one classified again
                        versions.apply_edit(session, row, item, now())
                session.flush()
        except Exception as exc:  # noqa: BLE001  (whatever the database says of this row, it is this row's)
            if is_database_gone(exc):
                raise
            quarantine(session, account_id, item, "store", exc, now(), payload=item_payload(item))
            if outcome is not None:
                outcome.quarantined += 1
            continue
        if row is None:
            new += 1
        if (held := waiting.get(quarantine_key(platform_id))) is not None:
            held.resolved_at = now()
    session.flush()
    return new


def quarantine_key(platform_id: str) -> str:
    """The id as the quarantine table keeps it: an id too long for an index is cut and hashed."""
    if len(platform_id) <= 200:
        return platform_id
    return platform_id[:180] + "~" + hashlib.sha256(platform_id.encode("utf-8", "replace")).hexdigest()[:16]


def retry_delay(attempts: int) -> timedelta:
    return min(RETRY_MAX, RETRY_FIRST * (2 ** max(0, attempts - 1)))


def quarantine(session: Session, account_id: int, item: Item, stage: str, exc: BaseException, moment: datetime, *,
               item_id: int | None = None, payload: str | None = None) -> QuarantinedItem:
    """Set `item` aside with the redacted reason; a second failure counts an attempt and waits longer."""
    key, reason = quarantine_key(item.platform_id), safe_message(exc)
    row = session.scalar(select(QuarantinedItem).where(
        QuarantinedItem.account_id == account_id, QuarantinedItem.platform_id == key, QuarantinedItem.stage == stage))
    if row is None:
        row = QuarantinedItem(account_id=account_id, platform_id=key, stage=stage, attempts=0, first_failed_at=moment)
        session.add(row)
    row.attempts += 1
    row.reason, row.last_failed_at, row.resolved_at = reason, moment, None
    row.next_retry_at = moment + retry_delay(row.attempts)
    row.item_id = item_id if item_id is not None else row.item_id
    row.payload = payload if payload is not None else row.payload
    session.flush()
    log.warning("account %s: item set aside at %s (attempt %d): %s", item.account, stage, row.attempts, reason)
    return row


def item_payload(item: Item) -> str:
    """The item as ASCII-escaped JSON: text any database column holds, whatever the item carries."""
    data = {
        "platform": item.platform, "id": item.platform_id, "account": item.account, "kind": item.kind, "text": item.text,
        "author": {"name": item.author.name, "id": item.author.platform_id, "is_account": item.author.is_account},
        "created_at": item.created_at.isoformat() if item.created_at else None, "parent_id": item.parent_id,
        "permalink": item.permalink, "media": [m.to_dict() for m in item.media], "consent_tag": item.consent_tag, "raw": item.raw,
    }
    return json.dumps(data, ensure_ascii=True, default=str)


def item_from_payload(payload: str) -> Item:
    data = json.loads(payload)
    author = data.get("author") or {}
    return Item(
        platform=data["platform"], platform_id=data["id"], account=data["account"], kind=data["kind"], text=data["text"],
        author=Author(name=author.get("name", ""), platform_id=author.get("id"), is_account=bool(author.get("is_account"))),
        created_at=parse_time(data.get("created_at")), parent_id=data.get("parent_id"), permalink=data.get("permalink"),
        media=[Media.from_dict(m) for m in data.get("media") or []], consent_tag=data.get("consent_tag"), raw=data.get("raw") or {},
    )


def retry_quarantined_stores(db: Database, account_id: int, run_id: int | None, outcome: AccountOutcome,
                             now: Callable[[], datetime] = utcnow, *, force: bool = False) -> int:
    """Store again the account's items set aside at `store` whose retry time has come (all with
    `force`); the ones that still fail wait longer. Returns how many are stored now."""
    with db.transaction() as session:
        moment = now()
        query = select(QuarantinedItem).where(QuarantinedItem.account_id == account_id, QuarantinedItem.stage == "store",
                                              QuarantinedItem.resolved_at.is_(None), QuarantinedItem.payload.is_not(None))
        if not force:
            query = query.where(QuarantinedItem.next_retry_at <= moment)
        held = list(session.scalars(query.order_by(QuarantinedItem.id)))
        if not held:
            return 0
        items = []
        for row in held:
            try:
                items.append(item_from_payload(row.payload or ""))
            except (ValueError, KeyError, TypeError) as exc:
                row.attempts, row.reason, row.last_failed_at = row.attempts + 1, safe_message(exc), moment
                row.next_retry_at = moment + retry_delay(row.attempts)
        before = outcome.quarantined
        outcome.new_items += store_items(session, account_id, run_id, items, outcome=outcome, now=now)
        return len(items) - (outcome.quarantined - before)


def classify_pending(
    db: Database,
    division: Division,
    account_id: int,
    run_id: int | None,
    analyze: Analyze,
    outcome: AccountOutcome,
    now: Callable[[], datetime] = utcnow,
    *,
    media_root: Path | None = None,
) -> None:
    """Classify the account's pending items in batches; each batch commits with its findings.

    With `media_root` (a run), the classifier reads each fetched photo's stored file.

    Items quarantined at `classify` wait for their retry time; a batch that raises is classified
    item by item, and the items that raise alone are quarantined in the same transaction."""
    while True:
        with db.transaction() as session:
            account = session.get(Account, account_id)
            assert account is not None
            moment = now()
            waiting = select(QuarantinedItem.item_id).where(
                QuarantinedItem.account_id == account_id, QuarantinedItem.stage == "classify", QuarantinedItem.resolved_at.is_(None),
                QuarantinedItem.next_retry_at > moment, QuarantinedItem.item_id.is_not(None))
            rows = list(session.scalars(
                select(StoredItem)
                .where(StoredItem.account_id == account_id, StoredItem.classified_at.is_(None), StoredItem.id.not_in(waiting))
                .order_by(StoredItem.id)
                .limit(CLASSIFY_BATCH)
            ))
            if not rows:
                return
            held = {q.item_id: q for q in session.scalars(select(QuarantinedItem).where(
                QuarantinedItem.account_id == account_id, QuarantinedItem.stage == "classify",
                QuarantinedItem.resolved_at.is_(None), QuarantinedItem.item_id.in_([r.id for r in rows])))}
            items = with_local_media(session, rows, [row.to_item(account.name) for row in rows], media_root)
            results = _analyze_isolating(analyze, items)
            filed: list[Finding] = []
            for row, result in zip(rows, results, strict=True):
                if not isinstance(result, BaseException):
                    try:
                        with session.begin_nested():
                            found = _file_findings(session, row, result, run_id, moment)
                            row.classified_at = moment
                            session.flush()
                    except Exception as exc:  # noqa: BLE001
                        if is_database_gone(exc):
                            raise
                        result = exc
                    else:
                        filed.extend(found)
                        outcome.classified += 1
                        if row.id in held:
                            held[row.id].resolved_at = moment
                        continue
                quarantine(session, account_id, row.to_item(account.name), "classify", result, moment, item_id=row.id)
                outcome.quarantined += 1
            session.flush()
            # routing: review items for what was just filed
            route_findings(session, division, filed, moment)
            outcome.findings += len(filed)
            outcome.flagged_items += len({f.item_id for f in filed})


def _analyze_isolating(analyze: Analyze, items: list[Item]) -> list[list[ClassifierFinding] | Exception]:
    """The batch's findings; when the batch raises, each item alone, so only the poison one fails."""
    try:
        return list(analyze(items))
    except Exception as exc:  # noqa: BLE001
        if is_database_gone(exc):
            raise
        first: Exception = exc
    results: list[list[ClassifierFinding] | Exception] = []
    for item in items:
        try:
            results.append(analyze([item])[0])
        except Exception as exc:  # noqa: BLE001
            results.append(exc)
    if len(items) > 1 and all(isinstance(r, Exception) for r in results):
        raise ClassifierFailed(f"the classifier failed on every item of a batch of {len(items)}: {safe_message(first)}")
    return results


def _file_findings(session: Session, row: StoredItem, findings: list[ClassifierFinding], run_id: int | None, moment: datetime) -> list[Finding]:
    # an edited item is classified again: findings of older versions stay attached to those versions
    existing = {(f.category, f.start, f.end, f.label) for f in session.scalars(
        select(Finding).where(Finding.item_id == row.id, Finding.item_version == (row.version or 1)))} if row.id else set()
    filed = []
    for f in findings:
        if (f.category, f.start, f.end, f.label) in existing:
            continue
        stored = Finding(
            item_id=row.id, account_id=row.account_id, run_id=run_id, category=f.category, score=float(f.score),
            start=f.start, end=f.end, label=f.label, clause=f.clause, severity=f.severity, reason=f.reason or None, created_at=moment,
            item_version=row.version or 1,
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


def ingest_items(config_dir: Path, account_name: str, items: list[Item], *, analyze: Analyze | None = None,
                 data_dir: Path | None = None) -> tuple[int, int]:
    """Store items from an export file for one account and classify them: (new, already known).

    Used by `hallwatch import`, under the run lock (it writes items as a run does); the cursor is
    left alone, since an export is not a poll.
    """
    from monitor.locks import run_lock

    division = load_division(config_dir)
    division.account(account_name)  # an unknown account fails here, before the database is opened
    db = open_database(division, data_dir, migrate=False)
    try:
        with run_lock(db):
            db.migrate()
            return store_and_classify(db, division, account_name, items, analyze=analyze)
    finally:
        db.dispose()


def store_and_classify(db: Database, division: Division, account_name: str, items: list[Item], *, analyze: Analyze | None = None,
                       now: Callable[[], datetime] = utcnow, media_root: Path | None = None) -> tuple[int, int]:
    """Items that did not come from a poll (an export file, a webhook delivery): stored idempotently,
    classified and routed; the account's cursor is left alone. Returns (new, already known).

    With `media_root`, their photos are fetched first, as a run does. `hallwatch import` and the
    webhooks pass none (an import stays offline, a web request never waits on a media host): the
    next run fetches those photos for the reviewers."""
    config = division.account(account_name)
    outcome = AccountOutcome(config.name)
    with db.transaction() as session:
        accounts = sync_accounts(session, division)
        account_id = accounts[config.name].id
        new = store_items(session, account_id, None, items, outcome=outcome, now=now)
    if media_root is not None:
        fetch_media(db, account_id, media_root, outcome, now)
    classify_pending(db, division, account_id, None, analyze or default_analyzer(division), outcome, now, media_root=media_root)
    return new, len({i.platform_id for i in items}) - new - outcome.quarantined


def open_database(division: Division, data_dir: Path | None = None, *, create: bool = False, migrate: bool = True) -> Database:
    """The division's database, migrated to the current schema.

    Only `hallwatch init` passes `create`: every other command refuses, naming the database and
    saying to run init, when the SQLite file does not exist or PostgreSQL has no schema."""
    db = Database.for_data_dir(division.data_dir(data_dir), create=create, config_dir=division.directory_path)
    try:
        if not create:
            db.require_schema()
        if migrate:
            db.migrate()
    except BaseException:
        db.dispose()
        raise
    return db

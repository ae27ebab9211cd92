"""`/healthz` and Prometheus `/metrics` for `hallwatch serve`: what an operator's monitoring scrapes.

Both are computed from the database at request time, not from counters in this process, so they
are right whichever process did the work (the scheduler here, a systemd timer's `hallwatch run`,
the CLI). Neither needs a session and neither shows a name or a post's text: counts, states,
account names and times only.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, SummaryMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import String, cast, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from monitor.db import Database
from monitor.models import Account, Finding, OutboxMessage, ReviewItem, Run, RunAccount, StoredItem, utcnow

# how a connector records a rate-limit wait on run_accounts.events (connectors.ratelimit)
WAITED = re.compile(r"waited ([0-9]+(?:\.[0-9]+)?)s")
ACTIVE_STATES = ("open", "claimed", "escalated")


def database_missing(db: Database) -> bool:
    """A SQLite file that is gone would be re-created empty by connecting: report it instead."""
    url = db.engine.url
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") and not Path(url.database).exists()


def health(db: Database, *, stale_after: timedelta, started_at: datetime, now: datetime) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body): 200 when the database answers and a cycle finished within `stale_after`
    (or this process started less than that ago and none has finished yet); 503 otherwise."""
    body: dict[str, Any] = {"status": "ok", "database": "ok", "last_cycle": None, "stale_after_seconds": int(stale_after.total_seconds())}
    try:
        if database_missing(db):
            raise FileNotFoundError
        with db.sessions() as session:
            session.execute(text("SELECT 1"))
            last = session.execute(
                select(Run.id, Run.status, Run.finished_at).where(Run.finished_at.is_not(None)).order_by(Run.id.desc()).limit(1)
            ).first()
    except (SQLAlchemyError, OSError):
        # no error text: it can name the server and user; `hallwatch status` on the host says more
        return 503, {**body, "status": "failing", "database": "unreachable", "problem": "the database cannot be used"}
    if last is None:
        if now - started_at > stale_after:
            return 503, {**body, "status": "failing", "problem": "no monitoring cycle has finished"}
        return 200, body
    age = (now - last.finished_at).total_seconds()
    body["last_cycle"] = {"run_id": last.id, "status": last.status, "finished_at": last.finished_at.isoformat(), "age_seconds": round(age, 1)}
    if age > stale_after.total_seconds():
        return 503, {**body, "status": "failing", "problem": f"the last monitoring cycle finished {int(age)} s ago"}
    return 200, body


class MonitorCollector(Collector):
    """Every metric read from the database at scrape time."""

    def __init__(self, db: Database, now: Callable[[], datetime] = utcnow) -> None:
        self.db, self.now = db, now

    def describe(self) -> list[Metric]:
        return []  # nothing to read at registration; the metrics come from the database on each scrape

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("hallwatch_database_up", "1 when the database answered this scrape")
        try:
            if database_missing(self.db):
                raise FileNotFoundError
            with self.db.sessions() as session:
                metrics = list(self._from(session))
        except (SQLAlchemyError, OSError):
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from metrics

    def _from(self, session: Session) -> Iterator[Metric]:
        names = dict(session.execute(select(Account.id, Account.name)).tuples().all())

        items = GaugeMetricFamily("hallwatch_items", "Items (posts, comments, replies) stored, by account", labels=["account"])
        counts = dict(session.execute(select(StoredItem.account_id, func.count()).group_by(StoredItem.account_id)).tuples().all())
        for account_id, name in sorted(names.items(), key=lambda kv: kv[1]):
            items.add_metric([name], counts.get(account_id, 0))
        yield items

        findings = GaugeMetricFamily("hallwatch_findings", "Findings filed, by account and category", labels=["account", "category"])
        for account_id, category, n in session.execute(
            select(Finding.account_id, Finding.category, func.count()).group_by(Finding.account_id, Finding.category)
        ):
            findings.add_metric([names.get(account_id, str(account_id)), category], n)
        yield findings

        depth = GaugeMetricFamily("hallwatch_queue_depth", "Review items still to be worked (open, claimed, escalated), by account and state", labels=["account", "state"])
        by_state = {(a, s): n for a, s, n in session.execute(
            select(ReviewItem.account_id, ReviewItem.state, func.count()).where(ReviewItem.active.is_(True)).group_by(ReviewItem.account_id, ReviewItem.state)
        )}
        overdue = GaugeMetricFamily("hallwatch_queue_overdue", "Review items still to be worked past their due time, by account", labels=["account"])
        late = dict(session.execute(
            select(ReviewItem.account_id, func.count()).where(ReviewItem.active.is_(True), ReviewItem.due_at < self.now()).group_by(ReviewItem.account_id)
        ).tuples().all())
        for account_id, name in sorted(names.items(), key=lambda kv: kv[1]):
            for state in ACTIVE_STATES:
                depth.add_metric([name, state], by_state.get((account_id, state), 0))
            overdue.add_metric([name], late.get(account_id, 0))
        yield depth
        yield overdue

        runs = CounterMetricFamily("hallwatch_runs", "Monitoring cycles, by how they ended", labels=["status"])
        for status, n in session.execute(select(Run.status, func.count()).group_by(Run.status)):
            runs.add_metric([status], n)
        yield runs
        spans = [(f - s).total_seconds() for s, f in session.execute(select(Run.started_at, Run.finished_at).where(Run.finished_at.is_not(None)))]
        yield SummaryMetricFamily("hallwatch_run_duration_seconds", "How long finished monitoring cycles took", count_value=len(spans), sum_value=sum(spans))
        last = session.execute(select(Run.started_at, Run.finished_at).where(Run.finished_at.is_not(None)).order_by(Run.id.desc()).limit(1)).first()
        last_duration = GaugeMetricFamily("hallwatch_last_run_duration_seconds", "How long the last finished monitoring cycle took")
        last_finished = GaugeMetricFamily("hallwatch_last_run_finished_timestamp_seconds", "When the last monitoring cycle finished (Unix time)")
        if last is not None:
            last_duration.add_metric([], (last.finished_at - last.started_at).total_seconds())
            last_finished.add_metric([], last.finished_at.timestamp())
        yield last_duration
        yield last_finished

        errors = CounterMetricFamily("hallwatch_account_errors", "Account fetches that failed, by account", labels=["account"])
        failed = dict(session.execute(
            select(RunAccount.account_id, func.count()).where(RunAccount.status == "failed").group_by(RunAccount.account_id)
        ).tuples().all())
        success = GaugeMetricFamily("hallwatch_account_last_success_timestamp_seconds", "When each account was last fetched without error (Unix time)", labels=["account"])
        last_ok = dict(session.execute(
            select(RunAccount.account_id, func.max(RunAccount.finished_at)).where(RunAccount.status == "ok").group_by(RunAccount.account_id)
        ).tuples().all())
        waits = CounterMetricFamily("hallwatch_api_waits", "Rate-limit waits the connectors recorded, by account", labels=["account"])
        wait_seconds = CounterMetricFamily("hallwatch_api_wait_seconds", "Time spent waiting on rate limits, by account", labels=["account"])
        waited: dict[int, list[float]] = {}
        # only the rows that recorded anything: most have an empty list
        for account_id, events in session.execute(select(RunAccount.account_id, RunAccount.events).where(cast(RunAccount.events, String) != "[]")):
            for event in events or []:
                match = WAITED.search(str(event))
                if match:
                    waited.setdefault(account_id, []).append(float(match.group(1)))
        for account_id, name in sorted(names.items(), key=lambda kv: kv[1]):
            errors.add_metric([name], failed.get(account_id, 0))
            if last_ok.get(account_id) is not None:
                success.add_metric([name], last_ok[account_id].timestamp())
            waits.add_metric([name], len(waited.get(account_id, [])))
            wait_seconds.add_metric([name], sum(waited.get(account_id, [])))
        yield errors
        yield success
        yield waits
        yield wait_seconds

        mail = GaugeMetricFamily("hallwatch_mail_waiting", "Urgent and escalation e-mails not yet accepted by the mail server")
        mail.add_metric([], session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "pending")) or 0)
        yield mail


def health_routes(
    db: Database, *, stale_after: timedelta, started_at: datetime | None = None, now: Callable[[], datetime] = utcnow,
    config_problems: Callable[[], list[str]] | None = None,
) -> list[Route]:
    """The two routes; `stale_after` is how old the last finished cycle may be before /healthz says 503.

    `config_problems` (serve's scheduler) tells /healthz whether the configuration file read last
    was invalid: cycles go on with the last good one, so that is reported, not a 503.
    """
    began = started_at or now()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(MonitorCollector(db, now))

    def healthz(request: Request) -> Response:
        status, body = health(db, stale_after=stale_after, started_at=began, now=now())
        if config_problems is not None:
            problems = config_problems()
            body["configuration"] = f"invalid ({len(problems)} problem(s), see the log); the last good one is in use" if problems else "ok"
        return JSONResponse(body, status_code=status)

    def metrics(request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    # sync endpoints: Starlette runs them in its thread pool, off the event loop
    return [Route("/healthz", healthz, methods=["GET"]), Route("/metrics", metrics, methods=["GET"])]

"""The periodic jobs of `hallwatch serve`, on APScheduler, and the structured log lines they write.

Deployments that prefer cron or systemd timers run the same jobs as commands (`hallwatch run`,
`hallwatch queue escalate-overdue`) and start `serve --no-scheduler`. The monitoring job takes
the same lock as `hallwatch run`, so a timer and the scheduler never run a cycle at once.

serve keeps going: before each cycle the configuration is read again (`LiveConfig`); a valid one
is used from then on (added accounts are polled at once), an invalid one is logged with its
problems (file:line and field, values hidden) and the last good one is kept. No job lets an
exception escape: each logs what happened as one JSON line (event, cycle, run id, account,
counts) and the next tick tries again. Logs hold no secret and no student data.
"""
from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import DIVISION_FILE, STAFF_FILE, STUDENTS_FILE, Division, load_division
from monitor.db import Database
from monitor.errors import ConfigError, HallwatchError, Problem
from monitor.locks import RunInProgress, run_lock
from monitor.models import utcnow
from monitor.notify import NotifyError, notify_after_run, outbox_for
from monitor.queue import escalate_and_notify
from monitor.routing import rules_for
from monitor.runs import mark_interrupted_runs, run_cycle

log = logging.getLogger("hallwatch.scheduler")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def safe_problem(problem: Problem) -> str:
    """A configuration problem fit for a log: where and which field, with quoted values hidden.

    A value can be a secret written where it does not belong, or in students.csv a name in the
    wrong column; `hallwatch check-config` on the server shows them in full.
    """
    where = problem.file if problem.line is None else f"{problem.file}:{problem.line}"
    if problem.file in (STUDENTS_FILE, STAFF_FILE):
        message = "invalid value (run hallwatch check-config for details)" if problem.field else _QUOTED.sub("'…'", problem.message)
    else:
        message = _QUOTED.sub("'…'", problem.message)
    return f"{where}: {problem.field}: {message}" if problem.field else f"{where}: {message}"


def safe_error(exc: BaseException) -> str:
    """An error for a log: the monitor's own messages are written to be shown; others by type only,
    since a database error's text can quote the row (a post, a name) it was writing."""
    if isinstance(exc, HallwatchError):
        return f"{type(exc).__name__}: {exc}"
    return type(exc).__name__


def _fingerprint(config_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in (DIVISION_FILE, STUDENTS_FILE, STAFF_FILE):
        try:
            digest.update((config_dir / name).read_bytes())
        except OSError as exc:
            digest.update(f"<{name}: {type(exc).__name__}>".encode())
        digest.update(b"\0")
    return digest.hexdigest()


class LiveConfig:
    """The division as last read without problems, read again from `config_dir` before each cycle."""

    def __init__(self, division: Division, config_dir: Path | None = None) -> None:
        self.division = division
        self.config_dir = config_dir
        self.fingerprint = _fingerprint(config_dir) if config_dir is not None else None
        self.loaded_at = utcnow()
        self.problems: list[str] = []

    def reload(self, cycle: str = "") -> Division:
        """The division to use now: the files' if they changed and are valid, else the last good one."""
        if self.config_dir is None:
            return self.division
        fingerprint = _fingerprint(self.config_dir)
        if fingerprint == self.fingerprint:
            if self.problems:  # put back as it was when last good
                log.info("configuration valid again", extra={"event": "config_reloaded", "cycle": cycle, "accounts": len(self.division.accounts), "accounts_added": [], "accounts_removed": []})
                self.problems = []
            return self.division  # unchanged since the last good read
        try:
            division = load_division(self.config_dir)
            rules_for(division)  # routing rules too: a bad rule must not surface mid-cycle
        except ConfigError as exc:
            self._invalid([safe_problem(p) for p in exc.problems], cycle)
            return self.division
        except HallwatchError as exc:
            self._invalid([_QUOTED.sub("'…'", str(exc))], cycle)
            return self.division
        except Exception as exc:  # noqa: BLE001 - unreadable (permissions, encoding): keep the last good one
            self._invalid([f"{self.config_dir}: could not be read: {safe_error(exc)}"], cycle)
            return self.division
        before = {a.name for a in self.division.accounts}
        after = {a.name for a in division.accounts}
        log.info("configuration reloaded", extra={
            "event": "config_reloaded", "cycle": cycle, "accounts": len(after),
            "accounts_added": sorted(after - before), "accounts_removed": sorted(before - after),
        })
        self.division, self.fingerprint, self.loaded_at, self.problems = division, fingerprint, utcnow(), []
        return division

    def _invalid(self, problems: list[str], cycle: str) -> None:
        self.problems = problems
        log.warning("configuration invalid; keeping the last good one", extra={
            "event": "config_invalid", "cycle": cycle, "config": str(self.config_dir / DIVISION_FILE) if self.config_dir else None,
            "problems": problems, "kept_from": self.loaded_at.isoformat(),
        })


def monitoring_job(
    db: Database, division: Division | LiveConfig, data_dir: Path, now: Callable[[], datetime] = utcnow,
) -> Callable[[], None]:
    live = division if isinstance(division, LiveConfig) else LiveConfig(division)

    def job() -> None:
        cycle = uuid.uuid4().hex[:12]
        started = time.monotonic()
        current = live.reload(cycle)
        log.info("cycle started", extra={"event": "cycle_start", "cycle": cycle, "accounts": len(current.accounts)})
        try:
            with run_lock(data_dir):
                mark_interrupted_runs(db)
                report = run_cycle(db, current, now=now, trigger="scheduler", data_dir=data_dir)
        except RunInProgress:
            log.info("cycle skipped: another run holds the lock", extra={"event": "cycle_skipped", "cycle": cycle, "reason": "another run holds the lock"})
            return
        except Exception as exc:  # noqa: BLE001 - serve goes on; the next tick tries again
            log.error("cycle failed", extra={"event": "cycle_failed", "cycle": cycle, "error": safe_error(exc)})
            return
        for outcome in report.accounts:
            log.info("account polled", extra={
                "event": "account", "cycle": cycle, "run_id": report.run_id, "account": outcome.account, "status": outcome.status,
                "fetched": outcome.fetched, "new_items": outcome.new_items, "findings": outcome.findings,
                "api_calls": outcome.api_calls, "api_waits": len(outcome.events), "error": outcome.error,
            })
        ran = {o.account for o in report.accounts}
        not_due = sorted(a.name for a in current.accounts if a.name not in ran)
        if not_due:
            log.info("accounts skipped: not due", extra={"event": "accounts_skipped", "cycle": cycle, "run_id": report.run_id, "reason": "not due (poll_minutes)", "accounts": not_due})
        log.info("cycle finished", extra={
            "event": "cycle_finished", "cycle": cycle, "run_id": report.run_id, "status": report.status,
            "accounts_polled": len(report.accounts), "accounts_failed": sum(o.status != "ok" for o in report.accounts),
            "duration_seconds": round(time.monotonic() - started, 3),
        })

    return job


def escalation_job(db: Database, division: Division | LiveConfig, data_dir: Path | None, now: Callable[[], datetime] = utcnow) -> Callable[[], None]:
    live = division if isinstance(division, LiveConfig) else LiveConfig(division)

    def job() -> None:
        current = live.division
        try:
            escalated = escalate_and_notify(db, current, now(), outbox_for(db, current, data_dir))
        except NotifyError as exc:
            log.warning("overdue items escalated; e-mail waits", extra={"event": "mail_waiting", "error": str(exc)})
            return
        except Exception as exc:  # noqa: BLE001
            log.error("overdue escalation failed", extra={"event": "escalation_failed", "error": safe_error(exc)})
            return
        if escalated:
            log.info("escalated overdue review items", extra={"event": "escalated", "count": len(escalated)})

    return job


def mail_job(db: Database, division: Division | LiveConfig, data_dir: Path | None, now: Callable[[], datetime] = utcnow) -> Callable[[], None]:
    """Sends what waits in the outbox (a moderator's escalation from the web page, a retry)."""
    live = division if isinstance(division, LiveConfig) else LiveConfig(division)

    def job() -> None:
        notify_after_run(db, live.division, now(), data_dir)  # never raises; logs what it could not send

    return job


def governance_job(db: Database, division: Division | LiveConfig, now: Callable[[], datetime] = utcnow) -> Callable[[], None]:
    """The daily governance audit: profiles refreshed, gaps filed in the queue, met rules closed."""
    from monitor.governance import run_governance

    live = division if isinstance(division, LiveConfig) else LiveConfig(division)

    def job() -> None:
        gaps, filing = run_governance(db, live.division, now())
        log.info("governance audit: %d gap(s); %d new, %d closed", len(gaps), len(filing.opened), len(filing.closed))

    return job


def digest_job(db: Database, division: Division | LiveConfig, data_dir: Path | None, now: Callable[[], datetime] = utcnow) -> Callable[[], None]:
    """The weekly digests (monitor.digest): each recipient's once per week, however often this runs."""
    from monitor.digest import send_digests

    live = division if isinstance(division, LiveConfig) else LiveConfig(division)

    def job() -> None:
        current = live.division
        result = send_digests(db, current, now(), outbox_for(db, current, data_dir))
        log.info("weekly digests %s: %d sent, %d failed", result.week, len(result.sent), len(result.failed))

    return job


PURGE_CLAIM = "purge_daily"


def purge_job(db: Database, division: Division | LiveConfig, data_dir: Path, now: Callable[[], datetime] = utcnow) -> Callable[[], None]:
    """The daily retention purge (monitor.records.retention), tried hourly and done once per local day.

    The day is claimed by an audit row (`purge_daily`, the local date) written when the purge has
    finished, under the run lock: a purge cut short (a crash, a restart) is finished by the next
    tick, and a finished one is not repeated the same day. Nothing is done when division.yaml has no
    retention rules."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from monitor.models import AuditEntry
    from monitor.records.retention import purge

    live = division if isinstance(division, LiveConfig) else LiveConfig(division)

    def job() -> None:
        current = live.division
        moment = now()
        day = moment.astimezone(ZoneInfo(current.settings.timezone)).date().isoformat()
        try:
            with run_lock(data_dir):
                with db.transaction() as session:
                    if session.scalar(select(AuditEntry.id).where(AuditEntry.action == PURGE_CLAIM, AuditEntry.entity_id == day).limit(1)) is not None:
                        return
                report = purge(db, current, moment, data_dir=data_dir)
                with db.transaction() as session:
                    session.add(AuditEntry(at=moment, actor="hallwatch", action=PURGE_CLAIM, entity_type="retention", entity_id=day,
                                           before=None, after={"items": report.total, "batches": report.batches, "held": sum(report.held.values())}))
        except RunInProgress:
            log.info("purge skipped: another run holds the lock", extra={"event": "purge_skipped", "reason": "another run holds the lock"})
            return
        except Exception as exc:  # noqa: BLE001 - the next tick tries again
            log.error("purge failed", extra={"event": "purge_failed", "error": safe_error(exc)})
            return
        log.info("retention purge", extra={"event": "purge", "day": day, "items": report.total, "batches": report.batches,
                                           "held": sum(report.held.values())})

    return job


def digest_trigger(division: Division) -> CronTrigger:
    """division.yaml's digest day and time (default Monday 07:00), in the division's time zone."""
    hour, minute = division.digest.hour_minute
    return CronTrigger(day_of_week=division.digest.day[:3], hour=hour, minute=minute, timezone=division.settings.timezone)


def build_scheduler(
    db: Database,
    division: Division,
    data_dir: Path,
    *,
    run_every_minutes: int = 5,
    run_every_seconds: int | None = None,
    escalate_every_minutes: int = 15,
    mail_every_seconds: int = 60,
    config_dir: Path | None = None,
    live: LiveConfig | None = None,
    now: Callable[[], datetime] = utcnow,
) -> BackgroundScheduler:
    """A scheduler, not started: the monitoring cycle (first at once), the overdue escalation, the outbox.

    With `config_dir` (or a `live` config shared with /healthz) the configuration is read again
    before each cycle (see LiveConfig). `run_every_seconds` overrides the minutes, for trials and tests.
    """
    live = live or LiveConfig(division, config_dir)
    scheduler = BackgroundScheduler(timezone="UTC")
    run_trigger = IntervalTrigger(seconds=run_every_seconds) if run_every_seconds else IntervalTrigger(minutes=run_every_minutes)
    # a slow cycle must not pile up behind itself
    scheduler.add_job(monitoring_job(db, live, data_dir, now), run_trigger, id="run", max_instances=1, coalesce=True,
                      next_run_time=datetime.now(timezone.utc))
    scheduler.add_job(escalation_job(db, live, data_dir, now), IntervalTrigger(minutes=escalate_every_minutes), id="escalate-overdue", max_instances=1, coalesce=True)
    scheduler.add_job(mail_job(db, live, data_dir, now), IntervalTrigger(seconds=mail_every_seconds), id="mail", max_instances=1, coalesce=True)

    def still_running(event: JobSubmissionEvent) -> None:
        log.info("tick skipped: the previous one is still running", extra={"event": "cycle_skipped" if event.job_id == "run" else "job_skipped", "job": event.job_id, "reason": "the previous one is still running"})

    scheduler.add_listener(still_running, EVENT_JOB_MAX_INSTANCES)
    scheduler.add_job(governance_job(db, live, now), CronTrigger(hour=6, minute=0, timezone=division.settings.timezone), id="governance", max_instances=1, coalesce=True)
    scheduler.add_job(purge_job(db, live, data_dir, now), CronTrigger(minute=40, timezone=division.settings.timezone), id="purge", max_instances=1, coalesce=True)
    if division.digest.enabled:
        # misfire grace: a server restarted at 07:30 still sends Monday's digests (exactly once: monitor.digest)
        scheduler.add_job(digest_job(db, live, data_dir, now), digest_trigger(division), id="digest", max_instances=1, coalesce=True, misfire_grace_time=12 * 3600)
    return scheduler

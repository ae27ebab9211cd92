"""The periodic jobs of `hallwatch serve`, on APScheduler.

Deployments that prefer cron or systemd timers run the same jobs as commands (`hallwatch run`,
`hallwatch queue escalate-overdue`) and start `serve --no-scheduler`. The monitoring job takes
the same lock as `hallwatch run`, so a timer and the scheduler never run a cycle at once.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import Division
from monitor.db import Database
from monitor.locks import RunInProgress, run_lock
from monitor.notify import outbox_for
from monitor.queue import escalate_and_notify
from monitor.models import utcnow
from monitor.runs import mark_interrupted_runs, run_cycle

log = logging.getLogger("hallwatch.scheduler")


def monitoring_job(db: Database, division: Division, data_dir: Path, now: Callable[[], datetime] = utcnow) -> Callable[[], None]:
    def job() -> None:
        try:
            with run_lock(data_dir):
                mark_interrupted_runs(db)
                report = run_cycle(db, division, now=now, trigger="scheduler")
        except RunInProgress:
            log.info("scheduled run skipped: another run holds the lock")
            return
        log.info("scheduled run %d: %s over %d account(s)", report.run_id, report.status, len(report.accounts))

    return job


def escalation_job(db: Database, division: Division, data_dir: Path | None, now: Callable[[], datetime] = utcnow) -> Callable[[], None]:
    def job() -> None:
        escalated = escalate_and_notify(db, division, now(), outbox_for(db, division, data_dir))
        if escalated:
            log.info("escalated %d overdue review item(s)", len(escalated))

    return job


def governance_job(db: Database, division: Division, now: Callable[[], datetime] = utcnow) -> Callable[[], None]:
    """The daily governance audit: profiles refreshed, gaps filed in the queue, met rules closed."""
    from monitor.governance import run_governance

    def job() -> None:
        gaps, filing = run_governance(db, division, now())
        log.info("governance audit: %d gap(s); %d new, %d closed", len(gaps), len(filing.opened), len(filing.closed))

    return job


def digest_job(db: Database, division: Division, data_dir: Path | None, now: Callable[[], datetime] = utcnow) -> Callable[[], None]:
    """The weekly digests (monitor.digest): each recipient's once per week, however often this runs."""
    from monitor.digest import send_digests

    def job() -> None:
        result = send_digests(db, division, now(), outbox_for(db, division, data_dir))
        log.info("weekly digests %s: %d sent, %d failed", result.week, len(result.sent), len(result.failed))

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
    escalate_every_minutes: int = 15,
    now: Callable[[], datetime] = utcnow,
) -> BackgroundScheduler:
    """A scheduler, not started, with the monitoring cycle and the overdue escalation."""
    scheduler = BackgroundScheduler(timezone="UTC")
    jobs = {
        "run": (monitoring_job(db, division, data_dir, now), run_every_minutes),
        "escalate-overdue": (escalation_job(db, division, data_dir, now), escalate_every_minutes),
    }
    for name, (job, minutes) in jobs.items():
        # a slow cycle must not pile up behind itself
        scheduler.add_job(job, IntervalTrigger(minutes=minutes), id=name, max_instances=1, coalesce=True)
    scheduler.add_job(governance_job(db, division, now), CronTrigger(hour=6, minute=0, timezone=division.settings.timezone), id="governance", max_instances=1, coalesce=True)
    if division.digest.enabled:
        # misfire grace: a server restarted at 07:30 still sends Monday's digests (exactly once: monitor.digest)
        scheduler.add_job(digest_job(db, division, data_dir, now), digest_trigger(division), id="digest", max_instances=1, coalesce=True, misfire_grace_time=12 * 3600)
    return scheduler

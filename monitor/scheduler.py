"""The periodic jobs of `hallwatch serve`, on APScheduler.

Deployments that prefer cron or systemd timers run the same jobs as commands (`hallwatch run`,
`hallwatch queue escalate-overdue`); this only saves them a timer when the web queue runs anyway.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import Division
from monitor.db import Database
from monitor.runs import now_utc, run_cycle

log = logging.getLogger("hallwatch.scheduler")


def monitoring_job(db: Database, division: Division, now: Callable[[], datetime] = now_utc) -> Callable[[], None]:
    def job() -> None:
        report = run_cycle(db, division, now=now, trigger="scheduler")
        log.info("scheduled run %d: %s over %d account(s)", report.run_id, report.status, len(report.accounts))

    return job


def build_scheduler(db: Database, division: Division, *, run_every_minutes: int = 5, extra_jobs: dict[str, tuple[Callable[[], None], int]] | None = None) -> BackgroundScheduler:
    """A scheduler (not started) with the monitoring cycle and any extra jobs: name -> (job, minutes)."""
    scheduler = BackgroundScheduler(timezone="UTC")
    jobs = {"run": (monitoring_job(db, division), run_every_minutes), **(extra_jobs or {})}
    for name, (job, minutes) in jobs.items():
        # a slow cycle must not pile up behind itself
        scheduler.add_job(job, IntervalTrigger(minutes=minutes), id=name, max_instances=1, coalesce=True)
    return scheduler

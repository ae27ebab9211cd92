from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from monitor.config import load_division
from monitor.locks import run_lock
from monitor.models import ReviewItem, Run, StoredItem
from monitor.scheduler import build_scheduler

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def test_the_scheduler_runs_cycles_under_the_run_lock_and_escalates(db, config_dir, tmp_path, analyzer, monkeypatch) -> None:
    division = load_division(config_dir)
    monkeypatch.setattr("monitor.runs.default_analyzer", lambda division: analyzer)
    clock = [NOW]
    scheduler = build_scheduler(db, division, tmp_path / "data", run_every_minutes=7, now=lambda: clock[0])
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"run", "escalate-overdue", "mail", "governance", "digest", "purge"}
    assert jobs["run"].trigger.interval == timedelta(minutes=7)
    assert jobs["run"].max_instances == 1

    with run_lock(tmp_path / "data"):
        jobs["run"].func()  # `hallwatch run` holds the lock: the scheduled cycle stands aside
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Run)) == 0
    jobs["run"].func()
    with db.sessions() as s:
        assert s.scalar(select(Run.trigger)) == "scheduler"
        assert s.scalar(select(func.count()).select_from(StoredItem)) > 0
        review = s.scalars(select(ReviewItem)).one()  # the class password KeywordAnalyzer flags
        assert review.state == "open"
        due = review.due_at
    clock[0] = due + timedelta(minutes=1)
    jobs["escalate-overdue"].func()
    with db.sessions() as s:
        assert s.scalars(select(ReviewItem)).one().state == "escalated"

from __future__ import annotations

from sqlalchemy import func, select

from monitor.config import load_division
from monitor.models import Run, StoredItem
from monitor.scheduler import build_scheduler


def test_the_scheduler_holds_the_monitoring_job_and_it_runs_a_cycle(db, config_dir, analyzer, monkeypatch) -> None:
    division = load_division(config_dir)
    monkeypatch.setattr("monitor.runs.default_analyzer", lambda division: analyzer)
    extra_calls: list[str] = []
    scheduler = build_scheduler(db, division, run_every_minutes=7, extra_jobs={"escalate": (lambda: extra_calls.append("x"), 30)})
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"run", "escalate"}
    assert jobs["run"].trigger.interval.total_seconds() == 7 * 60
    assert jobs["run"].max_instances == 1
    jobs["run"].func()
    jobs["escalate"].func()
    assert extra_calls == ["x"]
    with db.sessions() as s:
        assert s.scalar(select(Run.trigger)) == "scheduler"
        assert s.scalar(select(func.count()).select_from(StoredItem)) > 0

"""/metrics read from the database: the numbers are the database's, whichever process wrote them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from monitor.db import Database
from monitor.models import Run, RunAccount
from monitor.web.health import MonitorCollector
from tests.queue.helpers import NORTHGATE, WILLOW, example_division, routed_item

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def scrape(db: Database, now: datetime) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(MonitorCollector(db, lambda: now))
    out = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_count_queue_runs_errors_and_rate_limit_waits(db: Database) -> None:
    division = example_division()
    routed_item(db, division, NORTHGATE, [("media_inquiry", "medium")])  # due in 4 h
    routed_item(db, division, WILLOW, [("student_pii", "medium"), ("harassment", "high")])
    with db.transaction() as session:
        from monitor.runs import sync_accounts
        ids = {name: a.id for name, a in sync_accounts(session, division).items()}
        run = Run(started_at=NOW, finished_at=NOW + timedelta(seconds=42), status="partial", trigger="scheduler")
        session.add(run)
        session.flush()
        session.add_all([
            RunAccount(run_id=run.id, account_id=ids[NORTHGATE], status="ok", events=["facebook: app usage at 91%; waited 2.5s", "facebook: rate limited (429); waited 10.0s"], finished_at=NOW),
            RunAccount(run_id=run.id, account_id=ids[WILLOW], status="failed", events=[], error="token expired", finished_at=NOW),
        ])
    m = scrape(db, NOW + timedelta(hours=5))
    assert m[("hallwatch_database_up", ())] == 1
    assert m[("hallwatch_items", (("account", NORTHGATE),))] == 1
    assert m[("hallwatch_findings", (("account", WILLOW), ("category", "harassment")))] == 1
    assert m[("hallwatch_queue_depth", (("account", WILLOW), ("state", "open")))] == 1
    # 5 hours on, the media inquiry (due in 4 h) is overdue; the other (24 h) is not
    assert m[("hallwatch_queue_overdue", (("account", NORTHGATE),))] == 1
    assert m[("hallwatch_queue_overdue", (("account", WILLOW),))] == 0
    assert m[("hallwatch_runs_total", (("status", "partial"),))] == 1
    assert m[("hallwatch_run_duration_seconds_sum", ())] == 42 and m[("hallwatch_run_duration_seconds_count", ())] == 1
    assert m[("hallwatch_account_errors_total", (("account", WILLOW),))] == 1
    assert m[("hallwatch_account_errors_total", (("account", NORTHGATE),))] == 0
    assert m[("hallwatch_api_waits_total", (("account", NORTHGATE),))] == 2
    assert m[("hallwatch_api_wait_seconds_total", (("account", NORTHGATE),))] == 12.5
    assert m[("hallwatch_account_last_success_timestamp_seconds", (("account", NORTHGATE),))] == NOW.timestamp()
    assert ("hallwatch_account_last_success_timestamp_seconds", (("account", WILLOW),)) not in m


def test_metrics_say_the_database_is_down_instead_of_failing(tmp_path) -> None:  # noqa: ANN001
    db = Database(f"sqlite:///{tmp_path / 'gone.sqlite3'}")  # never created
    m = scrape(db, NOW)
    assert m == {("hallwatch_database_up", ()): 0}
    assert not (tmp_path / "gone.sqlite3").exists()
    db.dispose()

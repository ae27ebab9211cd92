"""X reads billed per post: counted per account and month, a monthly budget that stops reading, and what status and governance say.

The real X connector reads a local server (tests/faults/platform_server.py) through `options.base_url`;
the server, like X, returns at most `max_results` posts and only those after `since_id`.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import func, select

from connectors.ratelimit import Throttle
from connectors.x import XConnector
from monitor.cli import main
from monitor.config import load_division
from monitor.governance import audit
from monitor.models import ApiUsage, StoredItem
from monitor.runs import run_cycle
from tests.faults.platform_server import PlatformServer, page_id

DEC = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)
DEC_LATER = datetime(2026, 12, 20, 12, 0, tzinfo=timezone.utc)
JAN = datetime(2027, 1, 2, 12, 0, tzinfo=timezone.utc)
KEY = "x-budget"


def x_division(config_dir: Path, server: PlatformServer, budget: float | None) -> None:
    path = config_dir / "division.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    account = next(a for a in config["accounts"] if a["platform"] == "x")
    account.pop("sample_file")
    account.update(handle=page_id(KEY), credentials={"bearer_token": "env:HW_TEST_X_BEARER"}, options={"base_url": f"{server.origin}/{KEY}"})
    config["accounts"] = [account]
    config["x_billing"] = {"price_per_post_read": 0.01, "currency": "CAD", **({"monthly_budget": budget} if budget is not None else {})}
    config["division"].pop("credentials_file", None)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HW_TEST_X_BEARER", "AAAAbudgetfakebearer")
    with PlatformServer() as srv:
        srv.account(KEY, "x")
        yield srv


def quiet(ref):  # noqa: ANN001, ANN201 - the real connector, without real sleeps
    return XConnector(Throttle(sleep=lambda s: None, rand=lambda: 0.0))


def test_the_budget_stops_reading_for_the_month_and_reading_resumes_next_month(db, config_dir: Path, analyzer, server) -> None:
    server.add_posts(KEY, 30)
    x_division(config_dir, server, budget=0.25)  # 25 posts at 0.01
    division = load_division(config_dir)
    name = division.accounts[0].name

    first = run_cycle(db, division, analyze=analyzer, now=lambda: DEC, connector_for=quiet, everything=True)
    assert first.status == "ok"
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StoredItem)) == 25
        row = session.scalar(select(ApiUsage))
        assert (row.metric, row.period, row.amount) == ("x_posts_read", "2026-12", 25)
        gaps = [g for g in audit(session, division, DEC) if g.rule == "x_read_budget"]
    assert len(gaps) == 1 and "month 2026-12" in gaps[0].message and "2027-01-01" in gaps[0].message
    assert "0.25 CAD" in gaps[0].message

    server.add_posts(KEY, 5)
    server.reset_hits()
    second = run_cycle(db, division, analyze=analyzer, now=lambda: DEC_LATER, connector_for=quiet, everything=True)
    # no error, no call to X: one clear event
    assert second.status == "ok" and server.hits == {}
    assert second.accounts[0].events == ["X read budget reached for 2026-12 (25 posts); not read until 2027-01-01"]

    third = run_cycle(db, division, analyze=analyzer, now=lambda: JAN, connector_for=quiet, everything=True)
    assert third.status == "ok" and third.accounts[0].new_items == 5
    with db.sessions() as session:
        months = dict(session.execute(select(ApiUsage.period, ApiUsage.amount)).all())
        assert months == {"2026-12": 25, "2027-01": 5}
        assert not [g for g in audit(session, division, JAN) if g.rule == "x_read_budget" and g.account == name]


def test_without_a_budget_reads_are_counted_and_status_shows_the_estimated_cost(use_db_env, config_dir: Path, analyzer, server, monkeypatch: pytest.MonkeyPatch) -> None:
    server.add_posts(KEY, 12)
    x_division(config_dir, server, budget=None)
    monkeypatch.setattr("monitor.runs.default_analyzer", lambda division: analyzer)
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--config", str(config_dir)]).exit_code == 0
    run = runner.invoke(main, ["run", "--config", str(config_dir)])
    assert run.exit_code == 0, run.output
    status = runner.invoke(main, ["status", "--config", str(config_dir)])
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    assert f"X reads {month}: 12 posts, about 0.12 CAD at 0.01 CAD a post (estimate: check the division's X plan)" in status.output
    assert "budget" not in status.output.split("X reads", 1)[1].splitlines()[0]


def test_the_connector_asks_for_no_more_than_the_budget_allows(server) -> None:
    server.add_posts(KEY, 40)
    from connectors.base import AccountRef

    ref = AccountRef("x", "x", page_id(KEY), {"bearer_token": "fake"}, {"base_url": f"{server.origin}/{KEY}", "x_reads_left": 15})
    result = quiet(ref).fetch(ref, None)
    assert len(result.items) == 15 and result.usage == {"x_posts_read": 15}
    assert any("read budget reached after 15 posts" in e for e in result.events)
    assert json.loads(result.cursor)["posts"]


def test_a_negative_budget_or_price_is_refused_naming_the_field(config_dir: Path) -> None:
    from monitor.errors import ConfigError

    path = config_dir / "division.yaml"
    path.write_text(path.read_text() + "x_billing:\n  price_per_post_read: -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="x_billing.price_per_post_read"):
        load_division(config_dir)

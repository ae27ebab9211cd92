"""The digest's schedule in division.yaml, validated, and the scheduler's weekly and daily jobs."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from monitor.cli import main
from monitor.config import load_division
from monitor.errors import ConfigError
from monitor.models import GovernanceFindingRow, ReviewItem
from monitor.scheduler import build_scheduler
from tests.queue.helpers import EXAMPLE

SUNDAY_NOON = datetime(2026, 11, 29, 19, 0, tzinfo=timezone.utc)  # 12:00 in Edmonton


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(EXAMPLE, target)
    return target


def add_digest(config_dir: Path, block: str) -> None:
    path = config_dir / "division.yaml"
    path.write_text(path.read_text().replace("\nschools:\n", f"\n{block}\nschools:\n", 1))


def test_the_default_is_monday_seven_in_the_division_time_zone(db, config_dir: Path, tmp_path: Path) -> None:
    scheduler = build_scheduler(db, load_division(config_dir), tmp_path / "data", now=lambda: SUNDAY_NOON)
    trigger = {job.id: job for job in scheduler.get_jobs()}["digest"].trigger
    fire = trigger.get_next_fire_time(None, SUNDAY_NOON)
    assert fire.isoformat() == "2026-11-30T07:00:00-07:00"


def test_a_configured_schedule_and_a_repeated_job_send_each_digest_once(db, config_dir: Path, tmp_path: Path) -> None:
    add_digest(config_dir, 'digest:\n  day: friday\n  time: "15:30"')
    division = load_division(config_dir)
    clock = [datetime(2026, 12, 4, 22, 30, tzinfo=timezone.utc)]  # Friday 15:30 MST
    scheduler = build_scheduler(db, division, tmp_path / "data", now=lambda: clock[0])
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert jobs["digest"].trigger.get_next_fire_time(None, SUNDAY_NOON).isoformat() == "2026-12-04T15:30:00-07:00"
    outbox = tmp_path / "data" / "outbox"
    for _ in range(2):
        jobs["digest"].func()
    assert len(list(outbox.glob("*.eml"))) == 6  # no SMTP host: written to the outbox, once each
    jobs["governance"].func()
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(GovernanceFindingRow)) > 0
        assert session.scalar(select(func.count()).select_from(ReviewItem).where(ReviewItem.item_id.is_(None))) > 0


def test_a_digest_turned_off_has_no_job(db, config_dir: Path, tmp_path: Path) -> None:
    add_digest(config_dir, "digest:\n  enabled: false")
    jobs = {job.id for job in build_scheduler(db, load_division(config_dir), tmp_path / "data").get_jobs()}
    assert "digest" not in jobs and "governance" in jobs


@pytest.mark.parametrize("block, field", [
    ('digest:\n  time: "25:00"', "digest.time"),
    ("digest:\n  day: funday", "digest.day"),
    ("digest:\n  claim_timeout_minutes: 0", "digest.claim_timeout_minutes"),
    ("digest:\n  hour: 7", "digest.hour"),
])
def test_check_config_refuses_a_bad_schedule(config_dir: Path, block: str, field: str) -> None:
    add_digest(config_dir, block)
    with pytest.raises(ConfigError) as caught:
        load_division(config_dir)
    assert any(p.field == field for p in caught.value.problems), caught.value.problems
    result = CliRunner().invoke(main, ["check-config", str(config_dir)])
    assert result.exit_code == 1 and field in result.output


def test_digest_command_line(config_dir: Path, tmp_path: Path, use_db_env) -> None:
    runner = CliRunner()
    data = ["--config", str(config_dir), "--data-dir", str(tmp_path / "data")]
    out = tmp_path / "preview" / "willow.html"
    result = runner.invoke(main, ["digest", *data, "--preview", "Willow Creek Elementary", "--output", str(out), "--week", "2026-W48"])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "Willow Creek Elementary: weekly digest" in html and "data:image/png;base64," in html
    assert "NEW FINDINGS THIS WEEK" in out.with_suffix(".txt").read_text()
    division_out = tmp_path / "preview" / "division.html"
    assert runner.invoke(main, ["digest", *data, "--division", "--output", str(division_out)]).exit_code == 0
    assert "Every school side by side" in division_out.read_text()
    unknown = runner.invoke(main, ["digest", *data, "--preview", "Nowhere School", "--output", str(out)])
    assert unknown.exit_code == 1 and "no school 'Nowhere School'" in unknown.output
    assert runner.invoke(main, ["digest", *data]).exit_code == 2  # neither --preview nor --send
    bad_week = runner.invoke(main, ["digest", *data, "--send", "--week", "2026-48"])
    assert bad_week.exit_code == 1 and "not an ISO week" in bad_week.output
    sent = runner.invoke(main, ["digest", *data, "--send", "--week", "2026-W48"])
    assert sent.exit_code == 0 and "6 sent" in sent.output
    again = runner.invoke(main, ["digest", *data, "--send", "--week", "2026-W48"])
    assert again.exit_code == 0 and "0 sent, 6 already sent" in again.output

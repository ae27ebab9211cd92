"""The metered-API counters: periods as the platforms count them, what status says, an action's cost."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors.ratelimit import Throttle
from connectors.youtube import YouTubeConnector
from monitor import actions
from monitor.config import load_division
from monitor.models import ApiUsage
from monitor.runs import sync_accounts
from monitor.usage import counters
from tests.connectors.conftest import VCR


def test_youtube_days_are_pacific_days_and_x_months_are_utc_months(db, config_dir: Path) -> None:
    division = load_division(config_dir)
    late = datetime(2026, 12, 2, 7, 30, tzinfo=timezone.utc)  # 23:30 on Dec 1 in California
    assert counters.period(counters.YOUTUBE_UNITS, late) == "2026-12-01"
    assert counters.period(counters.X_POSTS_READ, datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)) == "2026-12"
    with db.transaction() as session:
        yt = sync_accounts(session, division)["northgate-high-yt"]
        counters.add(session, yt.id, {counters.YOUTUBE_UNITS: 4}, late)
        counters.add(session, yt.id, {counters.YOUTUBE_UNITS: 50, "unused": 0}, late)
        counters.add(session, yt.id, {counters.YOUTUBE_UNITS: 3}, datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc))
    with db.sessions() as session:
        rows = sorted((r.period, r.amount) for r in session.scalars(select(ApiUsage)))
        assert rows == [("2026-12-01", 54), ("2026-12-02", 3)]
        config = division.account("northgate-high-yt").model_copy(update={"sample_file": None})
        assert counters.status_lines(session, division, config, yt.id, late) == ["YouTube quota 2026-12-01 (Pacific day): 54 of 10,000 units"]
        # a demo account reading its sample file spends no quota and shows none
        assert counters.status_lines(session, division, division.account("northgate-high-yt"), yt.id, late) == []


def test_a_moderation_action_reports_its_50_units(config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = config_dir / "division.yaml"
    path.write_text(path.read_text().replace("credentials: {api_key: env:HALLWATCH_YT_KEY}", "credentials: {access_token: env:HW_TEST_YT_OWNER}"))
    monkeypatch.setenv("HW_TEST_YT_OWNER", "ya29.invented-owner-token")
    division = load_division(config_dir)
    spent: list[dict[str, int]] = []
    with VCR.use_cassette("youtube/moderate_held.yaml", allow_playback_repeats=False) as cas:
        done = actions.perform(division, "northgate-high-yt", "comment", "UgzInvented1", "hide",
                               connector_for=lambda ref: YouTubeConnector(Throttle(sleep=lambda s: None)), on_usage=spent.append)
    assert cas.all_played
    assert done == "hide comment UgzInvented1 on youtube" and spent == [{"youtube_quota_units": 50}]

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from monitor.config import load_division
from monitor.governance import audit
from monitor.runs import run_cycle, sync_accounts

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def rules(gaps, account: str) -> set[str]:
    return {g.rule for g in gaps if g.account == account}


def test_registry_rules(db, config_dir: Path) -> None:
    path = config_dir / "division.yaml"
    text = path.read_text()
    # a departed teacher instead of the principal, and no approval on record
    text = text.replace(
        "administrators: [helena.vasquez@prairiehills-sd.ca, claire.dubois@prairiehills-sd.ca]\n    content_manager: claire.dubois@prairiehills-sd.ca\n    comments: true\n    registered: 2022-09-06\n    approved: 2022-09-09\n",
        "administrators: [ruth.kimball@prairiehills-sd.ca, claire.dubois@prairiehills-sd.ca]\n    content_manager: claire.dubois@prairiehills-sd.ca\n    comments: true\n    registered: 2022-09-06\n",
    )
    path.write_text(text)
    division = load_division(config_dir)
    with db.transaction() as session:
        sync_accounts(session, division)
        gaps = audit(session, division, NOW)
    assert rules(gaps, "willow-creek-elementary-fb") >= {"registered", "two_admins", "principal_admin", "departed_admin"}
    assert "password_reset" in rules(gaps, "cedar-valley-middle-ig")  # last reset 2025-01-15
    assert "content_manager" in rules(gaps, "northgate-high-yt")
    assert rules(gaps, "prairie-hills-sd-fb") == {"comments_monitored"}  # never fetched yet
    assert all(g.clause for g in gaps)


def test_activity_rules_follow_what_the_monitor_has_seen(db, config_dir: Path, analyzer) -> None:
    division = load_division(config_dir)
    run_cycle(db, division, analyze=analyzer, now=lambda: NOW)
    with db.sessions() as session:
        fresh = audit(session, division, NOW + timedelta(hours=2))
        later = audit(session, division, NOW + timedelta(hours=30))
    assert not any(g.rule == "comments_monitored" for g in fresh)
    assert rules(later, "prairie-hills-sd-fb") == {"comments_monitored"}
    assert "comments_monitored" not in rules(later, "northgate-high-yt"), "comments are off there"
    with db.sessions() as session:
        # the sample posts are from November 2026: a year on, the accounts look abandoned
        stale = audit(session, division, NOW + timedelta(days=365))
    assert "stale" in rules(stale, "willow-creek-elementary-fb")

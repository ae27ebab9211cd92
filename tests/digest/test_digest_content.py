"""What a digest says: a school with findings, one without, one with a governance gap; the division summary."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from monitor.config import Division
from monitor.db import Database
from monitor.digest import build_content, compose, last_complete_week, parse_week, render, week_bounds
from monitor.governance import run_governance
from monitor.models import ReviewItem
from monitor.runs import sync_accounts
from tests.queue.helpers import NORTHGATE, WILLOW, routed_item

# Monday 30 November 2026, 07:00 in Edmonton: the digest of week 48 (23 to 29 November)
SEND = datetime(2026, 11, 30, 14, 0, tzinfo=timezone.utc)
IN_WEEK = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)
WILLOW_SCHOOL, CEDAR, NORTHGATE_SCHOOL = "Willow Creek Elementary", "Cedar Valley Middle School", "Northgate High School"


def content(db: Database, division: Division, scope: str, now: datetime = SEND):
    with db.transaction() as session:
        sync_accounts(session, division)
    with db.sessions() as session:
        return build_content(session, division, scope, last_complete_week(division, now), now)


def test_weeks_are_iso_weeks_in_the_division_time_zone(division: Division) -> None:
    assert last_complete_week(division, SEND) == "2026-W48"
    # Monday 05:00 UTC is still Sunday evening in Edmonton: the last complete week is W47
    assert last_complete_week(division, datetime(2026, 11, 30, 5, 0, tzinfo=timezone.utc)) == "2026-W47"
    start, end = week_bounds(division, "2026-W48")
    assert start.isoformat() == "2026-11-23T00:00:00-07:00" and end - start == timedelta(days=7)
    for bad in ("2026-48", "2026-W54", "W48", ""):
        try:
            parse_week(bad)
        except Exception as exc:  # noqa: BLE001 - the message is what is checked
            assert "--week" in str(exc)
        else:
            raise AssertionError(f"{bad!r} accepted")


def test_a_school_with_findings(db: Database, division: Division) -> None:
    routed_item(db, division, WILLOW, [("student_pii", "medium")], now=IN_WEEK)
    routed_item(db, division, WILLOW, [("harassment", "high"), ("student_pii", "medium")], now=IN_WEEK)
    overdue = routed_item(db, division, "dubois-grade2-blog", [("photo_no_consent", "medium")], now=IN_WEEK - timedelta(days=3))
    routed_item(db, division, NORTHGATE, [("media_inquiry", "medium")], now=IN_WEEK)  # another school's
    older = routed_item(db, division, WILLOW, [("personal_info", "low")], now=IN_WEEK - timedelta(days=14))  # two weeks before
    c = content(db, division, WILLOW_SCHOOL)
    assert [a.name for a in c.accounts] == [WILLOW, "dubois-grade2-blog"]
    assert c.new_findings == 3 and dict(c.by_category) == {"student personal information": 2, "harassment or threat": 1}
    # comments are due within 24 h: by Monday every one of them is overdue, the oldest first
    assert c.open_count == 4 and c.overdue_count == 4
    assert [i.id for i in c.items[:2]] == [older.id, overdue.id] and all(i.overdue for i in c.items)
    assert all(i.link == f"http://127.0.0.1:8080/items/{i.id}" for i in c.items)
    assert [n for _, n in c.weekly] == [0, 0, 0, 0, 0, 0, 1, 1, 3]
    assert [label for label, _ in c.weekly][-1] == "2026-W48" and len(c.weekly) == 9
    html, text = render(c, "cid:chart")
    assert "NEW FINDINGS THIS WEEK: 3" in text and "student personal information: 2" in text
    assert "OPEN ITEMS: 4" in text and "OVERDUE" in text
    assert f"http://127.0.0.1:8080/items/{overdue.id}" in text and f'href="http://127.0.0.1:8080/items/{overdue.id}"' in html
    assert "2026-W48: 3 (this week)" in text
    assert "media inquiry" not in text, "another school's item"


def test_a_school_without_findings(db: Database, division: Division) -> None:
    routed_item(db, division, WILLOW, [("student_pii", "medium")], now=IN_WEEK)
    c = content(db, division, CEDAR)
    assert [a.name for a in c.accounts] == ["cedar-valley-middle-ig"]
    assert c.new_findings == 0 and c.by_category == [] and c.open_count == 0 and c.items == []
    assert [n for _, n in c.weekly] == [0] * 9
    _, text = render(c, "cid:chart")
    assert "NEW FINDINGS THIS WEEK: 0\n  none" in text and "nothing open" in text
    assert c.chart_png.startswith(b"\x89PNG"), "the chart is drawn even when every week is zero"


def test_a_school_with_a_governance_gap(db: Database, division: Division) -> None:
    run_governance(db, division, IN_WEEK)
    c = content(db, division, NORTHGATE_SCHOOL)
    gap = next(g for g in c.gaps if g.account == "northgate-high-yt" and g.rule == "content_manager")
    assert gap.clause == "AP193 1.7, 3.4" and gap.reason == "no designated content manager" and gap.action.startswith("Name the account's content manager")
    with db.sessions() as session:
        review = session.scalars(select(ReviewItem).where(ReviewItem.id == int(gap.link.rsplit("/", 1)[1]))).one()
        assert review.item_id is None
    assert any(i.what == "governance: content manager" for i in c.items)
    _, text = render(c, "cid:chart")
    assert re.search(r"northgate-high-yt: content manager \[AP193 1.7, 3.4\], open since 2026-11-25", text)
    assert "what to do:    Name the account's content manager" in text


def test_the_division_summary_puts_every_school_side_by_side(db: Database, division: Division) -> None:
    for _ in range(3):
        routed_item(db, division, NORTHGATE, [("harassment", "medium")], now=IN_WEEK)
    routed_item(db, division, WILLOW, [("student_pii", "medium")], now=IN_WEEK)
    run_governance(db, division, IN_WEEK)
    c = content(db, division, "division")
    rows = {s.name: s for s in c.schools}
    assert list(rows) == [WILLOW_SCHOOL, CEDAR, NORTHGATE_SCHOOL, "Division Office"]
    assert rows[NORTHGATE_SCHOOL].new_findings == 3 and rows[WILLOW_SCHOOL].new_findings == 1 and rows[CEDAR].new_findings == 0
    assert c.top_accounts[0].name == NORTHGATE and c.top_accounts[0].open >= 3
    by_rule = {rule: n for rule, _, n in c.gaps_by_rule}
    assert by_rule["content_manager"] == 1 and by_rule["comments_monitored"] >= 5
    _, text = render(c, "cid:chart")
    assert re.search(r"Northgate High School\s+2\s+3\s+\d+", text)
    assert "content manager [AP193 1.7, 3.4]: 1 account(s)" in text


def test_the_message_is_text_and_html_with_an_inline_png(db: Database, division: Division) -> None:
    routed_item(db, division, WILLOW, [("student_pii", "medium")], now=IN_WEEK)
    message = compose(division, content(db, division, WILLOW_SCHOOL), "helena.vasquez@prairiehills-sd.ca", SEND)
    assert message.get_content_type() == "multipart/alternative"
    plain, related = message.get_payload()
    assert plain.get_content_type() == "text/plain" and related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert html.get_content_type() == "text/html" and image.get_content_type() == "image/png"
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html.get_content()
    assert image.get_content().startswith(b"\x89PNG")
    assert message["Subject"] == "[hallwatch] Willow Creek Elementary: weekly digest, 2026-W48"

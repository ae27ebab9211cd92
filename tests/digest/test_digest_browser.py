"""The digest as a mail client shows it: the HTML part in headless Chromium, the chart loaded
from its Content-ID part, and the text part carrying the same figures."""
from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from monitor.config import Division
from monitor.db import Database
from monitor.digest import build_content, compose, last_complete_week
from monitor.governance import run_governance
from monitor.runs import sync_accounts
from tests.queue.helpers import NORTHGATE, routed_item

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SEND = datetime(2026, 11, 30, 14, 0, tzinfo=timezone.utc)
IN_WEEK = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("scope", ["Northgate High School", "division"])
def test_the_digest_renders_in_chromium_with_the_same_figures_as_its_text(db: Database, division: Division, scope: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    for days in (0, 0, 1, 9, 16):
        routed_item(db, division, NORTHGATE, [("harassment", "medium")], now=IN_WEEK - timedelta(days=days))
    routed_item(db, division, "northgate-high-yt", [("media_inquiry", "medium")], kind="post", now=IN_WEEK)
    run_governance(db, division, IN_WEEK)
    with db.transaction() as session:
        sync_accounts(session, division)
    with db.sessions() as session:
        content = build_content(session, division, scope, last_complete_week(division, SEND), SEND)
    message = compose(division, content, "beatrice.langford@prairiehills-sd.ca", SEND)
    text = message.get_body(("plain",)).get_content()
    html_part = message.get_body(("html",))
    html = html_part.get_content()
    image = next(p for p in message.walk() if p.get_content_type() == "image/png")
    cid = image["Content-ID"].strip("<>")
    # what a mail client does with a cid: link, done by hand: the part's bytes as the image source
    inlined = html.replace(f"cid:{cid}", "data:image/png;base64," + base64.b64encode(image.get_content()).decode("ascii"))
    assert inlined != html
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 800, "height": 900})
            page.set_content(inlined, wait_until="load")
            width = page.eval_on_selector("img", "img => img.complete ? img.naturalWidth : 0")
            assert width == 600, "the chart did not load"
            shown = page.inner_text("body")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"digest-{'division' if scope == 'division' else 'school'}.png"), full_page=True)
        finally:
            browser.close()
    # the same figures in what Chromium shows and in the text part
    new_html = re.search(r"New findings this week: (\d+)", shown)
    assert new_html and f"NEW FINDINGS THIS WEEK: {new_html.group(1)}" in text and int(new_html.group(1)) == content.new_findings
    open_html = re.search(r"Open items: (\d+) \((\d+) overdue\)", shown)
    assert open_html and f"OPEN ITEMS: {open_html.group(1)} ({open_html.group(2)} overdue)" in text
    assert re.search(r"Governance gaps: (\d+)", shown).group(1) == re.search(r"GOVERNANCE GAPS: (\d+)", text).group(1)
    for name, n in content.by_category:
        assert f"{name}: {n}" in shown and f"{name}: {n}" in text
    # the chart's numbers are the text part's, week by week
    alt = page_alt = re.findall(r"(\d{4}-W\d{2}) (\d+)", html_part.get_content().split('alt="', 1)[1].split('"', 1)[0])
    assert [(label, int(n)) for label, n in page_alt] == content.weekly
    for label, n in alt:
        assert re.search(rf"{label}: {n}\b", text)
    if scope == "division":
        for school in ("Willow Creek Elementary", "Cedar Valley Middle School", "Northgate High School", "Division Office"):
            assert school in shown and school in text
        assert "Accounts with the most open items" in shown and NORTHGATE in shown
    assert (ARTIFACTS / f"digest-{'division' if scope == 'division' else 'school'}.png").stat().st_size > 0

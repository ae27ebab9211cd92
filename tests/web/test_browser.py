"""Headless Chromium (Debian package) through sign-in, claiming and resolving an item."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from monitor.config import Division
from monitor.db import Database
from monitor.models import ReviewItem
from monitor.web.app import create_app
from tests.queue.helpers import NOW, PASSWORD, WILLOW, WILLOW_ADMIN, make_user, routed_item
from tests.web.conftest import SECRET

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture
def server(db: Database, division: Division) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(db, division, secret_key=SECRET, now=lambda: NOW)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # wait until it listens (readiness, not a timing assertion)
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sign_in_claim_and_resolve_in_chromium(server: str, db: Database, division: Division) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    make_user(db, division, WILLOW_ADMIN, "account_admin")
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            page.goto(server + "/")
            assert "/login" in page.url
            page.fill("input[name=email]", WILLOW_ADMIN)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector(f"tr[data-id='{review.id}']")
            assert page.inner_text(f"tr[data-id='{review.id}'] mark") == "Oliver Mbeki"
            # keyboard: j selects the first row, c claims it
            page.keyboard.press("j")
            page.keyboard.press("c")
            page.wait_for_selector("p.flash")
            assert f"Item {review.id} claimed." in page.inner_text("p.flash")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)
            page.click(f"tr[data-id='{review.id}'] a.open")
            page.check("input[name=outcome][value=confirmed_edited]")
            page.fill("textarea[name=note]", "The teacher removed the name from the post.")
            page.click("#resolve-form button[type=submit]")
            page.wait_for_selector("dd.outcome")
            assert "Confirmed: edited by the poster" in page.inner_text("dd.outcome")
            page.screenshot(path=str(ARTIFACTS / "queue-item.png"), full_page=True)
        finally:
            browser.close()
    with db.sessions() as session:
        row = session.get(ReviewItem, review.id)
        assert row.state == "resolved" and row.outcome == "confirmed_edited" and row.resolved_by == WILLOW_ADMIN
    assert (ARTIFACTS / "queue.png").stat().st_size > 0

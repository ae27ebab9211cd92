"""Issue 13 in headless Chromium (Debian package): a principal opens a photo item and sees its
photos, the named students' consent and the clause's words; search; `j` `d` dismiss and Undo;
screenshots at 1280 px and 390 px kept under test-artifacts/, and no sideways scrolling at 390 px."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from monitor.config import Division
from monitor.db import Database
from monitor.models import ReviewItem
from tests.queue.helpers import PASSWORD, PHOTO_ALT, WILLOW, WILLOW_ADMIN, WILLOW_PRINCIPAL, make_user, photo_thread, routed_item, store_photo
from tests.web.test_browser import ARTIFACTS, CHROMIUM, server  # noqa: F401  (the uvicorn fixture)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield chromium
        finally:
            chromium.close()


def signed_in(browser: Any, base: str, email: str) -> Any:  # noqa: ANN401
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(base + "/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Review queue')")
    return page


def no_sideways_scroll(page: Any, name: str) -> None:  # noqa: ANN401
    """Screenshots at 1280 and 390 px; at 390 the page must not be wider than the window."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(ARTIFACTS / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    page.screenshot(path=str(ARTIFACTS / f"{name}-390.png"), full_page=True)
    assert widths[0] <= widths[1], f"{name}: {widths[0]} px wide in a {widths[1]} px window"
    page.set_viewport_size(DESKTOP)
    assert (ARTIFACTS / f"{name}-390.png").stat().st_size > 0 and (ARTIFACTS / f"{name}-1280.png").stat().st_size > 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_principal_sees_the_photo_consent_and_clause_words(browser: Any, server: str, db: Database, division: Division) -> None:  # noqa: ANN401, F811
    make_user(db, division, WILLOW_PRINCIPAL, "principal")
    thread = photo_thread(db, division)
    store_photo(db, division, thread["post"].item_id)
    page = signed_in(browser, server, WILLOW_PRINCIPAL)
    no_sideways_scroll(page, "queue")
    page.click(f"tr[data-id='{thread['post'].id}'] a.open")
    page.wait_for_selector("section.people")
    image = page.locator("figure.photo img").first
    assert image.get_attribute("alt") == PHOTO_ALT
    assert image.get_attribute("src") == f"/item/{thread['post'].item_id}/media/0"
    # the stored photo itself arrives and is drawn (a 404 leaves naturalWidth at 0)
    image.scroll_into_view_if_needed()
    page.wait_for_function("() => { const i = document.querySelector('figure.photo img'); return i && i.complete; }")
    assert page.evaluate("() => document.querySelector('figure.photo img').naturalWidth") > 0
    # the second photo was never stored: a note in its place, no broken image
    assert page.locator("figure.photo img").count() == 1
    assert "Photo not stored yet: hallwatch fetches it on its next run." in page.inner_text("figure.photo >> nth=1")
    consent = page.inner_text("ul.consent")
    assert "Oliver Mbeki (Ollie) (named in the text): no: media consent refused" in consent
    assert "Sofia Castellanos (named in the text): limited" in consent
    assert "Harper Lindqvist (tagged in photo 1): yes, until 2027-06-30" in consent
    assert "Noah Fairweather (tagged in photo 1): lapsed on 2025-06-30" in consent
    assert "Zed Quillfeather (tagged in photo 1): not on the roster" in consent
    assert "District employees will not “tag” photos of any students." in page.inner_text("ul.findings")
    assert "2026-11-20 09:00 MST" in page.inner_text("dd.posted")
    no_sideways_scroll(page, "item-photo")
    page.context.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_search_then_dismiss_by_key_and_undo(browser: Any, server: str, db: Database, division: Division) -> None:  # noqa: ANN401, F811
    make_user(db, division, WILLOW_ADMIN, "account_admin")
    named = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    other = routed_item(db, division, WILLOW, [("harassment", "medium")], kind="post", text="nobody likes you, loser", span=(18, 23))
    page = signed_in(browser, server, WILLOW_ADMIN)
    page.fill("input[name=q]", "loser")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/?q=loser**")
    assert page.locator("tr.item").count() == 1 and page.locator(f"tr[data-id='{other.id}']").count() == 1
    page.keyboard.press("j")
    page.keyboard.press("d")
    page.wait_for_selector("#undo-form")
    assert "q=loser" in page.url, "the search is kept after the action"
    assert f"Item {other.id} resolved: Dismissed: not a problem." in page.inner_text("p.flash")
    with db.sessions() as session:
        assert session.get(ReviewItem, other.id).outcome == "dismissed"
    no_sideways_scroll(page, "queue-undo")
    page.click("#undo-form button[type=submit]")
    page.wait_for_selector("p.flash:has-text('Dismissal undone')")
    assert page.locator(f"tr[data-id='{other.id}']").count() == 1 and "q=loser" in page.url
    with db.sessions() as session:
        row = session.get(ReviewItem, other.id)
        assert row.active and row.state == "open"
        assert session.get(ReviewItem, named.id).active
    page.context.close()

"""Headless Chromium signs in with "Sign in with Microsoft" through the loopback OIDC provider."""
from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_division
from monitor.db import Database
from monitor.web.app import create_app
from tests.queue.helpers import NOW, WILLOW, WILLOW_PRINCIPAL, routed_item
from tests.web.conftest import SECRET
from tests.web.oidc_provider import CLIENT_SECRET, LoopbackProvider, free_port, serving
from tests.web.test_browser import ARTIFACTS, CHROMIUM
from tests.web.test_sso import SECRET_ENV, sso_yaml, write_config

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sign_in_with_microsoft_in_chromium(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    entra = LoopbackProvider("entra", f"{base_url}/auth/microsoft/callback", NOW)
    google = LoopbackProvider("google", f"{base_url}/auth/google/callback", NOW)
    division = load_division(write_config(tmp_path / "config", sso_yaml(entra.issuer, google.issuer), base_url=base_url))
    monkeypatch.setenv(SECRET_ENV, CLIENT_SECRET)
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    entra.sign_in_as(WILLOW_PRINCIPAL)
    app = create_app(db, division, secret_key=SECRET, now=lambda: NOW)
    with entra.running(), serving(app, port), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            page.goto(base_url + "/")
            assert "/login" in page.url
            assert page.is_visible("input[name=password]")  # the password form stays beside the buttons
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "sso-login.png"))
            page.click("text=Sign in with Microsoft")
            page.wait_for_selector("#continue")
            assert page.url.startswith(entra.url + "/authorize?")
            page.screenshot(path=str(ARTIFACTS / "sso-provider.png"))
            page.click("#continue")
            # back at hallwatch, signed in: the principal's queue shows their school's item
            page.wait_for_selector(f"tr[data-id='{review.id}']")
            assert page.url == base_url + "/"
            assert "Helena Vasquez" in page.inner_text("header")
            page.screenshot(path=str(ARTIFACTS / "sso-queue.png"), full_page=True)
        finally:
            browser.close()

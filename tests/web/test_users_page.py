"""The ITS admins' users page: users, roles, last sign-in, throttled sign-ins and lifting them; the
account page; security headers."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from monitor.config import Division
from monitor.db import Database
from monitor.models import AuditEntry, LoginThrottle
from monitor.web.app import create_app
from tests.queue.helpers import COMMS, ITS, NOW, WILLOW_ADMIN, make_user
from tests.web.conftest import SECRET, csrf_of, sign_in


@pytest.fixture
def people(db: Database, division: Division) -> None:
    for email, role in ((WILLOW_ADMIN, "account_admin"), (ITS, "its_admin"), (COMMS, "communications_manager")):
        make_user(db, division, email, role)


def lift_forms(html: str) -> list[str]:
    return re.findall(r'action="(/users/throttles/\d+/lift)"', html)


def test_only_its_admins_see_the_users_page(client: TestClient, people: None) -> None:
    assert client.get("/users").status_code == 303
    sign_in(client, COMMS)
    assert client.get("/users").status_code == 403
    assert 'href="/users"' not in client.get("/").text


def test_users_page_lists_roles_last_sign_in_in_local_time_and_lifts_throttles(client: TestClient, people: None, db: Database, app) -> None:  # noqa: ANN001
    for _ in range(5):
        assert sign_in(client, WILLOW_ADMIN, "not the password").status_code == 401
    with TestClient(app, base_url="http://testserver", follow_redirects=False, client=("203.0.113.5", 5000)) as stranger:
        for _ in range(5):
            sign_in(stranger, "stranger@example.org", "guess guess guess")
        for n in range(15):  # spraying e-mails: the address's own counter reaches 20
            sign_in(stranger, f"guess{n}@prairiehills-sd.ca", "guess guess guess")
    with TestClient(app, base_url="http://testserver", follow_redirects=False, client=("192.0.2.9", 5000)) as its:
        assert sign_in(its, ITS).status_code == 303
        page = its.get("/users")
        assert page.status_code == 200 and 'href="/users"' in its.get("/").text
        row = re.search(rf'<tr data-email="{re.escape(WILLOW_ADMIN)}">(.*?)</tr>', page.text, re.S).group(1)
        assert "account admin" in row and "Willow Creek Elementary" in row and "throttled until" in row and "never" in row
        its_row = re.search(rf'<tr data-email="{re.escape(ITS)}">(.*?)</tr>', page.text, re.S).group(1)
        # NOW is 09:00 UTC: 02:00 in Edmonton (MST)
        assert "2026-11-23 02:00 MST" in its_row and "accepted" in its_row
        # the stranger's e-mail is not shown (it may be anything typed); the address is
        assert "stranger@example.org" not in page.text
        assert "(an e-mail with no user)" in page.text and "203.0.113.5" in page.text
        assert "testclient" not in page.text, "five failures do not throttle an address others share"
        forms = lift_forms(page.text)
        assert len(forms) == 3  # Claire's account, the stranger's e-mail and address
        assert its.post(forms[0], data={}).status_code == 403, "CSRF required"
        for form in forms:
            assert its.post(form, data={"csrf_token": csrf_of(page.text)}).status_code == 303
        assert "Throttle lifted" in its.get("/users").text
        assert its.post(forms[0], data={"csrf_token": csrf_of(page.text)}).status_code == 404
    with db.sessions() as session:
        assert session.scalars(select(LoginThrottle).where(LoginThrottle.blocked_until.is_not(None))).all() == []
        assert len(session.scalars(select(AuditEntry).where(AuditEntry.action == "login_throttle_lifted")).all()) == 3
    assert sign_in(client, WILLOW_ADMIN).status_code == 303


def test_a_non_its_user_cannot_lift(client: TestClient, people: None, db: Database) -> None:
    for _ in range(5):
        sign_in(client, "stranger@example.org", "guess guess guess")
    sign_in(client, COMMS)
    token = csrf_of(client.get("/").text)
    with db.sessions() as session:
        throttle = session.scalars(select(LoginThrottle).where(LoginThrottle.kind == "account")).one()
    assert client.post(f"/users/throttles/{throttle.id}/lift", data={"csrf_token": token}).status_code == 403
    with db.sessions() as session:
        assert session.get(LoginThrottle, throttle.id) is not None


def test_security_headers_base_uri_and_hsts_only_behind_https(db: Database, division: Division, client: TestClient) -> None:
    plain = client.get("/login")
    assert "base-uri 'none'" in plain.headers["content-security-policy"]
    assert "strict-transport-security" not in plain.headers
    https = Division(**{**division.__dict__, "settings": division.settings.model_copy(update={"base_url": "https://queue.example.ca"})})
    with TestClient(create_app(db, https, secret_key=SECRET, now=lambda: NOW), base_url="https://testserver") as secure:
        assert secure.get("/login").headers["strict-transport-security"].startswith("max-age=31536000")


def test_a_non_ascii_csrf_token_is_a_403_not_a_500(client: TestClient, people: None) -> None:
    client.get("/login")
    response = client.post("/login", data={"email": WILLOW_ADMIN, "password": "x", "csrf_token": "jeton-é-☃"})
    assert response.status_code == 403


def test_a_user_from_before_the_directory_check_gets_in_once_enabled_as_external(client: TestClient, db: Database) -> None:
    """A password user added before migration 0008 who is not in staff.csv is refused (the directory
    says who still works here) until `users enable --external` marks them as someone from outside."""
    from argon2 import PasswordHasher

    from monitor.models import User
    from monitor.users import enable_user
    from tests.queue.helpers import PASSWORD

    legacy = "legacy.auditor@prairiehills-sd.ca"
    with db.transaction() as session:
        session.add(User(email=legacy, display_name="Legacy", role="communications_manager", password_hash=PasswordHasher().hash(PASSWORD),
                         disabled=False, external=False, created_at=NOW))
    assert sign_in(client, legacy).status_code == 401
    with db.transaction() as session:
        enable_user(session, legacy, "its@test", NOW, external=True)
    assert sign_in(client, legacy).status_code == 303
    with db.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user_enable")).one()
        assert entry.before == {"disabled": False, "external": False} and entry.after == {"disabled": False, "external": True}

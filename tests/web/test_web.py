from __future__ import annotations

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from monitor.config import Division
from monitor.db import Database
from monitor.models import AuditEntry, ReviewItem
from monitor.web.app import create_app
from tests.queue.helpers import (
    COMMS, ITS, NORTHGATE, NORTHGATE_ADMIN, NOW, WILLOW, WILLOW_ADMIN, WILLOW_PRINCIPAL, make_user, routed_item,
)
from tests.web.conftest import SECRET, csrf_of, sign_in


@pytest.fixture
def items(db: Database, division: Division) -> dict[str, int]:
    for email, role in ((WILLOW_ADMIN, "account_admin"), (WILLOW_PRINCIPAL, "principal"), (NORTHGATE_ADMIN, "account_admin"), (COMMS, "communications_manager"), (ITS, "its_admin")):
        make_user(db, division, email, role)
    willow = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    northgate = routed_item(db, division, NORTHGATE, [("harassment", "high")], kind="post",
                            text="<script>alert(1)</script> you are a loser", span=(26, 41))
    return {"willow": willow.id, "northgate": northgate.id}


def test_signed_out_visitors_go_to_the_sign_in_page(client: TestClient, items: dict[str, int]) -> None:
    response = client.get(f"/items/{items['willow']}")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_sign_in_sets_a_hardened_session_cookie(client: TestClient, items: dict[str, int]) -> None:
    response = sign_in(client, WILLOW_ADMIN)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert client.get("/").status_code == 200


def test_cookie_is_secure_behind_https(db: Database, division: Division, items: dict[str, int]) -> None:
    app = create_app(db, division, secret_key=SECRET, now=lambda: NOW, https=True)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        assert "secure" in sign_in(client, WILLOW_ADMIN).headers["set-cookie"].lower()


def test_wrong_password_and_throttle(client: TestClient, items: dict[str, int]) -> None:
    for _ in range(5):
        response = sign_in(client, WILLOW_ADMIN, "not the password")
        assert response.status_code == 401 and "wrong e-mail or password" in response.text
    response = sign_in(client, WILLOW_ADMIN)  # right password, but within the delay
    assert response.status_code == 401 and "too many failed sign-ins; try again in 1 minute" in response.text
    assert client.get("/").status_code == 303


def test_post_without_or_with_wrong_csrf_token_is_refused(client: TestClient, db: Database, items: dict[str, int]) -> None:
    assert client.post("/login", data={"email": WILLOW_ADMIN, "password": "x"}).status_code == 403
    sign_in(client, WILLOW_ADMIN)
    url = f"/items/{items['willow']}/claim"
    assert client.post(url, data={}).status_code == 403
    assert client.post(url, data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/bulk-dismiss", data={"ids": str(items["willow"])}).status_code == 403
    with db.sessions() as session:
        assert session.get(ReviewItem, items["willow"]).state == "open"
    token = csrf_of(client.get("/").text)
    assert client.post(url, data={"csrf_token": token}).status_code == 303


@pytest.mark.parametrize("email, sees_willow, sees_northgate", [
    (WILLOW_ADMIN, True, False),
    (WILLOW_PRINCIPAL, True, False),
    (NORTHGATE_ADMIN, False, True),
    (COMMS, True, True),
    (ITS, True, True),
])
def test_each_role_sees_only_its_accounts(client: TestClient, items: dict[str, int], email: str, sees_willow: bool, sees_northgate: bool) -> None:
    sign_in(client, email)
    page = client.get("/").text
    for key, sees in (("willow", sees_willow), ("northgate", sees_northgate)):
        assert (f'data-id="{items[key]}"' in page) == sees
        assert client.get(f"/items/{items[key]}").status_code == (200 if sees else 404)
        token = csrf_of(client.get("/").text)
        status = client.post(f"/items/{items[key]}/claim", data={"csrf_token": token}).status_code
        assert status == (303 if sees else 404)
    if not sees_northgate:
        assert client.get("/", params={"account": NORTHGATE}).status_code == 404


def test_flagged_text_is_escaped_and_the_evidence_highlighted(client: TestClient, items: dict[str, int]) -> None:
    sign_in(client, COMMS)
    page = client.get(f"/items/{items['northgate']}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<mark>you are a loser</mark>" in page
    assert 'href="https://example.invalid/northgate-high-fb/post"' in page
    # the classifier's plain-language why, beside the clause, not only the clause number
    assert '<span class="reason">a student&#39;s full name from the roster</span>' in page


def test_claim_resolve_and_history_on_the_item_page(client: TestClient, db: Database, items: dict[str, int]) -> None:
    sign_in(client, WILLOW_ADMIN)
    item = items["willow"]
    token = csrf_of(client.get(f"/items/{item}").text)
    assert client.post(f"/items/{item}/claim", data={"csrf_token": token, "version": "1"}).status_code == 303
    # a confirmation without a note is refused, naming the field, and changes nothing
    response = client.post(f"/items/{item}/resolve", data={"csrf_token": token, "version": "2", "outcome": "confirmed_edited", "note": ""})
    assert response.status_code == 400 and "note: a note is required" in response.text
    # a stale page's version is a conflict, not an overwrite
    response = client.post(f"/items/{item}/resolve", data={"csrf_token": token, "version": "1", "outcome": "dismissed"})
    assert response.status_code == 409 and "changed by someone else" in response.text
    response = client.post(f"/items/{item}/resolve", data={"csrf_token": token, "version": "2", "outcome": "confirmed_edited", "note": "parent edited the post"})
    assert response.status_code == 303
    page = client.get(f"/items/{item}").text
    assert "Confirmed: edited by the poster" in page
    for action in ("route", "claim", "resolve"):
        assert f"<td>{action}</td>" in page
    response = client.post(f"/items/{item}/resolve", data={"csrf_token": token, "version": "oops", "outcome": "dismissed"})
    assert response.status_code == 400 and "version:" in response.text


def test_someone_elses_claim_is_a_conflict(client: TestClient, app, items: dict[str, int]) -> None:  # noqa: ANN001
    sign_in(client, WILLOW_ADMIN)
    token = csrf_of(client.get("/").text)
    client.post(f"/items/{items['willow']}/claim", data={"csrf_token": token})
    with TestClient(app, follow_redirects=False) as other:
        sign_in(other, WILLOW_PRINCIPAL)
        token2 = csrf_of(other.get("/").text)
        response = other.post(f"/items/{items['willow']}/claim", data={"csrf_token": token2})
        assert response.status_code == 409 and "already claimed by claire.dubois" in response.text


def test_bulk_dismiss_and_filters(client: TestClient, db: Database, division: Division, items: dict[str, int]) -> None:
    extra = routed_item(db, division, WILLOW, [("personal_use", "low")], kind="post")
    sign_in(client, COMMS)
    page = client.get("/", params={"category": "harassment"}).text
    assert f'data-id="{items["northgate"]}"' in page and f'data-id="{items["willow"]}"' not in page
    token = csrf_of(page)
    form = {"csrf_token": token, "ids": [str(items["willow"]), str(extra.id)], "note": "noise"}
    response = client.post("/bulk-dismiss", data=form)  # first: how many it will touch, nothing dismissed yet
    assert response.status_code == 200 and "Dismiss 2 item(s)?" in response.text
    with db.sessions() as session:
        assert session.get(ReviewItem, extra.id).active
    response = client.post("/bulk-dismiss", data={**form, "confirm": "yes"})
    assert response.status_code == 303
    assert "Dismissed 2 item(s)." in client.get("/").text
    resolved = client.get("/", params={"state": "resolved"}).text
    assert f'data-id="{extra.id}"' in resolved
    assert client.get("/", params={"state": "bogus"}).status_code == 400
    with db.sessions() as session:
        bulk = [a for a in session.scalars(select(AuditEntry).where(AuditEntry.action == "resolve")) if a.after.get("bulk")]
        assert len(bulk) == 2 and all(a.actor == COMMS for a in bulk)


def test_disabled_user_is_signed_out(client: TestClient, db: Database, items: dict[str, int]) -> None:
    sign_in(client, WILLOW_ADMIN)
    assert client.get("/").status_code == 200
    from monitor.users import disable_user
    with db.transaction() as session:
        disable_user(session, WILLOW_ADMIN, "test", NOW)
    assert client.get("/").status_code == 303


def test_security_headers(client: TestClient, items: dict[str, int]) -> None:
    response = client.get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_failed_platform_action_leaves_the_item_open_with_the_error(client: TestClient, db: Database, division: Division, items: dict[str, int]) -> None:
    # the example accounts read sample files: that connector cannot hide anything, as a real failure would
    comment = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="comment")
    sign_in(client, WILLOW_ADMIN)
    token = csrf_of(client.get(f"/items/{comment.id}").text)
    response = client.post(f"/items/{comment.id}/resolve", data={"csrf_token": token, "outcome": "confirmed_hidden", "note": "hide it"})
    assert response.status_code == 502 and "cannot hide" in response.text
    page = client.get(f"/items/{comment.id}").text
    assert "cannot hide" in page and '<dd class="state">open' in page and "action hide failed" in page
    with db.sessions() as session:
        assert session.get(ReviewItem, comment.id).active


def test_secret_key_comes_from_env_or_credentials_file(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    import shutil
    from monitor.commands.serve import secret_key
    from monitor.config import load_division
    from monitor.errors import HallwatchError
    from tests.queue.helpers import EXAMPLE
    config = tmp_path / "config"
    shutil.copytree(EXAMPLE, config)
    monkeypatch.delenv("HALLWATCH_SECRET_KEY", raising=False)
    (config / "credentials.env").write_text("")
    with pytest.raises(HallwatchError, match="HALLWATCH_SECRET_KEY is not set"):
        secret_key(load_division(config))
    (config / "credentials.env").write_text("HALLWATCH_SECRET_KEY=" + "f" * 40 + "\n")
    assert secret_key(load_division(config)) == "f" * 40
    monkeypatch.setenv("HALLWATCH_SECRET_KEY", "e" * 40)
    assert secret_key(load_division(config)) == "e" * 40
    monkeypatch.setenv("HALLWATCH_SECRET_KEY", "short")
    with pytest.raises(HallwatchError, match="at least 32"):
        secret_key(load_division(config))


@pytest.mark.parametrize("email", ["claire%00%40prairiehills-sd.ca", "x" * 5000 + "%40prairiehills-sd.ca", "%F0%9F%40example.org", "%ED%B3%BF%40example.org"])
def test_hostile_e_mails_at_sign_in_are_a_plain_refusal(client: TestClient, items: dict[str, int], email: str) -> None:
    token = csrf_of(client.get("/login").text)
    body = f"email={email}&password=whatever+it+is&next=%2F&csrf_token={token}".encode()
    response = client.post("/login", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 401 and "wrong e-mail or password" in response.text
    assert sign_in(client, WILLOW_ADMIN).status_code == 303

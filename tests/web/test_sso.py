"""Sign in with Microsoft / Google (monitor.web.sso) against a real OIDC provider on loopback.

The hallwatch app runs in Starlette's TestClient; the provider (tests/web/oidc_provider.py) is a
real uvicorn server on 127.0.0.1 that the app reaches over HTTP for discovery, keys and the code
exchange. The test plays the browser between the two: it follows the app's redirect to the
provider's page, presses "Continue", and brings the provider's redirect back to the app.
"""
from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import select
from starlette.testclient import TestClient

from monitor.config import Division, load_division
from monitor.db import Database
from monitor.errors import ConfigError
from monitor.models import AuditEntry, User
from monitor.web.app import create_app
from tests.queue.helpers import EXAMPLE, NOW, PASSWORD, WILLOW, WILLOW_PRINCIPAL, make_user, routed_item
from tests.web.conftest import SECRET, csrf_of, sign_in
from tests.web.oidc_provider import CLIENT_ID, CLIENT_SECRET, TENANT, LoopbackProvider

BASE_URL = "http://127.0.0.1:8080"
SECRET_ENV = "HALLWATCH_TEST_ENTRA_SECRET"
INACTIVE = "ruth.kimball@prairiehills-sd.ca"  # support staff, active=false in the example staff.csv
COMMS_STAFF = "marcus.delacroix@prairiehills-sd.ca"
CALM = "did not work. Please try again"


def sso_yaml(entra_issuer: str, google_issuer: str) -> str:
    return f"""
sso:
  providers:
    - name: microsoft
      kind: entra
      tenant_id: {TENANT}
      issuer: {entra_issuer}
      client_id: {CLIENT_ID}
      client_secret: env:{SECRET_ENV}
    - name: google
      kind: google
      issuer: {google_issuer}
      client_id: {CLIENT_ID}
      client_secret: file:GOOGLE_CLIENT_SECRET
      allowed_domains: [prairiehills-sd.ca]
"""


def write_config(target: Path, sso: str, base_url: str = BASE_URL) -> Path:
    """The example division copied, with `sso` added and its base_url set (the redirect URIs hang off it)."""
    shutil.copytree(EXAMPLE, target)
    path = target / "division.yaml"
    text = path.read_text(encoding="utf-8").replace(f"base_url: {BASE_URL}", f"base_url: {base_url}")
    path.write_text(text + sso, encoding="utf-8")
    (target / "credentials.env").write_text(f"GOOGLE_CLIENT_SECRET={CLIENT_SECRET}\n", encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def entra() -> Iterator[LoopbackProvider]:
    with LoopbackProvider("entra", f"{BASE_URL}/auth/microsoft/callback", NOW).running() as provider:
        yield provider


@pytest.fixture(scope="module")
def google() -> Iterator[LoopbackProvider]:
    with LoopbackProvider("google", f"{BASE_URL}/auth/google/callback", NOW).running() as provider:
        yield provider


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory: pytest.TempPathFactory, entra: LoopbackProvider, google: LoopbackProvider) -> Path:
    return write_config(tmp_path_factory.mktemp("sso") / "config", sso_yaml(entra.issuer, google.issuer))


@pytest.fixture
def sso_division(config_dir: Path, entra: LoopbackProvider, google: LoopbackProvider) -> Division:
    for provider in (entra, google):
        provider.tamper, provider.identity, provider.sign_with = {}, {}, None
    return load_division(config_dir)


@pytest.fixture
def sso_client(db: Database, sso_division: Division, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv(SECRET_ENV, CLIENT_SECRET)
    app = create_app(db, sso_division, secret_key=SECRET, now=lambda: NOW)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


def through_provider(client: TestClient, name: str, provider: LoopbackProvider, next_path: str = "/") -> str:
    """Start the sign-in, press "Continue" on the provider's page; the callback path the provider redirects to."""
    start = client.get(f"/auth/{name}/login", params={"next": next_path})
    assert start.status_code == 303, start.text
    authorize = start.headers["location"]
    assert authorize.startswith(provider.url + "/authorize?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] and query["nonce"]
    with httpx.Client() as browser:
        page = browser.get(authorize)
        assert page.status_code == 200, page.text
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
        back = browser.post(provider.url + "/authorize", data={k: v.replace("&amp;", "&") for k, v in fields.items()})
    assert back.status_code == 302
    callback = urlsplit(back.headers["location"])
    assert f"{callback.scheme}://{callback.netloc}" == BASE_URL
    return f"{callback.path}?{callback.query}"


def users(db: Database) -> dict[str, User]:
    with db.sessions() as session:
        return {u.email: u for u in session.scalars(select(User))}


def audit(db: Database, action: str) -> list[AuditEntry]:
    with db.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def signed_in(client: TestClient) -> bool:
    return client.get("/").status_code == 200


def test_login_page_has_a_button_per_provider_and_keeps_the_password_form(sso_client: TestClient) -> None:
    page = sso_client.get("/login?next=/items/7").text
    assert 'href="/auth/microsoft/login?next=/items/7">Sign in with Microsoft</a>' in page
    assert 'href="/auth/google/login?next=/items/7">Sign in with Google</a>' in page
    assert 'name="password"' in page and 'action="/login"' in page


def test_no_buttons_without_sso(client: TestClient) -> None:
    page = client.get("/login").text
    assert "Sign in with" not in page and 'name="password"' in page
    assert client.get("/auth/microsoft/login").status_code == 404


def test_microsoft_sign_in_creates_the_user_with_the_mapped_role(sso_client: TestClient, entra: LoopbackProvider, db: Database, sso_division: Division) -> None:
    review = routed_item(db, sso_division, WILLOW, [("student_pii", "medium")], kind="post")
    entra.sign_in_as(WILLOW_PRINCIPAL.upper())  # case differs from staff.csv: still the same person
    response = sso_client.get(through_provider(sso_client, "microsoft", entra, next_path=f"/items/{review.id}"))
    assert response.status_code == 303 and response.headers["location"] == f"/items/{review.id}"
    # the principal of Willow Creek sees their school's item
    assert sso_client.get(f"/items/{review.id}").status_code == 200
    user = users(db)[WILLOW_PRINCIPAL]
    assert (user.role, user.display_name, user.password_hash) == ("principal", "Helena Vasquez", None)
    assert [a.actor for a in audit(db, "user_add")] == ["sso:microsoft"]
    assert [a.after for a in audit(db, "sign_in_sso")] == [{"provider": "microsoft", "role": "principal"}]


def test_a_second_sign_in_updates_the_role_from_the_mapping(sso_client: TestClient, entra: LoopbackProvider, db: Database, sso_division: Division) -> None:
    make_user(db, sso_division, COMMS_STAFF, "account_admin")  # added by hand with a lesser role
    entra.sign_in_as(COMMS_STAFF)
    assert sso_client.get(through_provider(sso_client, "microsoft", entra)).status_code == 303
    assert users(db)[COMMS_STAFF].role == "communications_manager"
    change = audit(db, "user_update")
    assert len(change) == 1 and change[0].before["role"] == "account_admin" and change[0].after["role"] == "communications_manager"
    # the password set by hand still works beside single sign-on
    sso_client.cookies.clear()
    assert sign_in(sso_client, COMMS_STAFF, PASSWORD).status_code == 303


def test_google_sign_in(sso_client: TestClient, google: LoopbackProvider, db: Database) -> None:
    google.sign_in_as(WILLOW_PRINCIPAL)
    assert sso_client.get(through_provider(sso_client, "google", google)).status_code == 303
    assert signed_in(sso_client)
    assert users(db)[WILLOW_PRINCIPAL].role == "principal"


def refused(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401, response.text
    assert CALM in response.text
    assert not signed_in(client)


@pytest.mark.parametrize(("claim", "value", "reason"), [
    ("tid", "00000000-1111-2222-3333-444444444444", "another Entra ID tenant"),
    ("tid", None, "another Entra ID tenant"),
    ("aud", "someone-elses-client", "aud"),
    ("iss", "https://login.microsoftonline.com/00000000-1111-2222-3333-444444444444/v2.0", "iss"),
    ("exp", int(NOW.timestamp()) - 600, "expired"),
    ("iat", int(NOW.timestamp()) + 3600, "iat"),
    ("nonce", "a-nonce-from-another-sign-in", "nonce"),
    ("nonce", None, "nonce"),
])
def test_a_bad_claim_is_refused(
    sso_client: TestClient, entra: LoopbackProvider, db: Database, caplog: pytest.LogCaptureFixture, claim: str, value: object, reason: str,
) -> None:
    entra.sign_in_as(WILLOW_PRINCIPAL)
    entra.tamper = {claim: value}
    with caplog.at_level(logging.WARNING, logger="hallwatch.sso"):
        refused(sso_client, through_provider(sso_client, "microsoft", entra))
    assert users(db) == {}
    [record] = [r for r in caplog.records if r.name == "hallwatch.sso"]
    assert reason in record.reason
    logged = caplog.text + " ".join(str(v) for v in vars(record).values())
    assert WILLOW_PRINCIPAL not in logged and "eyJ" not in logged  # no e-mail, no token


def test_a_token_signed_with_another_key_is_refused(sso_client: TestClient, entra: LoopbackProvider, db: Database, caplog: pytest.LogCaptureFixture) -> None:
    entra.sign_in_as(WILLOW_PRINCIPAL)
    entra.sign_with = RSAKey.generate_key(2048, parameters={"kid": entra.key.kid}, private=True)
    with caplog.at_level(logging.WARNING, logger="hallwatch.sso"):
        refused(sso_client, through_provider(sso_client, "microsoft", entra))
    assert "bad_signature" in caplog.records[-1].reason
    assert users(db) == {}


def test_a_replayed_state_is_refused(sso_client: TestClient, entra: LoopbackProvider, db: Database) -> None:
    entra.sign_in_as(WILLOW_PRINCIPAL)
    callback = through_provider(sso_client, "microsoft", entra)
    cookie_before = dict(sso_client.cookies)  # the session cookie that still holds the pending flow
    assert sso_client.get(callback).status_code == 303
    asked = entra.token_requests
    sso_client.cookies.clear()
    sso_client.cookies.update(cookie_before)
    refused(sso_client, callback)  # the old cookie replayed with the callback link
    again = sso_client.get(callback)  # the same browser again: refused, and who is signed in stays as it was
    assert again.status_code == 401 and CALM in again.text
    sso_client.cookies.clear()
    refused(sso_client, callback)  # a stranger's browser with the link
    assert entra.token_requests == asked, "a used state must be refused before the code is sent anywhere"


def test_an_unknown_state_and_a_provider_error_are_refused(sso_client: TestClient, entra: LoopbackProvider) -> None:
    refused(sso_client, "/auth/microsoft/callback?code=abc&state=never-issued")
    # a flow in the session, answered with an error (the person pressed "Cancel" at the provider)
    state = parse_qs(urlsplit(sso_client.get("/auth/microsoft/login").headers["location"]).query)["state"][0]
    refused(sso_client, f"/auth/microsoft/callback?error=access_denied&error_description=%3Cscript%3E&state={state}")


def test_a_state_from_another_provider_is_refused(sso_client: TestClient, entra: LoopbackProvider, google: LoopbackProvider) -> None:
    entra.sign_in_as(WILLOW_PRINCIPAL)
    callback = through_provider(sso_client, "microsoft", entra)
    refused(sso_client, callback.replace("/auth/microsoft/", "/auth/google/"))


@pytest.mark.parametrize(("email", "reason"), [
    ("someone.new@prairiehills-sd.ca", "not in staff.csv"),
    (INACTIVE, "inactive in staff.csv"),
    ("helena.vasquez@elsewhere.ca", "allowed_domains"),
])
def test_only_active_staff_get_in(sso_client: TestClient, entra: LoopbackProvider, db: Database, caplog: pytest.LogCaptureFixture, email: str, reason: str) -> None:
    entra.sign_in_as(email)
    with caplog.at_level(logging.WARNING, logger="hallwatch.sso"):
        refused(sso_client, through_provider(sso_client, "microsoft", entra))
    assert reason in caplog.records[-1].reason
    assert users(db) == {}
    if "staff.csv" in reason:  # an address in the division's tenant that is refused is recorded for ITS
        assert [(a.entity_id, a.after["reason"]) for a in audit(db, "sso_refused")] == [(email, reason)]


def test_a_staff_member_who_left_after_the_server_started_is_refused(
    sso_client: TestClient, entra: LoopbackProvider, db: Database, sso_division: Division, config_dir: Path,
) -> None:
    staff = config_dir / "staff.csv"
    before = staff.read_text(encoding="utf-8")
    line = next(x for x in before.splitlines() if WILLOW_PRINCIPAL in x)
    staff.write_text(before.replace(line, line.removesuffix("true") + "false"), encoding="utf-8")
    try:
        entra.sign_in_as(WILLOW_PRINCIPAL)
        refused(sso_client, through_provider(sso_client, "microsoft", entra))
    finally:
        staff.write_text(before, encoding="utf-8")
    assert users(db) == {}


def test_a_disabled_user_stays_out(sso_client: TestClient, entra: LoopbackProvider, db: Database, sso_division: Division) -> None:
    make_user(db, sso_division, WILLOW_PRINCIPAL, "principal")
    with db.transaction() as session:
        session.scalars(select(User)).one().disabled = True
    entra.sign_in_as(WILLOW_PRINCIPAL)
    refused(sso_client, through_provider(sso_client, "microsoft", entra))


@pytest.mark.parametrize(("tamper", "reason"), [
    ({"hd": "gmail.com"}, "hd"),
    ({"hd": None}, "hd"),
    ({"email_verified": False}, "email_verified"),
])
def test_google_needs_the_divisions_hosted_domain_and_a_verified_address(
    sso_client: TestClient, google: LoopbackProvider, db: Database, caplog: pytest.LogCaptureFixture, tamper: dict, reason: str,
) -> None:
    google.sign_in_as(WILLOW_PRINCIPAL)
    google.tamper = tamper
    with caplog.at_level(logging.WARNING, logger="hallwatch.sso"):
        refused(sso_client, through_provider(sso_client, "google", google))
    assert reason in caplog.records[-1].reason
    assert users(db) == {}


def test_sign_in_never_redirects_off_site(sso_client: TestClient, entra: LoopbackProvider) -> None:
    entra.sign_in_as(WILLOW_PRINCIPAL)
    response = sso_client.get(through_provider(sso_client, "microsoft", entra, next_path="//evil.example/x"))
    assert response.headers["location"] == "/"


def test_an_unreachable_provider_gives_the_calm_message(tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.web.oidc_provider import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    division = load_division(write_config(tmp_path / "config", sso_yaml(f"{dead}/{TENANT}/v2.0", dead)))
    monkeypatch.setenv(SECRET_ENV, CLIENT_SECRET)
    with TestClient(create_app(db, division, secret_key=SECRET, now=lambda: NOW), follow_redirects=False) as client:
        response = client.get("/auth/microsoft/login")
    assert response.status_code == 401 and CALM in response.text


# configuration: a literal secret, an unset reference, a tenant that is not the division's

def test_a_missing_secret_stops_the_app_naming_the_field(sso_division: Division, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(ConfigError) as caught:
        create_app(db, sso_division, secret_key=SECRET, now=lambda: NOW)
    assert str(caught.value) == f"division.yaml: sso.providers[microsoft].client_secret: env:{SECRET_ENV}: {SECRET_ENV} is not set in the environment"


@pytest.mark.parametrize(("edit", "message"), [
    ((f"env:{SECRET_ENV}", "s3cr3t-literal-value"), "sso.providers.0.client_secret: a secret is written inline"),
    ((f"tenant_id: {TENANT}", "tenant_id: common"), "sso.providers[microsoft].tenant_id:"),
    ((f"      tenant_id: {TENANT}\n", ""), "entra needs tenant_id"),
    (("kind: google", "kind: oidc\n      tenant_id: " + TENANT), "tenant_id: only for kind: entra"),
    (("allowed_domains: [prairiehills-sd.ca]", "allowed_domains: [gmail.com]"), "gmail.com is a personal e-mail domain"),
    (("sso:\n", "sso:\n  roles: {janitor: its_admin}\n"), "sso.roles.janitor: 'janitor' is not a staff.csv role"),
    (("sso:\n", "sso:\n  roles: {teacher: superuser}\n"), "sso.roles.teacher:"),
])
def test_config_problems_name_the_field(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    text = sso_yaml(f"http://127.0.0.1:1/{TENANT}/v2.0", "http://127.0.0.1:1")
    assert edit[0] in text
    config = write_config(tmp_path / "config", text.replace(edit[0], edit[1], 1))
    with pytest.raises(ConfigError) as caught:
        load_division(config)
    assert message in str(caught.value)
    assert "s3cr3t-literal-value" not in str(caught.value)


def test_the_check_config_command_reports_a_literal_secret(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from monitor.cli import main

    text = sso_yaml(f"http://127.0.0.1:1/{TENANT}/v2.0", "http://127.0.0.1:1").replace(f"env:{SECRET_ENV}", "hunter2-hunter2")
    config = write_config(tmp_path / "config", text)
    result = CliRunner().invoke(main, ["check-config", str(config)])
    assert result.exit_code != 0
    assert re.search(r"division\.yaml:\d+: sso\.providers\.0\.client_secret: a secret is written inline", result.output)
    assert "hunter2" not in result.output


def test_serve_refuses_to_start_with_an_unset_client_secret(tmp_path: Path) -> None:
    """A real `hallwatch serve` process: it stops before listening, naming the field and the variable."""
    import os
    import subprocess
    import sys

    hallwatch = Path(sys.executable).with_name("hallwatch")
    config = write_config(tmp_path / "config", sso_yaml(f"http://127.0.0.1:1/{TENANT}/v2.0", "http://127.0.0.1:1"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLWATCH_") and k != "CREDENTIALS_DIRECTORY"}
    env |= {"HALLWATCH_SECRET_KEY": SECRET * 2, "HALLWATCH_DATA_DIR": str(tmp_path / "data")}
    subprocess.run([str(hallwatch), "init", "--config", str(config)], env=env, check=True, capture_output=True, timeout=120)
    result = subprocess.run([str(hallwatch), "serve", "--config", str(config), "--no-scheduler", "--port", "1"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert f"sso.providers[microsoft].client_secret: env:{SECRET_ENV}: {SECRET_ENV} is not set in the environment" in result.stderr
    assert "hallwatch queue on" not in result.stdout
    assert "Warning" not in result.stderr  # nothing but hallwatch's own message on stderr


def test_check_config_lists_the_providers_and_an_unset_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from monitor.cli import main

    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    config = write_config(tmp_path / "config", sso_yaml(f"http://127.0.0.1:1/{TENANT}/v2.0", "http://127.0.0.1:1"))
    result = CliRunner().invoke(main, ["check-config", str(config)])
    assert result.exit_code == 0, result.output
    assert f"sign-in    microsoft (entra) at {BASE_URL}/auth/microsoft/callback, google (google) at {BASE_URL}/auth/google/callback" in result.output
    assert "not set in the environment or credentials file: sso.microsoft.client_secret" in result.output
    assert "sso.google.client_secret" not in result.output  # that one is in the credentials file


def test_a_wrong_client_secret_is_refused_by_the_provider(
    db: Database, sso_division: Division, entra: LoopbackProvider, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv(SECRET_ENV, "an-old-client-secret-that-expired")
    entra.sign_in_as(WILLOW_PRINCIPAL)
    with TestClient(create_app(db, sso_division, secret_key=SECRET, now=lambda: NOW), follow_redirects=False) as client:
        with caplog.at_level(logging.WARNING, logger="hallwatch.sso"):
            refused(client, through_provider(client, "microsoft", entra))
    assert "invalid_client" in caplog.records[-1].reason
    assert "an-old-client-secret" not in caplog.text
    assert users(db) == {}


def test_a_rotated_signing_key_is_fetched_again(sso_client: TestClient, entra: LoopbackProvider, db: Database) -> None:
    entra.sign_in_as(WILLOW_PRINCIPAL)
    assert sso_client.get(through_provider(sso_client, "microsoft", entra)).status_code == 303  # the JWKS is cached now
    old = entra.key
    entra.key = RSAKey.generate_key(2048, parameters={"kid": "hallwatch-test-2", "use": "sig", "alg": "RS256"}, private=True)
    try:
        sso_client.cookies.clear()
        assert sso_client.get(through_provider(sso_client, "microsoft", entra)).status_code == 303
    finally:
        entra.key = old
    assert len(audit(db, "sign_in_sso")) == 2

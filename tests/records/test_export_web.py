"""The records export page: a zip for ITS admins and the Communications Manager (signed, audited,
verifiable once unzipped); 403 for account administrators and principals; CSRF on the form."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from starlette.testclient import TestClient

from monitor.db import Database
from monitor.models import AuditEntry
from monitor.records import signing
from monitor.records.export import verify_export
from monitor.web.app import create_app
from tests.queue.helpers import ITS, NOW, WILLOW, WILLOW_ADMIN, WILLOW_PRINCIPAL, example_division, make_user, routed_item
from tests.web.conftest import SECRET, csrf_of, sign_in

KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def client(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.setenv(signing.KEY_NAME, signing.encode_private(KEY))
    division = example_division()
    routed_item(db, division, WILLOW, [("student_pii", "medium")])
    app = create_app(db, division, secret_key=SECRET, now=lambda: NOW)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c



def test_its_downloads_a_signed_zip_that_verifies(db: Database, client: TestClient, tmp_path: Path) -> None:
    make_user(db, example_division(), ITS, "its_admin")
    sign_in(client, ITS)
    page = client.get("/export")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text and WILLOW in page.text
    assert 'href="/export"' in client.get("/").text, "the link is in the header"
    response = client.post("/export", data={"csrf_token": csrf_of(page.text), "account": WILLOW, "format": "pdf", "from": "2020-01-01", "to": ""})
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"] and ".zip" in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path)
    folder = tmp_path / names[0].split("/")[0]
    assert sorted(p.name for p in folder.iterdir()) == ["items.jsonl", "manifest.json", "records.pdf"]
    report = verify_export(folder, KEY.public_key())
    assert report.ok, report.problems
    with db.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "records_export")).one()
    assert entry.actor == ITS and entry.after["output"] == "web download" and entry.after["parameters"]["from"] == "2020-01-01"


def test_the_form_needs_its_csrf_token_and_good_fields(db: Database, client: TestClient) -> None:
    make_user(db, example_division(), ITS, "its_admin")
    sign_in(client, ITS)
    token = csrf_of(client.get("/export").text)
    assert client.post("/export", data={"account": WILLOW, "format": "jsonl"}).status_code == 403
    bad = client.post("/export", data={"csrf_token": token, "account": WILLOW, "format": "jsonl", "from": "yesterday"})
    assert bad.status_code == 400 and "from: &#39;yesterday&#39; is not a date (YYYY-MM-DD)" in bad.text
    unknown = client.post("/export", data={"csrf_token": token, "account": "nobody-fb", "format": "jsonl"})
    assert unknown.status_code == 400 and "--account: no account" in unknown.text
    with db.sessions() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "records_export")).first() is None


@pytest.mark.parametrize("who,role", [(WILLOW_ADMIN, "account_admin"), (WILLOW_PRINCIPAL, "principal")])
def test_account_admins_and_principals_are_refused(db: Database, client: TestClient, who: str, role: str) -> None:
    make_user(db, example_division(), who, role)
    sign_in(client, who)
    assert 'href="/export"' not in client.get("/").text
    page = client.get("/export")
    assert page.status_code == 403 and "Only ITS admins and the Communications Manager may export records." in page.text
    token = csrf_of(client.get("/").text)
    refused = client.post("/export", data={"csrf_token": token, "account": WILLOW, "format": "jsonl"})
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    with db.sessions() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "records_export")).first() is None


def test_signed_out_is_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/export")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")

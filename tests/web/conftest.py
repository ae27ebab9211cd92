from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from monitor.config import Division
from monitor.db import Database
from monitor.web.app import create_app
from tests.queue.helpers import NOW, PASSWORD, example_division

SECRET = "test-secret-key-0123456789-abcdefghij"


@pytest.fixture(scope="session")
def division() -> Division:
    return example_division()


@pytest.fixture
def app(db: Database, division: Division):  # noqa: ANN201
    return create_app(db, division, secret_key=SECRET, now=lambda: NOW)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD):  # noqa: ANN201
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"})

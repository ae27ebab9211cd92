"""Sessions that end (monitor.web.auth): sign-out, sign out everywhere, a password change, `users
disable`, staff.csv turning someone inactive, idleness and the absolute lifetime. SQLite and PostgreSQL."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from monitor.config import Division, load_division
from monitor.db import Database
from monitor.models import User, WebSession
from monitor.users import disable_user, enable_user, set_password
from monitor.web.app import create_app
from tests.queue.helpers import EXAMPLE, NOW, WILLOW_ADMIN, make_user
from tests.web.conftest import SECRET, csrf_of, sign_in

COOKIE = "hallwatch_session"


class Clock:
    """The app's `now`, moved by the test (never a sleep)."""

    def __init__(self) -> None:
        self.moment = NOW

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **kwargs: float) -> None:
        self.moment += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(EXAMPLE, target)
    return target


@pytest.fixture
def division(config_dir: Path) -> Division:
    return load_division(config_dir)


@pytest.fixture
def app(db: Database, division: Division, clock: Clock) -> Starlette:
    make_user(db, division, WILLOW_ADMIN, "account_admin")
    return create_app(db, division, secret_key=SECRET, now=clock)


def browser(app: Starlette) -> TestClient:
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


@pytest.fixture
def two(app: Starlette) -> Iterator[tuple[TestClient, TestClient]]:
    with browser(app) as a, browser(app) as b:
        assert sign_in(a, WILLOW_ADMIN).status_code == 303 and sign_in(b, WILLOW_ADMIN).status_code == 303
        assert a.get("/").status_code == 200 and b.get("/").status_code == 200
        yield a, b


def signed_out(client: TestClient) -> bool:
    response = client.get("/")
    assert response.status_code in (200, 303)
    return response.status_code == 303 and response.headers["location"].startswith("/login")


def open_count(db: Database) -> int:
    with db.sessions() as session:
        return len(session.scalars(select(WebSession).where(WebSession.ended_at.is_(None))).all())


def test_sign_out_ends_the_session_and_the_old_cookie_no_longer_works(app: Starlette, db: Database) -> None:
    with browser(app) as client:
        sign_in(client, WILLOW_ADMIN)
        assert client.get("/").status_code == 200
        old_cookie = client.cookies.get(COOKIE)
        token = csrf_of(client.get("/").text)
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    with browser(app) as replay:
        replay.cookies.set(COOKIE, old_cookie)
        assert signed_out(replay)
    with db.sessions() as session:
        record = session.scalars(select(WebSession)).one()
        assert record.ended_reason == "signed_out"
        # the database holds a hash of the cookie's token, never the token
        assert record.token_hash not in old_cookie and len(record.token_hash) == 64


def test_sign_out_everywhere_ends_every_session_of_the_user(two: tuple[TestClient, TestClient], db: Database) -> None:
    a, b = two
    page = a.get("/account")
    assert page.status_code == 200 and "Sign out everywhere" in page.text and "(this browser)" in page.text
    assert a.post("/account/sign-out-everywhere", data={}).status_code == 403, "CSRF required"
    assert not signed_out(b)
    assert a.post("/account/sign-out-everywhere", data={"csrf_token": csrf_of(page.text)}).status_code == 303
    assert signed_out(a) and signed_out(b)
    assert open_count(db) == 0


def test_a_password_change_ends_all_sessions_cli_or_web(two: tuple[TestClient, TestClient], db: Database, app: Starlette, clock: Clock) -> None:
    a, b = two
    with db.transaction() as session:
        set_password(session, WILLOW_ADMIN, "a new password 1234", "cli:test", clock())
    assert signed_out(a) and signed_out(b)
    # and from the account page: the other browser is signed out, this one starts a fresh session
    assert sign_in(a, WILLOW_ADMIN, "a new password 1234").status_code == 303
    assert sign_in(b, WILLOW_ADMIN, "a new password 1234").status_code == 303
    token = csrf_of(a.get("/account").text)
    wrong = a.post("/account/password", data={"csrf_token": token, "current": "not it at all", "new": "x" * 12, "confirm": "x" * 12})
    assert wrong.status_code == 400 and "current password: wrong password" in wrong.text
    assert not signed_out(b)
    done = a.post("/account/password", data={"csrf_token": token, "current": "a new password 1234", "new": "third password 5678", "confirm": "third password 5678"})
    assert done.status_code == 303
    assert signed_out(b) and not signed_out(a)
    assert open_count(db) == 1


def test_disable_ends_all_sessions_and_enable_needs_a_new_sign_in(two: tuple[TestClient, TestClient], db: Database, clock: Clock) -> None:
    a, b = two
    with db.transaction() as session:
        disable_user(session, WILLOW_ADMIN, "cli:test", clock())
    assert open_count(db) == 0
    with db.transaction() as session:
        enable_user(session, WILLOW_ADMIN, "cli:test", clock())
    assert signed_out(a) and signed_out(b), "an enabled user's old sessions stay ended"
    assert sign_in(a, WILLOW_ADMIN).status_code == 303 and not signed_out(a)


def test_turning_inactive_in_staff_csv_ends_every_session_on_the_next_request(two: tuple[TestClient, TestClient], config_dir: Path, db: Database) -> None:
    a, b = two
    staff = config_dir / "staff.csv"
    lines = staff.read_text(encoding="utf-8").splitlines(keepends=True)
    staff.write_text("".join(line.replace(",teacher,true", ",teacher,false") if WILLOW_ADMIN in line else line for line in lines), encoding="utf-8")
    assert signed_out(a)
    assert open_count(db) == 0, "every session of theirs ended, not only the one that asked"
    assert signed_out(b)
    refused = sign_in(b, WILLOW_ADMIN)
    assert refused.status_code == 401 and "wrong e-mail or password" in refused.text


def test_a_broken_staff_csv_keeps_the_last_good_copy(two: tuple[TestClient, TestClient], config_dir: Path) -> None:
    a, _ = two
    (config_dir / "staff.csv").write_text("staff_id,first_name\n\x00garbage", encoding="utf-8")
    assert not signed_out(a)


def test_idle_timeout_and_absolute_lifetime(app: Starlette, clock: Clock, db: Database, division: Division) -> None:
    assert division.sessions.lifetime_hours == 12 and division.sessions.idle_minutes == 480
    with browser(app) as client:
        sign_in(client, WILLOW_ADMIN)
        for _ in range(11):  # busy all day: never idle, still within 12 hours
            clock.advance(hours=1)
            assert not signed_out(client)
        clock.advance(minutes=59)
        assert not signed_out(client)
        clock.advance(minutes=1, seconds=1)  # 12 h after sign-in, however busy
        assert signed_out(client)
        sign_in(client, WILLOW_ADMIN)
        clock.advance(hours=7, minutes=59)  # left alone: still in at 7 h 59
        assert not signed_out(client)
        sign_in(client, WILLOW_ADMIN)
        clock.advance(hours=8)  # left alone for 8 h: idle
        assert signed_out(client)
    with db.sessions() as session:
        assert [s.ended_reason for s in session.scalars(select(WebSession).order_by(WebSession.id))] == ["lifetime", "replaced", "idle"]
        assert session.scalars(select(User)).one().last_sign_in_at == NOW + timedelta(hours=19, minutes=59, seconds=1)


def test_lifetime_is_configurable_in_division_yaml(db: Database, config_dir: Path, clock: Clock) -> None:
    path = config_dir / "division.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nsessions:\n  lifetime_hours: 2\n  idle_minutes: 30\n", encoding="utf-8")
    division = load_division(config_dir)
    make_user(db, division, WILLOW_ADMIN, "account_admin")
    with browser(create_app(db, division, secret_key=SECRET, now=clock)) as client:
        sign_in(client, WILLOW_ADMIN)
        clock.advance(minutes=29)
        assert not signed_out(client)
        clock.advance(minutes=31)
        assert signed_out(client)


def test_sign_in_starts_a_fresh_cookie(app: Starlette) -> None:
    with browser(app) as client:
        client.get("/login")
        planted = client.cookies.get(COOKIE)
        sign_in(client, WILLOW_ADMIN)
        assert client.cookies.get(COOKIE) != planted



def test_records_of_long_ended_sessions_are_dropped_at_the_next_sign_in(app: Starlette, clock: Clock, db: Database) -> None:
    with browser(app) as client:
        sign_in(client, WILLOW_ADMIN)
        clock.advance(days=31)
        sign_in(client, WILLOW_ADMIN)
    with db.sessions() as session:
        assert [s.created_at for s in session.scalars(select(WebSession))] == [NOW + timedelta(days=31)]

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from monitor.db import Database
from monitor.models import AuditEntry, User
from monitor.users import LoginFailed, UserError, add_user, authenticate, disable_user, set_password
from tests.queue.helpers import NOW, PASSWORD, example_division


def test_passwords_are_argon2_hashed(db: Database) -> None:
    division = example_division()
    with db.transaction() as session:
        user = add_user(session, division, "Claire.Dubois@prairiehills-sd.ca", "Claire", "account_admin", PASSWORD, "admin", NOW)
        assert user.email == "claire.dubois@prairiehills-sd.ca"
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    with db.transaction() as session:
        assert authenticate(session, "claire.dubois@prairiehills-sd.ca", PASSWORD, NOW).role == "account_admin"


@pytest.mark.parametrize("email, role, password, field", [
    ("not-an-email", "principal", PASSWORD, "email"),
    ("a@prairiehills-sd.ca", "janitor", PASSWORD, "role"),
    ("a@prairiehills-sd.ca", "principal", "short", "password"),
])
def test_bad_user_input_names_the_field(db: Database, email: str, role: str, password: str, field: str) -> None:
    with db.transaction() as session:
        with pytest.raises(UserError, match=f"^{field}: "):
            add_user(session, example_division(), email, "X", role, password, "admin", NOW)


def test_lockout_after_five_failures_in_fifteen_minutes(db: Database) -> None:
    division = example_division()
    email = "helena.vasquez@prairiehills-sd.ca"
    with db.transaction() as session:
        add_user(session, division, email, "Helena", "principal", PASSWORD, "admin", NOW)
    for minute in range(5):
        with db.transaction() as session:
            with pytest.raises(LoginFailed, match="wrong e-mail or password"):
                authenticate(session, email, "wrong password!", NOW + timedelta(minutes=minute))
    with db.transaction() as session:
        # even the right password is refused while locked
        with pytest.raises(LoginFailed, match="too many failed sign-ins"):
            authenticate(session, email, PASSWORD, NOW + timedelta(minutes=6))
    with db.transaction() as session:
        assert authenticate(session, email, PASSWORD, NOW + timedelta(minutes=20)).email == email
    with db.sessions() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "login_locked")).one().actor == email


def test_failures_spread_over_time_do_not_lock(db: Database) -> None:
    division = example_division()
    email = "helena.vasquez@prairiehills-sd.ca"
    with db.transaction() as session:
        add_user(session, division, email, "Helena", "principal", PASSWORD, "admin", NOW)
    for step in range(6):
        with db.transaction() as session:
            with pytest.raises(LoginFailed):
                authenticate(session, email, "wrong password!", NOW + timedelta(minutes=10 * step))
    with db.transaction() as session:
        assert authenticate(session, email, PASSWORD, NOW + timedelta(minutes=61)).email == email


def test_disabled_user_cannot_sign_in_and_new_password_works(db: Database) -> None:
    division = example_division()
    email = "henry.calloway@prairiehills-sd.ca"
    with db.transaction() as session:
        add_user(session, division, email, "Henry", "account_admin", PASSWORD, "admin", NOW)
        set_password(session, email, "another long password", "admin", NOW)
    with db.transaction() as session:
        assert authenticate(session, email, "another long password", NOW)
        disable_user(session, email, "admin", NOW)
    with db.transaction() as session:
        with pytest.raises(LoginFailed):
            authenticate(session, email, "another long password", NOW)
        assert session.scalars(select(User)).one().disabled

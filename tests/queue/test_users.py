from __future__ import annotations

from datetime import timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from monitor import users as users_module
from monitor.db import Database
from monitor.models import AuditEntry, LoginThrottle, User
from monitor.users import (
    THROTTLE_CAPS, THROTTLE_FORGET, LoginFailed, LoginThrottled, UserError, active_throttles, add_user, authenticate, disable_user, lift_throttle,
    set_password, throttle_delay, throttled_until,
)
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


def _fail(db: Database, email: str, at, address: str = "198.51.100.7", password: str = "wrong password!") -> str:  # noqa: ANN001
    with db.transaction() as session:
        with pytest.raises(LoginFailed) as caught:
            authenticate(session, email, password, at, address)
    return str(caught.value)


def test_throttle_delays_double_after_five_failures_and_are_capped(db: Database) -> None:
    division = example_division()
    email = "helena.vasquez@prairiehills-sd.ca"
    with db.transaction() as session:
        add_user(session, division, email, "Helena", "principal", PASSWORD, "admin", NOW)
    for second in range(5):
        assert _fail(db, email, NOW + timedelta(seconds=second)) == "wrong e-mail or password"
    # the fifth failure starts a one-minute delay: even the right password is refused in it
    with db.transaction() as session:
        with pytest.raises(LoginThrottled, match="try again in 1 minute$"):
            authenticate(session, email, PASSWORD, NOW + timedelta(seconds=30), "198.51.100.7")
    # after it, one more wrong password: two minutes, then four
    assert _fail(db, email, NOW + timedelta(seconds=65)) == "wrong e-mail or password"
    with db.sessions() as session:
        assert throttled_until(session, email, "", NOW) == NOW + timedelta(seconds=65 + 120)
    assert "too many failed sign-ins" in _fail(db, email, NOW + timedelta(seconds=65 + 119), password=PASSWORD)
    assert _fail(db, email, NOW + timedelta(seconds=65 + 121)) == "wrong e-mail or password"
    with db.sessions() as session:
        assert throttled_until(session, email, "", NOW) == NOW + timedelta(seconds=65 + 121 + 240)
    assert throttle_delay("account", 50) == THROTTLE_CAPS["account"] == timedelta(minutes=10)
    assert throttle_delay("address", 50) == THROTTLE_CAPS["address"]
    assert [throttle_delay("account", n).total_seconds() / 60 for n in range(4, 9)] == [0, 1, 2, 4, 8]
    assert throttle_delay("address", 19) == timedelta(0) and throttle_delay("address", 21) == timedelta(minutes=2)
    with db.transaction() as session:
        assert authenticate(session, email, PASSWORD, NOW + timedelta(minutes=10), "198.51.100.7").email == email
    with db.sessions() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "login_throttled")).all()
        # a success clears the account's counter, not the address's (a stranger's own account must not reset it)
        kinds = {t.kind: t.failures for t in session.scalars(select(LoginThrottle))}
        assert kinds == {"address": 7}


def test_a_stranger_on_many_addresses_holds_the_owner_back_at_most_the_account_cap(db: Database) -> None:
    division = example_division()
    email = "helena.vasquez@prairiehills-sd.ca"
    with db.transaction() as session:
        add_user(session, division, email, "Helena", "principal", PASSWORD, "admin", NOW)
    at = NOW
    for n in range(30):
        at += throttle_delay("account", n) + timedelta(seconds=1)
        _fail(db, email, at, address=f"203.0.113.{n}")
    with db.sessions() as session:
        assert throttled_until(session, email, "192.0.2.50", at) == at + THROTTLE_CAPS["account"]
    assert "too many failed" in _fail(db, email, at + timedelta(minutes=5), address="192.0.2.50", password=PASSWORD)
    with db.transaction() as session:
        assert authenticate(session, email, PASSWORD, at + THROTTLE_CAPS["account"] + timedelta(seconds=1), "192.0.2.50").email == email


def test_unknown_and_known_e_mails_get_the_same_answers_and_the_same_work(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    division = example_division()
    known, unknown = "helena.vasquez@prairiehills-sd.ca", "nobody.here@prairiehills-sd.ca"
    with db.transaction() as session:
        add_user(session, division, known, "Helena", "principal", PASSWORD, "admin", NOW)
    verified: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:  # noqa: A002
            verified.append(str(hash))
            return super().verify(hash, password)

    monkeypatch.setattr(users_module, "_hasher", Counting())
    answers = {}
    for email in (known, unknown):
        verified.clear()
        answers[email] = [_fail(db, email, NOW + timedelta(seconds=s), address=f"192.0.2.{len(answers)}") for s in range(7)]
        # the five counted attempts each verify one argon2 hash (a dummy one for the unknown e-mail), the throttled ones none
        assert len(verified) == 5 and all(h.startswith("$argon2id$") for h in verified)
    assert answers[known] == answers[unknown]
    assert answers[known][0] == "wrong e-mail or password" and "too many failed sign-ins" in answers[known][6]


def test_an_its_admin_lifts_a_throttle_and_a_new_password_lifts_the_account_s(db: Database) -> None:
    division = example_division()
    email = "helena.vasquez@prairiehills-sd.ca"
    with db.transaction() as session:
        add_user(session, division, email, "Helena", "principal", PASSWORD, "admin", NOW)
    for s in range(5):
        _fail(db, email, NOW + timedelta(seconds=s))
    with db.transaction() as session:
        throttles = active_throttles(session, NOW + timedelta(seconds=10))
        assert {t.kind for t in throttles} == {"account"}
        for t in throttles:
            lift_throttle(session, t.id, "tessa.nakamura@prairiehills-sd.ca", NOW)
    with db.transaction() as session:
        assert authenticate(session, email, PASSWORD, NOW + timedelta(seconds=10), "198.51.100.7").email == email
        lifted = session.scalars(select(AuditEntry).where(AuditEntry.action == "login_throttle_lifted")).all()
        assert len(lifted) == 1 and {a.actor for a in lifted} == {"tessa.nakamura@prairiehills-sd.ca"}
    for s in range(5):
        _fail(db, email, NOW + timedelta(seconds=20 + s), address="")
    with db.transaction() as session:
        set_password(session, email, "a brand new password", "admin", NOW + timedelta(seconds=30))
    with db.transaction() as session:
        assert authenticate(session, email, "a brand new password", NOW + timedelta(seconds=31)).email == email


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


def test_failures_counted_by_two_processes_add_up(db_url: str, db: Database) -> None:
    """Two `hallwatch serve` processes (two engines on the same database) share the counters."""
    division = example_division()
    email = "helena.vasquez@prairiehills-sd.ca"
    with db.transaction() as session:
        add_user(session, division, email, "Helena", "principal", PASSWORD, "admin", NOW)
    other = Database(db_url)
    try:
        for n in range(5):
            _fail(db if n % 2 else other, email, NOW + timedelta(seconds=n))
        for database in (db, other):
            with database.sessions() as session:
                assert throttled_until(session, email, "", NOW + timedelta(seconds=10)) == NOW + timedelta(seconds=4 + 60)
    finally:
        other.dispose()


def test_spent_counters_are_dropped(db: Database) -> None:
    for n in range(3):
        _fail(db, f"sprayed{n}@prairiehills-sd.ca", NOW, address="")
    _fail(db, "later@prairiehills-sd.ca", NOW + THROTTLE_FORGET + timedelta(seconds=1), address="")
    with db.sessions() as session:
        assert list(session.scalars(select(LoginThrottle.key))) == ["later@prairiehills-sd.ca"]

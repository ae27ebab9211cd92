"""Queue users: creation, passwords (argon2), sign-in throttling, sessions, and which accounts each one may see.

Visibility follows the procedures: account administrators see the accounts whose
`administrators` list names them; principals see their school's accounts (and any they
administer); the Communications Manager and ITS see every account.
"""
from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.config import Division
from monitor.errors import HallwatchError
from monitor.models import USER_ROLES, Account, AuditEntry, LoginThrottle, User, WebSession

# failed sign-ins: the first THROTTLE_FREE_FAILURES cost nothing; each one after makes the next
# attempt wait THROTTLE_BASE, doubling, up to the cap. The account's cap is short, because anyone who
# knows an e-mail can run that counter up; the address's is long, because that counter is the
# stranger's, but it starts later: a school's staff share one address behind its firewall.
THROTTLE_FREE_FAILURES = {"account": 5, "address": 20}
THROTTLE_BASE = timedelta(minutes=1)
THROTTLE_CAPS = {"account": timedelta(minutes=10), "address": timedelta(hours=1)}
THROTTLE_FORGET = timedelta(hours=2)  # a counter with no failure for this long starts again at 0
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


class UserError(HallwatchError):
    """Bad user input or an unknown user; the message names the field."""


class LoginFailed(HallwatchError):
    """Wrong e-mail or password, a disabled user, or a throttled account or address; the message
    never says which secret was wrong, nor whether the account exists."""


class LoginThrottled(LoginFailed):
    """Too many failed sign-ins from this address or for this e-mail: wait, or ask ITS to lift it."""


# which staff.csv roles fit which queue role (a mismatch is allowed, with a warning)
STAFF_ROLES_FOR = {
    "its_admin": ("its",), "communications_manager": ("communications", "superintendent"),
    "principal": ("principal", "vice_principal"),
    "account_admin": ("principal", "vice_principal", "teacher", "support", "communications", "its", "superintendent"),
}


@dataclass(frozen=True)
class Viewer:
    """Who is acting, and the accounts they may see (None: all of them)."""

    email: str
    role: str
    display_name: str
    account_names: frozenset[str] | None

    def may_see(self, account_name: str) -> bool:
        return self.account_names is None or account_name in self.account_names

    def account_ids(self, session: Session) -> list[int] | None:
        if self.account_names is None:
            return None
        if not self.account_names:
            return []
        return list(session.scalars(select(Account.id).where(Account.name.in_(self.account_names))))


def visible_accounts(division: Division, email: str, role: str) -> frozenset[str] | None:
    if role in ("its_admin", "communications_manager"):
        return None
    email = email.lower()
    names = {a.name for a in division.accounts if email in {x.lower() for x in a.administrators}}
    if role == "principal":
        staff = division.staff_by_email(email)
        if staff is not None and staff.active:
            names |= {a.name for a in division.accounts if a.school is not None and a.school == staff.school}
    return frozenset(names)


def viewer_for(division: Division, user: User) -> Viewer:
    return Viewer(user.email, user.role, user.display_name or user.email, visible_accounts(division, user.email, user.role))


def find_user(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email.strip().lower())).first()


def require_user(session: Session, email: str) -> User:
    user = find_user(session, email)
    if user is None:
        raise UserError(f"--as: no user {email!r} (add one with `hallwatch users add`)")
    if user.disabled:
        raise UserError(f"--as: user {email} is disabled")
    return user


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password: must be at least {MIN_PASSWORD_LENGTH} characters")


def add_user(
    session: Session, division: Division, email: str, display_name: str, role: str, password: str | None, actor: str, now: datetime,
    *, external: bool = False,
) -> User:
    """A new user. Unless `external`, the address must be the division's and a staff member's in
    staff.csv: the queue shows student data, and the directory is what says who still works here."""
    email = email.strip().lower()
    if "@" not in email:
        raise UserError(f"email: {email!r} is not an e-mail address")
    if role not in USER_ROLES:
        raise UserError(f"role: {role!r} is not one of {', '.join(USER_ROLES)}")
    if find_user(session, email) is not None:
        raise UserError(f"email: a user {email} exists already")
    if password is not None:
        check_password(password)
    if not external:
        domain = email.rpartition("@")[2]
        if domain != division.email_domain.lower():
            raise UserError(f"email: {email} is not an address of the division ({division.email_domain}); add --external for someone from outside")
        staff = division.staff_by_email(email)
        if staff is None:
            raise UserError(f"email: {email} is not in staff.csv; add them there, or add --external for someone from outside")
        if not staff.active:
            raise UserError(f"email: {email} is inactive in staff.csv")
    user = User(
        email=email, display_name=display_name.strip(), role=role, disabled=False, external=external, created_at=now,
        password_hash=_hasher.hash(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    session.add(AuditEntry(at=now, actor=actor, action="user_add", entity_type="user", entity_id=email, before=None,
                           after={"role": role, "display_name": user.display_name, "external": external}))
    return user


def role_mismatch(division: Division, email: str, role: str) -> str | None:
    """A warning when staff.csv gives the person a role that does not fit `role`, else None."""
    staff = division.staff_by_email(email)
    if staff is None or staff.role in STAFF_ROLES_FOR.get(role, ()):
        return None
    return f"{email} is {staff.role!r} in staff.csv, which does not usually go with the queue role {role!r}"


def end_sessions(session: Session, user_id: int, reason: str, now: datetime, *, keep: int | None = None) -> int:
    """End every open web session of the user (but `keep`, a session id); returns how many."""
    query = update(WebSession).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(WebSession.id != keep)
    result = session.execute(query.values(ended_at=now, ended_reason=reason).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def token_hash(token: str) -> str:
    """What is stored for a session's cookie token: its SHA-256 (the token itself is 256 random bits)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def set_password(session: Session, email: str, password: str, actor: str, now: datetime) -> User:
    """A new password; every session of the user ends (whoever knew the old one is signed out) and
    the account's throttle is lifted."""
    user = find_user(session, email)
    if user is None:
        raise UserError(f"email: no user {email!r}")
    check_password(password)
    user.password_hash = _hasher.hash(password)
    ended = end_sessions(session, user.id, "password_changed", now)
    session.execute(delete(LoginThrottle).where(LoginThrottle.kind == "account", LoginThrottle.key == user.email))
    session.add(AuditEntry(at=now, actor=actor, action="user_set_password", entity_type="user", entity_id=user.email, before=None, after={"sessions_ended": ended}))
    return user


def change_own_password(session: Session, user: User, current: str, new: str, now: datetime) -> None:
    """The signed-in user's own change: the current password is checked first."""
    try:
        _hasher.verify(user.password_hash or _dummy_hash(), current)
        if not user.password_hash:
            raise VerificationError
    except (VerificationError, InvalidHashError):
        raise UserError("current password: wrong password") from None
    set_password(session, user.email, new, user.email, now)


def disable_user(session: Session, email: str, actor: str, now: datetime) -> User:
    user = find_user(session, email)
    if user is None:
        raise UserError(f"email: no user {email!r}")
    user.disabled = True
    ended = end_sessions(session, user.id, "disabled", now)
    session.add(AuditEntry(at=now, actor=actor, action="user_disable", entity_type="user", entity_id=user.email, before={"disabled": False}, after={"disabled": True, "sessions_ended": ended}))
    return user


def enable_user(session: Session, email: str, actor: str, now: datetime, *, external: bool = False) -> User:
    """Enable a user again; `external` also marks them as someone outside staff.csv (a contractor, an
    auditor, or a user added before the directory check who is not in staff.csv)."""
    user = find_user(session, email)
    if user is None:
        raise UserError(f"email: no user {email!r}")
    before = {"disabled": user.disabled, "external": user.external}
    user.disabled = False
    user.external = user.external or external
    session.add(AuditEntry(at=now, actor=actor, action="user_enable", entity_type="user", entity_id=user.email, before=before,
                           after={"disabled": False, "external": user.external}))
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


@cache
def _dummy_hash() -> str:
    # verified against when the e-mail is unknown, so that answer costs the same argon2 work
    return _hasher.hash(secrets.token_urlsafe(24))


def _throttle_keys(email: str, address: str) -> list[tuple[str, str]]:
    # whatever was typed, as a key PostgreSQL can store (no NUL) and the column holds
    keys = [("account", email.strip().lower().replace("\x00", "")[:200])]
    if address:
        keys.append(("address", address[:200]))
    return keys


def throttle_delay(kind: str, failures: int) -> timedelta:
    """How long the next attempt waits after `failures` failures in a row."""
    free = THROTTLE_FREE_FAILURES[kind]
    if failures < free:
        return timedelta(0)
    cap = THROTTLE_CAPS[kind]
    steps = failures - free
    if steps >= math.log2(cap / THROTTLE_BASE):
        return cap
    return min(cap, THROTTLE_BASE * (2 ** steps))


def _throttle_row(session: Session, kind: str, key: str, now: datetime) -> LoginThrottle:
    """The counter row, locked (PostgreSQL) so two processes failing at once both count."""
    query = select(LoginThrottle).where(LoginThrottle.kind == kind, LoginThrottle.key == key).with_for_update()
    row = session.scalars(query).first()
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = LoginThrottle(kind=kind, key=key, failures=0, last_failure_at=now, blocked_until=None)
            session.add(row)
        return row
    except IntegrityError:
        return session.scalars(query).one()


def _record_failure(session: Session, email: str, address: str, now: datetime) -> None:
    # counters nobody has touched for THROTTLE_FORGET are spent: drop them, or sprayed e-mails pile up
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.last_failure_at < now - THROTTLE_FORGET, or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < now)))
    for kind, key in _throttle_keys(email, address):
        row = _throttle_row(session, kind, key, now)
        if row.failures and now - row.last_failure_at > THROTTLE_FORGET:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        delay = throttle_delay(kind, row.failures)
        if delay:
            row.blocked_until = now + delay
            if row.failures == THROTTLE_FREE_FAILURES[kind]:
                session.add(AuditEntry(at=now, actor="sign-in", action="login_throttled", entity_type=f"login_{kind}", entity_id=key, before=None, after={"failures": row.failures}))


def throttled_until(session: Session, email: str, address: str, now: datetime) -> datetime | None:
    """When the later of the account's and the address's delays ends, or None when neither applies."""
    keys = _throttle_keys(email, address)
    wanted = or_(*(and_(LoginThrottle.kind == kind, LoginThrottle.key == key) for kind, key in keys))
    ends = [t for t in session.scalars(select(LoginThrottle.blocked_until).where(wanted, LoginThrottle.blocked_until > now)) if t is not None]
    return max(ends) if ends else None


def active_throttles(session: Session, now: datetime) -> list[LoginThrottle]:
    """Counters that hold someone back now, latest first (the ITS page lists them)."""
    return list(session.scalars(select(LoginThrottle).where(LoginThrottle.blocked_until > now).order_by(LoginThrottle.blocked_until.desc())))


def lift_throttle(session: Session, throttle_id: int, actor: str, now: datetime) -> LoginThrottle:
    row = session.get(LoginThrottle, throttle_id)
    if row is None:
        raise UserError(f"throttle: no throttle {throttle_id}")
    session.add(AuditEntry(at=now, actor=actor, action="login_throttle_lifted", entity_type=f"login_{row.kind}", entity_id=row.key, before={"failures": row.failures}, after=None))
    session.delete(row)
    session.flush()
    return row


def authenticate(session: Session, email: str, password: str, now: datetime, address: str = "") -> User:
    """The user, or LoginFailed (LoginThrottled while a delay runs, even for the right password).

    Unknown e-mails are counted and verified against a dummy hash, so neither the answer, the
    delay nor the time taken tells whether an account exists. The caller commits either way: a
    failed attempt must be remembered. A success clears the account's counter, not the address's.
    """
    email = email.strip().lower()
    until = throttled_until(session, email, address, now)
    if until is not None:
        minutes = max(1, math.ceil((until - now).total_seconds() / 60))
        raise LoginThrottled(f"too many failed sign-ins; try again in {minutes} minute{'s' if minutes != 1 else ''}")
    # no stored address holds a NUL, and PostgreSQL refuses one in a query: that e-mail is unknown
    user = find_user(session, email) if "\x00" not in email else None
    usable = user is not None and not user.disabled and bool(user.password_hash)
    try:
        _hasher.verify(user.password_hash if usable and user is not None else _dummy_hash(), password)
        verified = True
    except (VerificationError, InvalidHashError):
        verified = False
    if not (verified and usable) or user is None:
        _record_failure(session, email, address, now)
        raise LoginFailed("wrong e-mail or password")
    session.execute(delete(LoginThrottle).where(LoginThrottle.kind == "account", LoginThrottle.key == user.email))
    if user.password_hash and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user

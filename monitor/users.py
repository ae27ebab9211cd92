"""Queue users: creation, passwords (argon2), lockout, and which accounts each one may see.

Visibility follows the procedures: account administrators see the accounts whose
`administrators` list names them; principals see their school's accounts (and any they
administer); the Communications Manager and ITS see every account.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config import Division
from monitor.errors import HallwatchError
from monitor.models import USER_ROLES, Account, AuditEntry, User

LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


class UserError(HallwatchError):
    """Bad user input or an unknown user; the message names the field."""


class LoginFailed(HallwatchError):
    """Wrong e-mail or password, a disabled user, or a locked account; the message never says which secret was wrong."""


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


def add_user(session: Session, division: Division, email: str, display_name: str, role: str, password: str | None, actor: str, now: datetime) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise UserError(f"email: {email!r} is not an e-mail address")
    if role not in USER_ROLES:
        raise UserError(f"role: {role!r} is not one of {', '.join(USER_ROLES)}")
    if find_user(session, email) is not None:
        raise UserError(f"email: a user {email} exists already")
    if password is not None:
        check_password(password)
    user = User(
        email=email, display_name=display_name.strip(), role=role, disabled=False, failed_logins=0, created_at=now,
        password_hash=_hasher.hash(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    session.add(AuditEntry(at=now, actor=actor, action="user_add", entity_type="user", entity_id=email, before=None, after={"role": role, "display_name": user.display_name}))
    return user


def set_password(session: Session, email: str, password: str, actor: str, now: datetime) -> User:
    user = find_user(session, email)
    if user is None:
        raise UserError(f"email: no user {email!r}")
    check_password(password)
    user.password_hash = _hasher.hash(password)
    user.failed_logins, user.first_failed_at, user.locked_until = 0, None, None
    session.add(AuditEntry(at=now, actor=actor, action="user_set_password", entity_type="user", entity_id=user.email, before=None, after=None))
    return user


def disable_user(session: Session, email: str, actor: str, now: datetime) -> User:
    user = find_user(session, email)
    if user is None:
        raise UserError(f"email: no user {email!r}")
    user.disabled = True
    session.add(AuditEntry(at=now, actor=actor, action="user_disable", entity_type="user", entity_id=user.email, before={"disabled": False}, after={"disabled": True}))
    return user


def authenticate(session: Session, email: str, password: str, now: datetime) -> User:
    """The user, or LoginFailed; failures count toward a lockout of LOCKOUT_WINDOW after LOCKOUT_FAILURES.

    The caller commits either way: a failed attempt must be remembered.
    """
    user = find_user(session, email)
    if user is None or user.disabled or not user.password_hash:
        # hash anyway so an unknown e-mail takes as long as a wrong password
        _hasher.hash(password or "x")
        raise LoginFailed("wrong e-mail or password")
    locked_until = user.locked_until
    if locked_until is not None and locked_until > now:
        raise LoginFailed(f"too many failed sign-ins; try again after {locked_until:%H:%M} UTC")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        first = user.first_failed_at
        if first is None or now - first > LOCKOUT_WINDOW:
            user.failed_logins, user.first_failed_at = 0, now
        user.failed_logins += 1
        if user.failed_logins >= LOCKOUT_FAILURES:
            user.locked_until = now + LOCKOUT_WINDOW
            session.add(AuditEntry(at=now, actor=user.email, action="login_locked", entity_type="user", entity_id=user.email, before=None, after={"locked_until": user.locked_until.isoformat()}))
        raise LoginFailed("wrong e-mail or password") from None
    user.failed_logins, user.first_failed_at, user.locked_until = 0, None, None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user

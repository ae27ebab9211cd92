"""Sign-in state: server-side session records (monitor.models.WebSession), checked on every request.

The signed cookie carries only a random token; the database keeps its SHA-256, who it belongs to,
and when it ends. Every request looks the record up, so sign-out, a password change, `users
disable`, "sign out everywhere" and a staff member turning inactive in staff.csv end a session at
once, in every `hallwatch serve` process. A session also ends after `sessions.idle_minutes`
without a request and `sessions.lifetime_hours` after sign-in (division.yaml), whichever is first.

`sign_in(request, user)` is the one way a session starts (password sign-in here, OIDC elsewhere).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from starlette.requests import Request

from classifiers.directory import StaffMember
from monitor.config import STAFF_FILE, Division
from monitor.db import Database
from monitor.models import User, WebSession
from monitor.roster import read_staff
from monitor.users import Viewer, end_sessions, new_session_token, token_hash, viewer_for

log = logging.getLogger("hallwatch.web.auth")
# a session's last_seen_at is written at most this often (every request reads it; few need to write)
TOUCH_EVERY = timedelta(minutes=1)
SESSION_RECORDS_KEPT = timedelta(days=30)
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")


class StaffWatch:
    """staff.csv as it is now: read again when the file changes, so a staff member marked inactive
    loses access on their next request. A file that no longer reads cleanly keeps the last good copy."""

    def __init__(self, division: Division) -> None:
        self.path = division.directory_path / STAFF_FILE
        self.staff: dict[str, StaffMember] = {s.email.lower(): s for s in division.staff}
        self.stamp = self._stamp()

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def member(self, email: str) -> StaffMember | None:
        stamp = self._stamp()
        if stamp is not None and stamp != self.stamp:
            problems: list = []
            try:
                staff = read_staff(self.path, None, problems)
            except Exception:  # noqa: BLE001 - unreadable now (mid-copy, permissions): keep the last good one
                staff, problems = [], ["unreadable"]
            if problems:
                log.warning("staff.csv changed but has %d problem(s); sessions are checked against the last good copy", len(problems))
            else:
                self.staff = {s.email.lower(): s for s in staff}
            self.stamp = stamp
        return self.staff.get(email.lower())


@dataclass
class SessionStore:
    """What the auth functions need from the app: the database, the clock and the session rules."""

    database: Database
    division: Division
    now: Callable[[], datetime]
    staff: StaffWatch = field(init=False)

    def __post_init__(self) -> None:
        self.staff = StaffWatch(self.division)

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.division.sessions.idle_minutes)

    @property
    def lifetime(self) -> timedelta:
        return timedelta(hours=self.division.sessions.lifetime_hours)

    def directory_allows(self, user: User) -> bool:
        """Whether staff.csv still lets the user in: listed and active, or added as --external."""
        member = self.staff.member(user.email)
        if member is None:
            return user.external
        return member.active


def install(app: object, database: Database, division: Division, now: Callable[[], datetime]) -> SessionStore:
    """Give the app its session store (create_app calls this)."""
    store = SessionStore(database, division, now)
    app.state.web_sessions = store  # type: ignore[attr-defined]
    return store


def _store(request: Request) -> SessionStore:
    return request.app.state.web_sessions


def _summary(value: str | None, limit: int) -> str:
    return _UNPRINTABLE.sub("?", value or "")[:limit]


def client_address(request: Request) -> str:
    return _summary(request.client.host if request.client else "", 64)


def _live_record(request: Request) -> tuple[int, int] | None:
    """(session id, user id) of the request's session when it is still valid; ends it when not."""
    token = request.session.get("sid")
    if not isinstance(token, str) or not token:
        return None
    store = _store(request)
    now = store.now()
    with store.database.transaction() as session:
        record = session.scalars(select(WebSession).where(WebSession.token_hash == token_hash(token))).first()
        if record is None or record.ended_at is not None:
            return None
        user = session.get(User, record.user_id)
        reason = None
        if user is None or user.disabled:
            reason = "disabled"
        elif now >= record.ends_at:
            reason = "lifetime"
        elif now - record.last_seen_at >= store.idle:
            reason = "idle"
        elif not store.directory_allows(user):
            # the directory says they left: every session of theirs ends, not only this one
            end_sessions(session, user.id, "staff_inactive", now)
            log.info("sessions ended: user no longer active in staff.csv")
            return None
        if reason is not None:
            record.ended_at, record.ended_reason = now, reason
            return None
        if now - record.last_seen_at >= TOUCH_EVERY:
            record.last_seen_at = now
        return record.id, record.user_id


def current_session_id(request: Request) -> int | None:
    live = _live_record(request)
    return live[0] if live else None


def current_user(request: Request, session: Session) -> User | None:
    """The signed-in user, or None (the cookie is then emptied)."""
    live = _live_record(request)
    if live is None:
        if request.session:
            request.session.clear()
        return None
    return session.get(User, live[1])


def current_viewer(request: Request, session: Session, division: Division) -> Viewer | None:
    user = current_user(request, session)
    return viewer_for(division, user) if user else None


def sign_in(request: Request, user: User) -> None:
    """Start a session for a user whose identity is proven (password or OIDC); records the sign-in.

    A fresh cookie: nothing from before (a planted session id or CSRF token) carries over.
    """
    store = _store(request)
    now = store.now()
    token = new_session_token()
    previous = request.session.get("sid")
    with store.database.transaction() as session:
        # records of sessions over for SESSION_RECORDS_KEPT go (the audit log keeps what matters)
        session.execute(delete(WebSession).where(WebSession.ends_at < now - SESSION_RECORDS_KEPT))
        if isinstance(previous, str) and previous:
            # signing in again in the same browser replaces its session rather than leaving it open
            session.execute(update(WebSession).where(WebSession.token_hash == token_hash(previous), WebSession.ended_at.is_(None))
                            .values(ended_at=now, ended_reason="replaced"))
        session.add(WebSession(
            token_hash=token_hash(token), user_id=user.id, created_at=now, last_seen_at=now, ends_at=now + store.lifetime,
            address=client_address(request), user_agent=_summary(request.headers.get("user-agent"), 120),
        ))
        record = session.get(User, user.id)
        if record is not None:
            record.last_sign_in_at = now
    request.session.clear()
    request.session["sid"] = token


def sign_out(request: Request) -> None:
    """End this browser's session, in the database as in the cookie."""
    token = request.session.get("sid")
    request.session.clear()
    if not isinstance(token, str) or not token:
        return
    store = _store(request)
    with store.database.transaction() as session:
        record = session.scalars(select(WebSession).where(WebSession.token_hash == token_hash(token))).first()
        if record is not None and record.ended_at is None:
            record.ended_at, record.ended_reason = store.now(), "signed_out"


def sign_out_everywhere(request: Request, user_id: int) -> int:
    """End every session of the user, this one included; returns how many."""
    store = _store(request)
    request.session.clear()
    with store.database.transaction() as session:
        return end_sessions(session, user_id, "signed_out_everywhere", store.now())


def open_sessions(session: Session, user_id: int, now: datetime, idle: timedelta) -> list[WebSession]:
    """The user's sessions that still work, newest first (the account page lists them)."""
    rows = session.scalars(select(WebSession).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None), WebSession.ends_at > now)
                           .order_by(WebSession.created_at.desc()))
    return [r for r in rows if now - r.last_seen_at < idle]

"""The account registry audited against the procedures' governance rules (policies/README.md).

Findings here are about accounts, not posts: who administers them, whether they were approved,
when passwords were last reset, whether anyone watches the comments.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.config import AccountConfig, Division
from monitor.models import Account, RunAccount, StoredItem

PASSWORD_MAX_AGE = timedelta(days=365)
STALE_AFTER = timedelta(days=180)
MONITORED_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class GovernanceFinding:
    account: str
    rule: str
    message: str
    clause: str


def audit_account(division: Division, account: AccountConfig, today: date) -> list[GovernanceFinding]:
    """The rules that need only the registry and the staff list."""
    found: list[GovernanceFinding] = []

    def gap(rule: str, message: str, clause: str) -> None:
        found.append(GovernanceFinding(account.name, rule, message, clause))

    if account.registered is None or account.approved is None:
        gap("registered", "no registration and approval on record", "AP80-SM Establishing; AP193 1.2, 3.1, 3.2; AP1311 1.4.6")
    admins = [division.staff_by_email(email) for email in account.administrators]
    active = [a for a in admins if a is not None and a.active]
    if len(active) < 2:
        gap("two_admins", f"{len(active)} active staff administrator(s); at least two are required", "AP80-SM Online Interactions; AP146 3d")
    if account.school is not None and not any(a.role in ("principal", "vice_principal") and a.school == account.school for a in active):
        gap("principal_admin", "the principal or vice principal is not an administrator", "AP146 4b")
    departed = [a for a in admins if a is not None and not a.active]
    if departed:
        gap("departed_admin", f"{len(departed)} administrator(s) no longer employed; remove them and reset the password", "AP80-SM Account Management")
    if account.last_password_reset is None or today - account.last_password_reset > PASSWORD_MAX_AGE:
        when = account.last_password_reset.isoformat() if account.last_password_reset else "never"
        gap("password_reset", f"password last reset {when}; reset at least yearly", "AP80-SM Account Management; AP193 3.4")
    if not account.content_manager:
        gap("content_manager", "no designated content manager", "AP193 1.7, 3.4")
    return found


def audit_activity(session: Session, division: Division, now: datetime) -> list[GovernanceFinding]:
    """The rules that need what the monitor has seen: stale accounts, comments not monitored, failing tokens."""
    found: list[GovernanceFinding] = []
    rows = {a.name: a for a in session.scalars(select(Account))}
    for config in division.accounts:
        row = rows.get(config.name)
        if row is None:
            continue
        if row.credential_status != "ok":
            found.append(GovernanceFinding(config.name, "credentials", "the platform refuses the account's credentials; renew them", "AP80-SM Account Management"))
        last_post = session.scalar(select(func.max(StoredItem.created_at)).where(StoredItem.account_id == row.id, StoredItem.author_is_account.is_(True)))
        if last_post is not None and now - last_post > STALE_AFTER:
            found.append(GovernanceFinding(config.name, "stale", f"no post since {last_post:%Y-%m-%d}; delete accounts no longer in use", "AP1311 1.2.1.3"))
        if config.comments:
            last_ok = session.scalar(select(func.max(RunAccount.finished_at)).where(RunAccount.account_id == row.id, RunAccount.status == "ok"))
            if last_ok is None or now - last_ok > MONITORED_WITHIN:
                found.append(GovernanceFinding(config.name, "comments_monitored", "comments are on but were not fetched in the last 24 hours", "AP1311 1.4.3; AP140C 1.10.2"))
    return found


def audit(session: Session, division: Division, now: datetime | None = None) -> list[GovernanceFinding]:
    moment = now or datetime.now(timezone.utc)
    found = [f for account in division.accounts for f in audit_account(division, account, moment.date())]
    found.extend(audit_activity(session, division, moment))
    return sorted(found, key=lambda f: (f.account, f.rule))


"""The account registry audited against the procedures' governance rules (policies/README.md).

Findings here are about accounts, not posts: who administers them, whether they were approved,
when passwords were last reset, whether anyone watches the comments, what the profile says and
whom the account follows. `file_findings` turns each failing rule into an account-level item in
the review queue (routed to the account's administrators and ITS) and closes it by itself, as
done by `hallwatch`, on the first audit that finds the rule met; a rule that fails again after
that opens a new item, so each gap's history stays readable.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from classifiers.roster import Roster, fold
from connectors.base import AccountRef, Connector, ConnectorError
from connectors.registry import get_connector
from monitor.config import AccountConfig, Division
from monitor.db import Database
from monitor.models import (
    GOVERNANCE_CATEGORY, SEVERITY_RANK, Account, AccountProfile, AuditEntry, GovernanceFindingRow, ReviewItem, RunAccount, StoredItem,
)
from monitor.roster import StaffRecord
from monitor.routing import SYSTEM_ACTOR, audit as audit_review, emails_for, snapshot
from monitor.runs import account_ref, sync_accounts
from monitor.usage import counters as usage

log = logging.getLogger("hallwatch.governance")

PASSWORD_MAX_AGE = timedelta(days=365)
STALE_AFTER = timedelta(days=180)
MONITORED_WITHIN = timedelta(hours=24)
REVIEWED_WITHIN = timedelta(hours=24)
# the share of comments that must be reviewed within 24 h (AP1311 1.4.3 says every comment; a
# little slack keeps one slow night from opening a finding)
REVIEWED_SHARE = 0.9
PROFILE_MAX_AGE = timedelta(hours=24)
GAP_DUE = timedelta(days=7)
GAP_ROLES = ("account_admins", "its")
CLOSED_OUTCOME = "gap_closed"

# rule -> (what to do, severity); the reason (what is wrong) is worked out per account
RULES: dict[str, tuple[str, str]] = {
    "registered": ("Register the account with ITS and the Communications Manager and record the approval date in division.yaml (registered, approved).", "medium"),
    "two_admins": ("Add active staff administrators on the platform until there are at least two, and list them in division.yaml.", "high"),
    "principal_admin": ("Make the principal or a vice principal an administrator of the account, on the platform and in division.yaml.", "medium"),
    "departed_admin": ("Remove the departed administrator(s) on the platform and from division.yaml, then reset the password.", "high"),
    "password_reset": ("Reset the account's password and record the date in division.yaml (last_password_reset).", "medium"),
    "password_after_departure": ("Reset the account's password now (an administrator has left since the last reset) and record the date in division.yaml (last_password_reset).", "high"),
    "login_email": ("Register the account with a division work address (a shared role address is best) and record it in division.yaml (login_email).", "medium"),
    "content_manager": ("Name the account's content manager in division.yaml (content_manager).", "low"),
    "credentials": ("Renew the account's token or password for hallwatch (see the README's credentials section); until then its posts are not monitored.", "high"),
    "stale": ("Post again, or delete the account if it is no longer used, and remove it from division.yaml.", "low"),
    "comments_monitored": ("Check that `hallwatch run` or `serve` is running and can reach the platform; comments must be looked at every day.", "high"),
    "comments_reviewed": ("Work the account's queue every day: each comment must be seen and, when flagged, acted on within 24 hours.", "medium"),
    "profile_identifies": ("Edit the account's profile so its name or bio names the school or program and its website link points to the school's website.", "low"),
    "x_read_budget": ("Raise the account's X read budget in division.yaml (x_billing.monthly_budget, or the account's x_monthly_budget) if it must be read this month; otherwise it is read again from the 1st.", "medium"),
    "follows_students": ("Unfollow the students' accounts on the platform (the review item does not name them: look at whom the account follows).", "high"),
}


@dataclass(frozen=True)
class GovernanceFinding:
    account: str
    rule: str
    message: str
    clause: str

    @property
    def action(self) -> str:
        return RULES.get(self.rule, ("", "medium"))[0]

    @property
    def severity(self) -> str:
        return RULES.get(self.rule, ("", "medium"))[1]


@dataclass(frozen=True)
class Timeliness:
    """Comments at least 24 h old in a window, and how many were reviewed within 24 h."""

    days: int
    total: int
    on_time: int

    @property
    def share(self) -> float | None:
        return self.on_time / self.total if self.total else None


def audit_account(division: Division, account: AccountConfig, today: date, departures: dict[str, date] | None = None, removed: list[date] | None = None) -> list[GovernanceFinding]:
    """The rules that need only the registry and the staff list, with the departure dates known:
    `departures` (e-mail -> day an inactive staff member left) and `removed` (days administrators
    were taken off this account in division.yaml, from the audit log of registry changes)."""
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
    left = [day for a in departed if (day := (departures or {}).get(a.email)) is not None] + list(removed or [])
    if left and (account.last_password_reset is None or account.last_password_reset < max(left)):
        when = account.last_password_reset.isoformat() if account.last_password_reset else "never"
        gap("password_after_departure", f"an administrator left on {max(left).isoformat()}; the password was last reset {when}", "AP80-SM Account Management")
    if not account.login_email:
        gap("login_email", "no login e-mail on record; the account must be registered with a work address", "AP1311 1.1.1; AP193 1.6")
    if not account.content_manager:
        gap("content_manager", "no designated content manager", "AP193 1.7, 3.4")
    return found


def departure_dates(session: Session, division: Division, now: datetime) -> dict[str, date]:
    """When each inactive staff member left: staff.csv's `left_on`, else the day hallwatch first saw them inactive.

    The second comes from the audit log: the first audit that finds an administrator inactive
    without a `left_on` records it (entity `staff`, action `seen_inactive`), so the date survives
    later runs and a later correction of staff.csv.
    """
    dates: dict[str, date] = {}
    inactive = [s for s in division.staff if not s.active]
    seen = {e.entity_id: e.at for e in session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "staff", AuditEntry.action == "seen_inactive"))}
    admins = {email.lower() for account in division.accounts for email in account.administrators}
    for member in inactive:
        left_on = member.left_on if isinstance(member, StaffRecord) else None
        if left_on is not None:
            dates[member.email] = left_on
        elif member.email in seen:
            dates[member.email] = seen[member.email].astimezone(_zone(division)).date()
        elif member.email in admins:
            session.add(AuditEntry(at=now, actor=SYSTEM_ACTOR, action="seen_inactive", entity_type="staff", entity_id=member.email,
                                   before={"active": True}, after={"active": False}))
            dates[member.email] = now.astimezone(_zone(division)).date()
    session.flush()
    return dates


def registry_removals(session: Session, division: Division, now: datetime) -> dict[str, list[date]]:
    """The days administrators were taken off each account, from the audit log of registry changes.

    Each audit compares an account's administrators in division.yaml with the last list it
    recorded (entity `account_registry`, action `administrators`) and records a change, so an
    administrator removed from the file (as they should be when they leave) still counts as a
    departure that a password reset must follow.
    """
    zone = _zone(division)
    history: dict[str, list[AuditEntry]] = {}
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "account_registry", AuditEntry.action == "administrators").order_by(AuditEntry.id)):
        history.setdefault(entry.entity_id, []).append(entry)
    for config in division.accounts:
        current = sorted({e.lower() for e in config.administrators})
        entries = history.get(config.name, [])
        last = (entries[-1].after or {}).get("administrators") if entries else None
        if last != current:
            entry = AuditEntry(at=now, actor=SYSTEM_ACTOR, action="administrators", entity_type="account_registry", entity_id=config.name,
                               before={"administrators": last} if last is not None else None, after={"administrators": current})
            session.add(entry)
            history.setdefault(config.name, []).append(entry)
    session.flush()
    removals: dict[str, list[date]] = {}
    for name, entries in history.items():
        for entry in entries:
            before = set((entry.before or {}).get("administrators") or [])
            after = set((entry.after or {}).get("administrators") or [])
            if before - after:
                removals.setdefault(name, []).append(entry.at.astimezone(zone).date())
    return removals


def _zone(division: Division) -> ZoneInfo:
    return ZoneInfo(division.settings.timezone)


def review_timeliness(session: Session, account_id: int, now: datetime, days: int) -> Timeliness:
    """Comments (not the account's own) posted in the last `days` days and at least 24 h ago:
    how many the pipeline saw within 24 h and, when flagged, a moderator acted on within 24 h
    (resolved: dismissed or confirmed)."""
    start, end = now - timedelta(days=days), now - REVIEWED_WITHIN
    posted = func.coalesce(StoredItem.created_at, StoredItem.first_seen_at)
    rows = session.execute(
        select(StoredItem.created_at, StoredItem.first_seen_at, StoredItem.classified_at, ReviewItem.id, ReviewItem.resolved_at)
        .outerjoin(ReviewItem, ReviewItem.item_id == StoredItem.id)
        .where(StoredItem.account_id == account_id, StoredItem.kind.in_(("comment", "reply")), StoredItem.author_is_account.is_(False),
               posted >= start, posted <= end)
    ).all()
    # comments posted before hallwatch first saw the account are timed from when it first saw them
    watched_since = session.scalar(select(func.min(StoredItem.first_seen_at)).where(StoredItem.account_id == account_id))
    on_time = 0
    for created, first_seen, classified, review_id, resolved in rows:
        at = created if created is not None and (watched_since is None or created >= watched_since) else first_seen
        seen = classified is not None and classified - at <= REVIEWED_WITHIN
        acted = review_id is None or (resolved is not None and resolved - at <= REVIEWED_WITHIN)
        on_time += seen and acted
    return Timeliness(days, len(rows), on_time)


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", fold(text)) if w and w not in {"the", "of", "and", "school", "division"}]


def profile_problems(division: Division, config: AccountConfig, profile: AccountProfile) -> list[str]:
    """What the profile lacks: the school's (or the division's) name, a link to its website."""
    problems: list[str] = []
    school = next((s for s in division.schools if s.name == config.school), None)
    owner = school.name if school else division.name
    said = set(_words(f"{profile.name or ''} {profile.description or ''}"))
    if not set(_words(owner)) <= said:
        problems.append(f"the profile's name and bio do not name {owner}")
    expected = (school.website if school else None) or (division.settings.website if not school else None)
    host = (urlsplit(profile.website).hostname or "").lower() if profile.website else ""
    want = (urlsplit(expected).hostname or "").lower() if expected else division.email_domain.lower()
    if not host:
        problems.append("the profile has no website link")
    elif host != want and not host.endswith("." + want):
        problems.append(f"the profile's website link goes to {host}, not {want}")
    return problems


def audit_activity(session: Session, division: Division, now: datetime) -> list[GovernanceFinding]:
    """The rules that need what the monitor has seen: stale accounts, comments not monitored or
    not reviewed in time, failing tokens, the profile and whom the account follows."""
    found: list[GovernanceFinding] = []
    rows = {a.name: a for a in session.scalars(select(Account))}
    profiles = {p.account_id: p for p in session.scalars(select(AccountProfile))}
    for config in division.accounts:
        row = rows.get(config.name)
        if row is None:
            continue

        def gap(rule: str, message: str, clause: str) -> None:
            found.append(GovernanceFinding(config.name, rule, message, clause))

        if row.credential_status != "ok":
            gap("credentials", "the platform refuses the account's credentials; renew them", "AP80-SM Account Management")
        last_post = session.scalar(select(func.max(StoredItem.created_at)).where(StoredItem.account_id == row.id, StoredItem.author_is_account.is_(True)))
        if last_post is not None and now - last_post > STALE_AFTER:
            gap("stale", f"no post since {last_post:%Y-%m-%d}; delete accounts no longer in use", "AP1311 1.2.1.3")
        if config.comments and config.fetch:  # a registered-not-read account is watched by people, not here
            last_ok = session.scalar(select(func.max(RunAccount.finished_at)).where(RunAccount.account_id == row.id, RunAccount.status == "ok"))
            if last_ok is None or now - last_ok > MONITORED_WITHIN:
                gap("comments_monitored", "comments are on but were not fetched in the last 24 hours", "AP1311 1.4.3; AP140C 1.10.2")
            late = [t for t in (review_timeliness(session, row.id, now, 7), review_timeliness(session, row.id, now, 30)) if t.share is not None and t.share < REVIEWED_SHARE]
            if late:
                parts = [f"{t.on_time} of {t.total} comments ({t.share:.0%}) in the last {t.days} days" for t in late if t.share is not None]
                gap("comments_reviewed", f"not every comment was reviewed within 24 hours: {'; '.join(parts)} were", "AP1311 1.4.3")
        if config.platform == "x" and config.fetch and not config.sample_file:
            budget = usage.x_budget(session, division, config, row.id, now)
            if budget.reached:
                gap("x_read_budget", f"X read budget reached for month {budget.month}: {budget.posts_read} posts read (about {budget.cost:.2f} {budget.currency}); "
                    f"the account is not read until {budget.resumes.isoformat()}", "AP1311 1.4.3")
        profile = profiles.get(row.id)
        if profile is not None and profile.fetched_at is not None and profile.error is None:
            problems = profile_problems(division, config, profile)
            if problems:
                gap("profile_identifies", "; ".join(problems), "AP1311 1.2.4; AP193 1.3; AP146 1a")
            if profile.followed_students:
                gap("follows_students", f"the account follows {profile.followed_students} account(s) whose name or handle matches a student on the roster", "AP146 3g; AP1311 1.2.1.2")
    return found


PROFILE_RULES = ("profile_identifies", "follows_students")


def unevaluated(session: Session, division: Division) -> set[tuple[str, str]]:
    """(account, rule) pairs the audit could not judge: no profile fetched yet, the last fetch
    failed, or the platform cannot list whom the account follows. Their open gaps stay open."""
    rows = {a.name: a.id for a in session.scalars(select(Account))}
    profiles = {p.account_id: p for p in session.scalars(select(AccountProfile))}
    unknown: set[tuple[str, str]] = set()
    for config in division.accounts:
        profile = profiles.get(rows.get(config.name, -1))
        if profile is None or profile.fetched_at is None or profile.error is not None:
            unknown.update((config.name, rule) for rule in PROFILE_RULES)
        elif profile.followed_students is None:
            unknown.add((config.name, "follows_students"))
    return unknown


def audit(session: Session, division: Division, now: datetime | None = None) -> list[GovernanceFinding]:
    moment = now or datetime.now(timezone.utc)
    departures = departure_dates(session, division, moment)
    removals = registry_removals(session, division, moment)
    found = [f for account in division.accounts for f in audit_account(division, account, moment.date(), departures, removals.get(account.name))]
    found.extend(audit_activity(session, division, moment))
    return sorted(found, key=lambda f: (f.account, f.rule))


# --- the findings in the review queue ---


@dataclass
class Filing:
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    still_open: list[int] = field(default_factory=list)


def file_findings(session: Session, division: Division, gaps: list[GovernanceFinding], now: datetime, unknown: set[tuple[str, str]] | None = None) -> Filing:
    """Open a review item per new gap, keep open ones current, close those whose rule now passes.

    `unknown` names (account, rule) pairs this audit could not judge (see `unevaluated`): their
    open items are left as they are. Runs in the caller's transaction; every change is audited
    (actor `hallwatch`).
    """
    filing = Filing()
    accounts = {a.name: a for a in session.scalars(select(Account))}
    audited = {a.name for a in division.accounts if a.name in accounts}
    failing = {(g.account, g.rule): g for g in gaps}
    open_rows = list(session.scalars(select(GovernanceFindingRow).where(GovernanceFindingRow.resolved_at.is_(None))))
    by_key = {(r.account.name, r.rule): r for r in open_rows}
    for key, row in by_key.items():
        if key[0] not in audited or key in (unknown or set()):
            continue  # not audited (an account gone from division.yaml, a profile not fetched): left as it was
        gap = failing.get(key)
        review = session.scalar(select(ReviewItem).where(ReviewItem.governance_id == row.id))
        if gap is None:
            row.resolved_at = now
            if review is not None and review.active:
                before = snapshot(review)
                review.state, review.active, review.outcome = "resolved", False, CLOSED_OUTCOME
                review.note = "the audit found the rule met"
                review.resolved_by, review.resolved_at, review.claimed_by = SYSTEM_ACTOR, now, review.claimed_by or SYSTEM_ACTOR
                review.updated_at, review.version = now, review.version + 1
                session.flush()
                audit_review(session, SYSTEM_ACTOR, "resolve", review, before, snapshot(review), now)
            filing.closed.append(review.id if review is not None else -row.id)
        else:
            row.last_seen_at, row.reason, row.clause, row.action = now, gap.message, gap.clause, gap.action
            filing.still_open.append(review.id if review is not None else -row.id)
    for key, gap in failing.items():
        if key in by_key or gap.account not in accounts:
            continue
        account = accounts[gap.account]
        row = GovernanceFindingRow(account_id=account.id, rule=gap.rule, clause=gap.clause, reason=gap.message, action=gap.action, opened_at=now, last_seen_at=now)
        session.add(row)
        session.flush()
        config = division.account(gap.account)
        severity = gap.severity
        review = ReviewItem(
            item_id=None, governance_id=row.id, account_id=account.id, state="open", active=True,
            categories=f",{GOVERNANCE_CATEGORY},", severity=severity, severity_rank=SEVERITY_RANK.get(severity, 1), finding_count=1,
            urgent=False, assignee_roles=list(GAP_ROLES), assignee_emails=emails_for(division, config, GAP_ROLES),
            due_at=(now + GAP_DUE).replace(second=0, microsecond=0), created_at=now, updated_at=now, version=1, note=None,
        )
        session.add(review)
        session.flush()
        audit_review(session, SYSTEM_ACTOR, "route", review, None, {**snapshot(review), "rule": gap.rule, "clause": gap.clause}, now)
        filing.opened.append(review.id)
    return filing


# --- the profile and whom the account follows, fetched about daily ---


def followed_students(roster: Roster, followed: list[tuple[str, str]]) -> int:
    """How many (display name, handle) pairs match a student: the full name, in the name or the handle.

    The same folded 'first last' / 'preferred last' keys as the student_pii detector (classifiers.roster).
    """
    keys = set(roster.full)
    count = 0
    for name, handle in followed:
        words = " ".join(re.split(r"[^a-z0-9]+", fold(name))).strip()
        squashed = re.sub(r"[^a-z0-9]", "", fold(handle))
        padded = f" {words} "
        if any(f" {key} " in padded for key in keys) or any(key.replace(" ", "") in squashed for key in keys if len(key) > 5):
            count += 1
    return count


def refresh_profiles(
    db: Database, division: Division, now: datetime, connector_for: Callable[[AccountRef], Connector] = get_connector, max_age: timedelta = PROFILE_MAX_AGE,
) -> int:
    """Fetch the profile (and, where the platform lists it, whom the account follows) of each
    account not fetched within `max_age`; store counts only, never a followed person's name.
    Returns how many accounts were fetched. A connector without `profile` is skipped."""
    roster: Roster | None = None
    fetched = 0
    with db.transaction() as session:
        rows = {a.name: a for a in session.scalars(select(Account))}
        stored = {p.account_id: p for p in session.scalars(select(AccountProfile))}
    for config in division.accounts:
        row = rows.get(config.name)
        if row is None or not config.fetch:  # registered, not read: there is no API to ask
            continue
        profile = stored.get(row.id)
        if profile is not None and profile.fetched_at is not None and now - profile.fetched_at < max_age:
            continue
        ref = account_ref(division, config)
        connector: Any = connector_for(ref)
        if not hasattr(connector, "profile"):
            continue
        values: dict[str, Any] = {"fetched_at": now, "error": None}
        try:
            found = connector.profile(ref)
            values.update(name=found.name, description=found.description, website=found.website)
            if hasattr(connector, "follows"):
                followed = connector.follows(ref)
                roster = roster or Roster.build(division.directory)
                values.update(followed_checked=len(followed), followed_students=followed_students(roster, [(f.name, f.handle) for f in followed]))
        except ConnectorError as exc:
            values["error"] = str(exc)[:500]
            log.warning("profile of %s not fetched: %s", config.name, exc)
        except Exception as exc:  # noqa: BLE001 - an odd answer must not stop the audit of the other accounts
            values["error"] = f"unreadable answer ({type(exc).__name__})"
            log.warning("profile of %s not read: %s", config.name, type(exc).__name__)
        with db.transaction() as session:
            target = session.get(AccountProfile, row.id) or AccountProfile(account_id=row.id)
            for key, value in values.items():
                setattr(target, key, value)
            session.add(target)
        fetched += 1
    return fetched


def run_governance(
    db: Database, division: Division, now: datetime, connector_for: Callable[[AccountRef], Connector] = get_connector,
) -> tuple[list[GovernanceFinding], Filing]:
    """What `hallwatch governance` and the daily job do: refresh stale profiles, audit, file the findings."""
    for attempt in (1, 2):
        try:
            with db.transaction() as session:
                sync_accounts(session, division)
            break
        except IntegrityError:
            if attempt == 2:  # another process mirrored the registry at the same moment: its rows stand
                raise
    refresh_profiles(db, division, now, connector_for)
    try:
        with db.transaction() as session:
            gaps = audit(session, division, now)
            filing = file_findings(session, division, gaps, now, unevaluated(session, division))
    except IntegrityError:
        # another audit filed the same gaps at the same moment; its result stands, ours is read again
        with db.transaction() as session:
            gaps = audit(session, division, now)
            filing = file_findings(session, division, gaps, now, unevaluated(session, division))
    return gaps, filing


def open_gaps(session: Session, account_ids: list[int] | None = None) -> list[GovernanceFindingRow]:
    """The governance findings still open (for the digest), oldest first."""
    query = select(GovernanceFindingRow).where(GovernanceFindingRow.resolved_at.is_(None))
    if account_ids is not None:
        query = query.where(GovernanceFindingRow.account_id.in_(account_ids or [-1]))
    return list(session.scalars(query.order_by(GovernanceFindingRow.opened_at, GovernanceFindingRow.id)))


__all__ = [
    "GovernanceFinding", "Timeliness", "Filing", "RULES", "audit", "audit_account", "audit_activity", "file_findings",
    "refresh_profiles", "run_governance", "review_timeliness", "open_gaps", "followed_students", "profile_problems",
]

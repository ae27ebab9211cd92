"""The weekly digest: one e-mail per principal for their school, one division summary, each sent once.

What a principal reads on Monday: the school's accounts, the week's new findings by category,
the open and overdue items (links into the queue, never their text), the governance gaps, how
quickly comments were reviewed, and a small chart of this week against the eight before it. The
chart is a PNG made with matplotlib (Agg, no display) and sent inline (Content-ID, in a
multipart/related part), because mail clients do not render SVG; the text part carries the same
numbers. Nothing in a digest names a student or quotes a post: only counts, account names,
rules and links behind the queue's sign-in.

Exactly once: each (week, scope, recipient) has a row in `digests`. A sender claims a row with a
conditional UPDATE (pending, or claimed longer ago than the claim timeout by a sender that
crashed) before it sends, marks it sent only after the SMTP server accepted the message, and
releases it when the server refused, so the next run tries again. Two runs at once claim
disjoint rows. The one window left is a crash after the server accepted a message and before
the row says so: that message goes again after the timeout (at least once, never silently lost).
"""
from __future__ import annotations

import base64
import io
import logging
import re
import smtplib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.config import AccountConfig, Division
from monitor.db import Database
from monitor.errors import HallwatchError
from monitor.governance import open_gaps, review_timeliness
from monitor.models import Account, Digest, Finding, GovernanceFindingRow, ReviewItem
from monitor.notify import CATEGORY_NAMES, TEMPLATES, NotifyError, deliver
from monitor.runs import sync_accounts

log = logging.getLogger("hallwatch.digest")
DIVISION_SCOPE = "division"
WEEKS_CHARTED = 9  # this week and the eight before it
ITEMS_LISTED = 25
TOP_ACCOUNTS = 5
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), keep_trailing_newline=True)


class DigestError(HallwatchError):
    """A digest cannot be made or sent as asked; the message says why."""


# --- weeks, in the division's time zone ---


def parse_week(label: str) -> tuple[int, int]:
    match = WEEK.match(label or "")
    if not match:
        raise DigestError(f"--week: {label!r} is not an ISO week (YYYY-Www, e.g. 2026-W48)")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise DigestError(f"--week: {label} does not exist ({year} has no week {week})") from None
    return year, week


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(division: Division, label: str) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00, local time, as aware datetimes."""
    year, week = parse_week(label)
    zone = ZoneInfo(division.settings.timezone)
    monday = date.fromisocalendar(year, week, 1)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    end_day = monday + timedelta(days=7)
    return start, datetime(end_day.year, end_day.month, end_day.day, tzinfo=zone)


def last_complete_week(division: Division, now: datetime) -> str:
    """The ISO week that ended most recently in the division's time zone (Monday's digest covers it)."""
    local = now.astimezone(ZoneInfo(division.settings.timezone)).date()
    return week_label(local - timedelta(days=7))


def _previous(label: str, weeks: int) -> str:
    year, week = parse_week(label)
    return week_label(date.fromisocalendar(year, week, 1) - timedelta(weeks=weeks))


# --- what a digest says ---


@dataclass(frozen=True)
class AccountLine:
    name: str
    platform: str
    comments: bool
    open: int
    overdue: int


@dataclass(frozen=True)
class ItemLine:
    id: int
    account: str
    what: str
    severity: str
    state: str
    due: str
    overdue: bool
    link: str


@dataclass(frozen=True)
class GapLine:
    account: str
    rule: str
    clause: str
    reason: str
    action: str
    opened: str
    link: str | None


@dataclass(frozen=True)
class ReviewLine:
    account: str
    week: str
    month: str


@dataclass(frozen=True)
class SchoolRow:
    name: str
    accounts: int
    new_findings: int
    open: int
    overdue: int
    gaps: int
    reviewed: str


@dataclass
class DigestContent:
    kind: str  # "school" or "division"
    scope: str
    title: str
    week: str
    period: str
    generated: str
    accounts: list[AccountLine] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    new_findings: int = 0
    open_count: int = 0
    overdue_count: int = 0
    items: list[ItemLine] = field(default_factory=list)
    gaps: list[GapLine] = field(default_factory=list)
    reviews: list[ReviewLine] = field(default_factory=list)
    weekly: list[tuple[str, int]] = field(default_factory=list)
    schools: list[SchoolRow] = field(default_factory=list)
    top_accounts: list[AccountLine] = field(default_factory=list)
    gaps_by_rule: list[tuple[str, str, int]] = field(default_factory=list)
    queue_link: str = ""
    chart_png: bytes = b""

    @property
    def more_items(self) -> int:
        return max(0, self.open_count - len(self.items))


def _share(on_time: int, total: int) -> str:
    return f"{on_time / total:.0%} ({on_time} of {total})" if total else "no comments"


def _accounts_of(division: Division, scope: str) -> list[AccountConfig]:
    if scope == DIVISION_SCOPE:
        return list(division.accounts)
    return [a for a in division.accounts if a.school == scope]


def _weekly_counts(session: Session, division: Division, account_ids: list[int], week: str) -> list[tuple[str, int]]:
    labels = [_previous(week, n) for n in range(WEEKS_CHARTED - 1, -1, -1)]
    first, _ = week_bounds(division, labels[0])
    _, last = week_bounds(division, week)
    zone = ZoneInfo(division.settings.timezone)
    counts: Counter[str] = Counter()
    if account_ids:
        for (created,) in session.execute(select(Finding.created_at).where(Finding.account_id.in_(account_ids), Finding.created_at >= first, Finding.created_at < last)):
            counts[week_label(created.astimezone(zone).date())] += 1
    return [(label, counts[label]) for label in labels]


def build_content(session: Session, division: Division, scope: str, week: str, now: datetime) -> DigestContent:
    """The figures of one digest (a school's, or the division's with scope "division")."""
    zone = ZoneInfo(division.settings.timezone)
    start, end = week_bounds(division, week)
    configs = _accounts_of(division, scope)
    rows = {a.name: a for a in session.scalars(select(Account).where(Account.name.in_([c.name for c in configs] or [""])))}
    ids = [rows[c.name].id for c in configs if c.name in rows]
    names = {rows[c.name].id: c.name for c in configs if c.name in rows}
    local_now = now.astimezone(zone)
    title = f"{scope}: weekly digest" if scope != DIVISION_SCOPE else f"{division.name}: weekly summary"
    content = DigestContent(
        kind="division" if scope == DIVISION_SCOPE else "school", scope=scope, title=title, week=week,
        period=f"{start:%A %d %B %Y} to {(end - timedelta(days=1)):%A %d %B %Y}",
        generated=f"{local_now:%Y-%m-%d %H:%M} {local_now.tzname()}", queue_link=f"{division.base_url}/",
    )
    ids_or_none = ids or [-1]
    week_findings = session.execute(select(Finding.account_id, Finding.category).where(Finding.account_id.in_(ids_or_none), Finding.created_at >= start, Finding.created_at < end)).all()
    by_category = Counter(c for _, c in week_findings)
    findings_per_account = Counter(a for a, _ in week_findings)
    content.by_category = [(CATEGORY_NAMES.get(c, c), n) for c, n in sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))]
    content.new_findings = sum(by_category.values())
    active = list(session.scalars(select(ReviewItem).where(ReviewItem.account_id.in_(ids_or_none), ReviewItem.active.is_(True)).order_by(ReviewItem.due_at, ReviewItem.severity_rank, ReviewItem.id)))
    gap_rules = {g.id: g for g in session.scalars(select(GovernanceFindingRow).where(GovernanceFindingRow.id.in_([r.governance_id for r in active if r.governance_id] or [-1])))}
    per_account: Counter[int] = Counter()
    overdue_per_account: Counter[int] = Counter()
    for review in active:
        per_account[review.account_id] += 1
        overdue_per_account[review.account_id] += review.due_at < now
    content.open_count = len(active)
    content.overdue_count = sum(1 for r in active if r.due_at < now)
    # overdue first, then soonest due: what a principal should chase
    ordered = sorted(active, key=lambda r: (not r.due_at < now, r.due_at, r.severity_rank, r.id))
    for review in ordered[:ITEMS_LISTED]:
        gap = gap_rules.get(review.governance_id) if review.governance_id else None
        what = f"governance: {gap.rule.replace('_', ' ')}" if gap else ", ".join(CATEGORY_NAMES.get(c, c) for c in review.category_list)
        content.items.append(ItemLine(
            review.id, names.get(review.account_id, "?"), what, review.severity, review.state,
            f"{review.due_at.astimezone(zone):%Y-%m-%d %H:%M}", review.due_at < now, f"{division.base_url}/items/{review.id}",
        ))
    lines = [AccountLine(c.name, c.platform, c.comments, per_account[rows[c.name].id] if c.name in rows else 0,
                         overdue_per_account[rows[c.name].id] if c.name in rows else 0) for c in configs]
    content.accounts = lines
    gaps = open_gaps(session, ids)
    reviews_by_gap = {r.governance_id: r.id for r in session.scalars(select(ReviewItem).where(ReviewItem.governance_id.in_([g.id for g in gaps] or [-1])))}
    content.gaps = [GapLine(names.get(g.account_id, "?"), g.rule, g.clause, g.reason, g.action, f"{g.opened_at.astimezone(zone):%Y-%m-%d}",
                            f"{division.base_url}/items/{reviews_by_gap[g.id]}" if g.id in reviews_by_gap else None) for g in gaps]
    # timeliness as of the end of the week covered (or now, while it is still going)
    as_of = min(now, end)
    for config in configs:
        if not config.comments or config.name not in rows:
            continue
        week_t = review_timeliness(session, rows[config.name].id, as_of, 7)
        month_t = review_timeliness(session, rows[config.name].id, as_of, 30)
        content.reviews.append(ReviewLine(config.name, _share(week_t.on_time, week_t.total), _share(month_t.on_time, month_t.total)))
    content.weekly = _weekly_counts(session, division, ids, week)
    if scope == DIVISION_SCOPE:
        content.top_accounts = sorted((a for a in lines if a.open), key=lambda a: (-a.open, -a.overdue, a.name))[:TOP_ACCOUNTS]
        rule_counts = Counter((g.rule, g.clause) for g in gaps)
        content.gaps_by_rule = [(rule, clause, n) for (rule, clause), n in sorted(rule_counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        groups = [(s.name, [c for c in configs if c.school == s.name]) for s in division.schools]
        groups.append((division.settings.office_name, [c for c in configs if c.school is None]))
        for name, members in groups:
            member_ids = [rows[c.name].id for c in members if c.name in rows]
            on_time = total = 0
            for config in members:
                if config.comments and config.name in rows:
                    t = review_timeliness(session, rows[config.name].id, as_of, 7)
                    on_time, total = on_time + t.on_time, total + t.total
            content.schools.append(SchoolRow(
                name, len(members), sum(findings_per_account[i] for i in member_ids),
                sum(per_account[i] for i in member_ids), sum(overdue_per_account[i] for i in member_ids),
                sum(1 for g in gaps if g.account_id in member_ids), _share(on_time, total),
            ))
    content.chart_png = chart(content.weekly, "new findings per week")
    return content


def chart(weekly: list[tuple[str, int]], what: str) -> bytes:
    """A small bar chart, this week highlighted, as PNG bytes (matplotlib's Agg backend: no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.0, 2.2), dpi=100)
    axes = figure.subplots()
    labels = [label.split("-")[1] for label, _ in weekly]
    values = [n for _, n in weekly]
    colours = ["#9aa9b8"] * (len(values) - 1) + ["#1f5f99"]
    bars = axes.bar(labels, values, color=colours)
    axes.bar_label(bars, labels=[str(v) for v in values], fontsize=8)
    axes.set_title(what, fontsize=9, loc="left")
    axes.tick_params(labelsize=8)
    axes.set_ylim(0, max(values + [1]) * 1.25)
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def render(content: DigestContent, chart_src: str) -> tuple[str, str]:
    """(HTML, text) of a digest; `chart_src` is `cid:...` in an e-mail, a data: URI in a preview."""
    context = {"d": content, "chart_src": chart_src}
    return _env.get_template("digest.html").render(context), _env.get_template("digest.txt").render(context)


def preview_html(content: DigestContent) -> str:
    """The HTML part with the chart inline as a data: URI, to open in a browser."""
    html, _ = render(content, "data:image/png;base64," + base64.b64encode(content.chart_png).decode("ascii"))
    return html


def compose(division: Division, content: DigestContent, to: str, now: datetime) -> EmailMessage:
    """text/plain and a multipart/related HTML part with the chart as an inline PNG (Content-ID)."""
    cid = make_msgid(domain=division.email_domain)
    html, text = render(content, "cid:" + cid[1:-1])
    message = EmailMessage()
    message["Subject"] = f"[hallwatch] {content.title}, {content.week}"
    message["From"] = division.smtp.from_address
    message["To"] = to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=division.email_domain)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    html_part = message.get_payload()[1]
    html_part.add_related(content.chart_png, maintype="image", subtype="png", cid=cid, filename="chart.png", disposition="inline")
    return message


# --- who gets which digest, and sending each exactly once ---


def recipients(division: Division) -> list[tuple[str, str]]:
    """(scope, e-mail): each school's principal(s); the Communications Manager and ITS for the division."""
    planned: list[tuple[str, str]] = []
    for school in division.schools:
        # a school without an active principal: its vice principal(s) read the digest meanwhile
        heads = division.staff_with_role("principal", school=school.name) or division.staff_with_role("vice_principal", school=school.name)
        planned.extend((school.name, s.email) for s in heads)
    planned.extend((DIVISION_SCOPE, s.email) for s in division.staff_with_role("communications", "its"))
    return list(dict.fromkeys(planned))  # each (scope, recipient) once, in order


@dataclass
class SendResult:
    week: str
    sent: list[tuple[str, str]] = field(default_factory=list)
    failed: dict[tuple[str, str], str] = field(default_factory=dict)
    already: int = 0


def synced_accounts(db: Database, division: Division) -> None:
    """The registry mirrored into the database; a second process mirroring it at the same moment
    makes the first attempt fail on the unique account name, and the retry finds its rows."""
    for attempt in (1, 2):
        try:
            with db.transaction() as session:
                sync_accounts(session, division)
            return
        except IntegrityError:
            if attempt == 2:
                raise


def _insert_ignore(session: Session, values: list[dict[str, Any]]) -> None:
    if not values:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(Digest).values(values).on_conflict_do_nothing(index_elements=["week", "scope", "recipient"]))


def send_digests(db: Database, division: Division, now: datetime, outbox: Path, week: str | None = None) -> SendResult:
    """Send this week's digests not yet sent; safe to run again, at once, or after a crash."""
    label = week or last_complete_week(division, now)
    parse_week(label)
    result = SendResult(label)
    token = uuid.uuid4().hex
    timeout = timedelta(minutes=division.digest.claim_timeout_minutes)
    planned = recipients(division)
    synced_accounts(db, division)
    with db.transaction() as session:
        _insert_ignore(session, [{"week": label, "scope": scope, "recipient": to, "state": "pending", "attempts": 0, "created_at": now} for scope, to in planned])
    with db.sessions() as session:
        rows = {(d.scope, d.recipient): d.id for d in session.scalars(select(Digest).where(Digest.week == label))}
    contents: dict[str, DigestContent] = {}
    for scope, to in planned:
        digest_id = rows[(scope, to)]
        with db.transaction() as session:
            claimed = session.execute(
                update(Digest)
                .where(Digest.id == digest_id, or_(Digest.state == "pending", (Digest.state == "sending") & (Digest.claimed_at < now - timeout)))
                .values(state="sending", claim_token=token, claimed_at=now, attempts=Digest.attempts + 1)
                .execution_options(synchronize_session=False)
            ).rowcount == 1
        if not claimed:
            result.already += 1
            continue
        try:
            if scope not in contents:
                with db.sessions() as session:
                    contents[scope] = build_content(session, division, scope, label, now)
            message = compose(division, contents[scope], to, now)
            deliver(division, [message], outbox)
        except Exception as exc:
            # refused or unreachable: released for the next run, never marked sent
            error = f"{type(exc).__name__}: {exc}"[:500]
            with db.transaction() as session:
                session.execute(update(Digest).where(Digest.id == digest_id, Digest.claim_token == token)
                                .values(state="pending", claim_token=None, claimed_at=None, last_error=error).execution_options(synchronize_session=False))
            if not isinstance(exc, (OSError, smtplib.SMTPException, NotifyError, HallwatchError)):
                raise
            log.error("digest %s for %s (%s) not sent, will be retried: %s", label, to, scope, error)
            result.failed[(scope, to)] = error
            continue
        with db.transaction() as session:
            session.execute(update(Digest).where(Digest.id == digest_id, Digest.claim_token == token)
                            .values(state="sent", sent_at=now, last_error=None, message_id=message["Message-ID"]).execution_options(synchronize_session=False))
        result.sent.append((scope, to))
        log.info("digest %s sent to %s (%s)", label, to, scope)
    return result


def digest_counts(session: Session, week: str) -> dict[str, int]:
    """How many of a week's digests are in each state (for status output and tests)."""
    return dict(session.execute(select(Digest.state, func.count()).where(Digest.week == week).group_by(Digest.state)).all())  # type: ignore[arg-type]

"""Who must look at a finding, and by when (policies/README.md, "Who works the queue").

A rule matches on category, severity, account and item kind (each optional) and contributes roles,
a due time and urgency. Every matching rule applies: roles are united, the earliest due time wins,
and any urgent rule makes the item urgent (an immediate e-mail, see monitor.notify).

Defaults from the procedures:
- account administrators work their own accounts' findings (AP146 3d);
- comments on accounts with comments on are reviewed within 24 h (AP1311 1.4.3; AP140C 1.10.2);
- media inquiries go to the Communications Manager within 4 h (AP1311 1.5.1);
- high severity also goes to the Communications Manager;
- threats (harassment of high severity) go to the principal too;
- confidential information goes to ITS too (AP80-SM Proper Conduct).

division.yaml may add rules (or replace the defaults) under `routing:`:

    routing:
      default_due_hours: 72
      replace_defaults: false
      rules:
        - {category: student_pii, account: northgate-high-fb, roles: [principal], due_hours: 8}
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config import AccountConfig, Division
from monitor.errors import HallwatchError
from monitor.models import SEVERITY_RANK, Account, AuditEntry, Finding, ReviewItem, StoredItem

ROLES = ("account_admins", "communications_manager", "principal", "its")
SYSTEM_ACTOR = "hallwatch"
DEFAULT_DUE_HOURS = 72


class RoutingConfigError(HallwatchError):
    """division.yaml's routing section is malformed; the message names the field."""


@dataclass(frozen=True)
class Rule:
    roles: tuple[str, ...]
    category: str | None = None
    severity: str | None = None
    account: str | None = None
    kinds: tuple[str, ...] | None = None
    # only accounts that have comments turned on
    comments_on: bool | None = None
    due_hours: float | None = None
    urgent: bool = False

    def matches(self, category: str, severity: str, account: AccountConfig, kind: str) -> bool:
        return (
            (self.category is None or self.category == category)
            and (self.severity is None or self.severity == severity)
            and (self.account is None or self.account == account.name)
            and (self.kinds is None or kind in self.kinds)
            and (self.comments_on is None or self.comments_on == account.comments)
        )


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(roles=("account_admins",)),
    Rule(roles=(), kinds=("comment", "reply"), comments_on=True, due_hours=24),
    Rule(roles=("communications_manager",), category="media_inquiry", due_hours=4, urgent=True),
    Rule(roles=("communications_manager",), severity="high"),
    Rule(roles=("principal", "communications_manager"), category="harassment", severity="high", urgent=True),
    Rule(roles=("its",), category="confidential"),
)


@dataclass(frozen=True)
class Route:
    roles: tuple[str, ...]
    due_hours: float
    urgent: bool


def rules_for(division: Division) -> tuple[list[Rule], float]:
    """The division's rules (defaults plus its own) and the default due time in hours."""
    config: dict[str, Any] = dict(division.routing or {})
    unknown = set(config) - {"default_due_hours", "replace_defaults", "rules"}
    if unknown:
        raise RoutingConfigError(f"division.yaml: routing.{sorted(unknown)[0]}: is not a known setting (default_due_hours, replace_defaults, rules)")
    default_due = config.get("default_due_hours", DEFAULT_DUE_HOURS)
    if not isinstance(default_due, (int, float)) or default_due <= 0:
        raise RoutingConfigError(f"division.yaml: routing.default_due_hours: {default_due!r} is not a positive number of hours")
    rules = [] if config.get("replace_defaults") else list(DEFAULT_RULES)
    for index, raw in enumerate(config.get("rules") or []):
        rules.append(_parse_rule(raw, f"routing.rules[{index}]"))
    return rules, float(default_due)


def _parse_rule(raw: Any, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise RoutingConfigError(f"division.yaml: {where}: must be a mapping")
    known = {"category", "severity", "account", "kinds", "comments_on", "roles", "due_hours", "urgent"}
    for key in raw:
        if key not in known:
            raise RoutingConfigError(f"division.yaml: {where}.{key}: is not a known setting ({', '.join(sorted(known))})")
    roles = raw.get("roles", [])
    if not isinstance(roles, list):
        raise RoutingConfigError(f"division.yaml: {where}.roles: must be a list of {', '.join(ROLES)}")
    for role in roles:
        if role not in ROLES:
            raise RoutingConfigError(f"division.yaml: {where}.roles: {role!r} is not one of {', '.join(ROLES)}")
    if raw.get("severity") not in (None, *SEVERITY_RANK):
        raise RoutingConfigError(f"division.yaml: {where}.severity: {raw['severity']!r} is not low, medium or high")
    due = raw.get("due_hours")
    if due is not None and (not isinstance(due, (int, float)) or due <= 0):
        raise RoutingConfigError(f"division.yaml: {where}.due_hours: {due!r} is not a positive number of hours")
    kinds = raw.get("kinds")
    return Rule(
        roles=tuple(roles), category=raw.get("category"), severity=raw.get("severity"), account=raw.get("account"),
        kinds=tuple(kinds) if kinds else None, comments_on=raw.get("comments_on"), due_hours=due, urgent=bool(raw.get("urgent", False)),
    )


def route_for(division: Division, account: AccountConfig, kind: str, findings: list[tuple[str, str]]) -> Route:
    """The route of an item with these (category, severity) findings."""
    rules, default_due = rules_for(division)
    roles: list[str] = []
    due: float | None = None
    urgent = False
    for category, severity in findings:
        for rule in rules:
            if rule.matches(category, severity, account, kind):
                roles.extend(r for r in rule.roles if r not in roles)
                if rule.due_hours is not None:
                    due = rule.due_hours if due is None else min(due, rule.due_hours)
                urgent = urgent or rule.urgent
    if not roles:
        # a rule set that names nobody must still reach someone: the account's own administrators
        roles.append("account_admins")
    return Route(tuple(roles), due if due is not None else default_due, urgent)


def emails_for(division: Division, account: AccountConfig, roles: tuple[str, ...] | list[str]) -> list[str]:
    """The people behind the roles, for one account; a division account's 'principal' is the superintendent."""
    emails: list[str] = []

    def add(values: list[str]) -> None:
        emails.extend(v.lower() for v in values if v.lower() not in emails)

    for role in roles:
        if role == "account_admins":
            add(list(account.administrators))
        elif role == "communications_manager":
            add([s.email for s in division.staff_with_role("communications")])
        elif role == "its":
            add([s.email for s in division.staff_with_role("its")])
        elif role == "principal":
            if account.school:
                add([s.email for s in division.staff_with_role("principal", school=account.school)])
            else:
                add([s.email for s in division.staff_with_role("superintendent")])
    return emails


def audit(session: Session, actor: str, action: str, item: ReviewItem, before: dict[str, Any] | None, after: dict[str, Any] | None, at: datetime) -> None:
    """One audit entry for a review item, in the caller's transaction."""
    session.add(AuditEntry(at=at, actor=actor, action=action, entity_type="review_item", entity_id=str(item.id), before=before, after=after))


def snapshot(item: ReviewItem) -> dict[str, Any]:
    """What the audit log keeps of a review item: its workflow fields, never the flagged text."""
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "state": item.state, "categories": item.category_list, "severity": item.severity, "due_at": iso(item.due_at),
        "assignee_roles": list(item.assignee_roles or []), "claimed_by": item.claimed_by, "outcome": item.outcome,
        "note": item.note, "urgent": item.urgent, "last_error": item.last_error, "version": item.version,
    }


def route_findings(session: Session, division: Division, findings: list[Finding], now: datetime) -> list[ReviewItem]:
    """Create or update one review item per stored item for these freshly filed findings.

    Returns the review items created (not those updated). An item already in the queue collects the
    new categories, may become more severe or due sooner, and is reopened if it had been resolved
    (an edited post classified again is a new question). Audited in the caller's transaction.
    """
    if not findings:
        return []
    by_item: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_item[finding.item_id].append(finding)
    item_ids = list(by_item)
    existing = {r.item_id: r for r in session.scalars(select(ReviewItem).where(ReviewItem.item_id.in_(item_ids)))}
    stored = {s.id: s for s in session.scalars(select(StoredItem).where(StoredItem.id.in_(item_ids)))}
    accounts = {a.id: a for a in session.scalars(select(Account).where(Account.id.in_({s.account_id for s in stored.values()})))}
    created: list[ReviewItem] = []
    for item_id, group in by_item.items():
        row = stored[item_id]
        account_config = division.account(accounts[row.account_id].name)
        review = existing.get(item_id)
        categories = sorted({f.category for f in group} | set(review.category_list if review else []))
        # every finding ever filed on the item decides its route, not just this batch's
        session.flush()
        all_findings = session.scalars(select(Finding).where(Finding.item_id == item_id)).all()
        pairs = sorted({(f.category, f.severity) for f in all_findings})
        route = route_for(division, account_config, row.kind, pairs)
        severity = min((sev for _, sev in pairs), key=lambda s: SEVERITY_RANK.get(s, 1))
        # to the minute: the queue orders by due time, then severity; seconds must not outrank severity
        due_at = (now + timedelta(hours=route.due_hours)).replace(second=0, microsecond=0)
        values = dict(
            categories="," + ",".join(categories) + ",", severity=severity, severity_rank=SEVERITY_RANK.get(severity, 1),
            finding_count=len({f.id for f in all_findings}),
            assignee_roles=list(route.roles), assignee_emails=emails_for(division, account_config, route.roles), urgent=route.urgent,
        )
        if review is None:
            review = ReviewItem(item_id=item_id, account_id=row.account_id, state="open", active=True, due_at=due_at, created_at=now, updated_at=now, version=1, **values)
            session.add(review)
            session.flush()
            audit(session, SYSTEM_ACTOR, "route", review, None, snapshot(review), now)
            created.append(review)
            continue
        before = snapshot(review)
        for key, value in values.items():
            setattr(review, key, value)
        review.due_at = min(review.due_at, due_at) if review.active else due_at
        if not review.active:
            review.state, review.active, review.outcome, review.note = "open", True, None, None
            review.resolved_at = review.resolved_by = review.claimed_by = review.claimed_at = None
            review.notified_at = None
        review.updated_at, review.version = now, review.version + 1
        session.flush()
        audit(session, SYSTEM_ACTOR, "reroute", review, before, snapshot(review), now)
    return created


def escalate_overdue(session: Session, division: Division, now: datetime) -> list[ReviewItem]:
    """Active items past their due time go to the principal and the Communications Manager; audited."""
    rows = list(session.scalars(
        select(ReviewItem)
        .where(ReviewItem.active.is_(True), ReviewItem.state != "escalated", ReviewItem.due_at < now)
        .order_by(ReviewItem.due_at, ReviewItem.id)
    ))
    names = {a.id: a.name for a in session.scalars(select(Account))}
    for review in rows:
        before = snapshot(review)
        add_escalation(division, review, names[review.account_id])
        review.escalated_at, review.updated_at, review.version = now, now, review.version + 1
        session.flush()
        audit(session, SYSTEM_ACTOR, "escalate_overdue", review, before, snapshot(review), now)
    return rows


def add_escalation(division: Division, review: ReviewItem, account_name: str) -> None:
    """Mark escalated and add the principal and the Communications Manager to the assignees."""
    account_config = division.account(account_name)
    roles = list(review.assignee_roles or [])
    roles.extend(r for r in ("principal", "communications_manager") if r not in roles)
    review.state, review.assignee_roles = "escalated", roles
    review.assignee_emails = emails_for(division, account_config, roles)
    review.claimed_by = review.claimed_at = None

"""The review queue: listing (scoped, keyset-paginated) and the moderators' operations.

Every change names the version of the item the moderator saw; it is applied with
`UPDATE ... WHERE id = :id AND version = :seen` and fails with ConflictError when another
moderator changed the item meanwhile. Each change appends its audit entry in the same transaction.
The web UI and the CLI both call these functions, so the rules and the audit are the same in both.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Text, and_, cast, func, or_, select, union_all, update
from sqlalchemy.orm import Session, joinedload

from connectors.base import AccountRef, Connector
from connectors.registry import get_connector
from monitor.usage import counters as usage_counters
from monitor import actions
from monitor.config import Division
from monitor.db import Database
from monitor.errors import HallwatchError
from monitor.models import OUTCOMES, REVIEW_STATES, SEVERITY_RANK, Account, AuditEntry, Finding, ReviewItem, StoredItem
from monitor.notify import CATEGORY_NAMES, NotifyError, queue_escalation, queue_urgent, send_pending
from monitor.routing import add_escalation, audit, escalate_overdue, snapshot
from monitor.users import Viewer

PAGE_SIZE = 50
ACTIVE_STATES = ("open", "claimed", "escalated")
# outcomes that say the finding was real: the moderator must say what was done
NOTE_REQUIRED = {"confirmed_hidden", "confirmed_deleted", "confirmed_edited", "referred"}
# a dismissal (by button, by the `d` key or in bulk) can be taken back by whoever did it for this long
UNDO_MINUTES = 10
SEARCH_MAX = 200
# the resolved history is counted up to this many ("1000+"); the to-do items are counted exactly
COUNT_CAP = 1000


class QueueError(HallwatchError):
    """A queue operation was refused; the message says why."""


class NotFound(QueueError):
    """No such item, or not one this user may see (the two are indistinguishable on purpose)."""


class PermissionDenied(QueueError):
    pass


class ConflictError(QueueError):
    """Another moderator changed the item since it was read."""


class InvalidInput(QueueError):
    """A form field or CLI argument is wrong; the message names it."""


class ActionFailed(QueueError):
    """The platform action failed; the item stays open and shows the error."""


@dataclass
class Page:
    items: list[ReviewItem]
    next_cursor: str | None
    prev_cursor: str | None = None


@dataclass
class Counts:
    """How many of the viewer's items are in each state, and how many active ones in each category."""

    states: dict[str, int]
    categories: dict[str, int]


def encode_cursor(item: ReviewItem) -> str:
    return f"{item.due_at.strftime('%Y%m%dT%H%M%S%f')}.{item.severity_rank}.{item.id}"


def decode_cursor(cursor: str, field: str = "after") -> tuple[datetime, int, int]:
    try:
        stamp, rank, ident = cursor.split(".")
        return datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=timezone.utc), int(rank), int(ident)
    except ValueError:
        raise InvalidInput(f"{field}: {cursor[:80]!r} is not a page cursor from this queue") from None


def list_items(
    session: Session,
    viewer: Viewer,
    *,
    account: str | None = None,
    category: str | None = None,
    state: str | None = None,
    severity: str | None = None,
    platform: str | None = None,
    assigned_to: str | None = None,
    search: str | None = None,
    after: str | None = None,
    before: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of the viewer's queue, soonest due first, most severe first among equals.

    Keyset pagination on (due_at, severity_rank, id) with the matching composite indexes: a page
    costs the same at 10k and 1M rows. No total count is computed (that would scan everything).
    `after` pages forward, `before` back. `search` matches the item's text or author (case
    aside) and, like every filter, only within the viewer's accounts. `assigned_to` is an e-mail:
    items it has claimed or is named on as an assignee.
    """
    if state is not None and state not in REVIEW_STATES:
        raise InvalidInput(f"state: {state!r} is not one of {', '.join(REVIEW_STATES)}")
    if not 1 <= limit <= 500:
        raise InvalidInput("limit: must be between 1 and 500")
    if after and before:
        raise InvalidInput("after, before: give one page cursor, not both")
    if severity is not None and severity not in SEVERITY_RANK:
        raise InvalidInput(f"severity: {severity!r} is not one of {', '.join(SEVERITY_RANK)}")
    # `active` is always constrained so the (account_id, active, due_at, ...) index serves every filter
    conditions: list[Any] = [ReviewItem.active.is_(state != "resolved")]
    if state is not None:
        conditions.append(ReviewItem.state == state)
    if category:
        if not category.replace("_", "").isalnum():
            raise InvalidInput(f"category: {category!r} is not a category")
        conditions.append(ReviewItem.categories.like(f"%,{category},%"))
    if severity is not None:
        conditions.append(ReviewItem.severity == severity)
    if assigned_to:
        quoted = '%"' + _like_escape(assigned_to.strip().lower()) + '"%'
        conditions.append(or_(ReviewItem.claimed_by == assigned_to.strip().lower(), cast(ReviewItem.assignee_emails, Text).like(quoted, escape="\\")))
    if before:
        due, rank, ident = decode_cursor(before, "before")
        conditions.append(ReviewItem.due_at <= due)
        conditions.append(or_(
            ReviewItem.due_at < due,
            and_(ReviewItem.due_at == due, ReviewItem.severity_rank < rank),
            and_(ReviewItem.due_at == due, ReviewItem.severity_rank == rank, ReviewItem.id < ident),
        ))
    if after:
        due, rank, ident = decode_cursor(after)
        # the leading `due_at >= :due` is implied by the OR below; it lets the index seek to the cursor
        conditions.append(ReviewItem.due_at >= due)
        conditions.append(or_(
            ReviewItem.due_at > due,
            and_(ReviewItem.due_at == due, ReviewItem.severity_rank > rank),
            and_(ReviewItem.due_at == due, ReviewItem.severity_rank == rank, ReviewItem.id > ident),
        ))
    if account:
        account_id = session.scalar(select(Account.id).where(Account.name == account)) if viewer.may_see(account) else None
        if account_id is None:
            raise NotFound(f"account: no account {account!r} in your queue")
        account_ids: list[int] | None = [account_id]
    else:
        account_ids = viewer.account_ids(session)
    if platform:
        on_platform = select(Account.id).where(Account.platform == platform)
        if account_ids is not None:
            on_platform = on_platform.where(Account.id.in_(account_ids or [-1]))
        account_ids = list(session.scalars(on_platform.order_by(Account.id)))
    if search is not None and search.strip():
        conditions.append(_search_condition(search, account_ids))
    ids = _page_ids(session, conditions, account_ids, limit + 1, descending=bool(before))
    more = len(ids) > limit
    ids = ids[:limit]
    if before:
        ids.reverse()
    rows = {r.id: r for r in session.scalars(
        select(ReviewItem).options(joinedload(ReviewItem.item), joinedload(ReviewItem.governance), joinedload(ReviewItem.account)).where(ReviewItem.id.in_(ids or [-1]))
    ).unique()}
    page = [rows[i] for i in ids if i in rows]
    if not page:
        return Page(page, None, None)
    if before:  # walking back: there is more before when the reverse walk found more; the page we came from is after
        return Page(page, encode_cursor(page[-1]), encode_cursor(page[0]) if more else None)
    return Page(page, encode_cursor(page[-1]) if more else None, encode_cursor(page[0]) if after else None)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search_condition(search: str, account_ids: list[int] | None) -> Any:
    """Items whose text or author holds `search`; the stored items looked at are the viewer's accounts' only."""
    words = search.strip()
    if len(words) > SEARCH_MAX:
        raise InvalidInput(f"q: at most {SEARCH_MAX} characters")
    if "\x00" in words:
        raise InvalidInput("q: holds a NUL character")
    pattern = "%" + _like_escape(words.lower()) + "%"
    matching = select(StoredItem.id).where(or_(
        func.lower(StoredItem.text).like(pattern, escape="\\"), func.lower(StoredItem.author_name).like(pattern, escape="\\"),
    ))
    if account_ids is not None:
        matching = matching.where(StoredItem.account_id.in_(account_ids or [-1]))
    return ReviewItem.item_id.in_(matching)


def counts(session: Session, viewer: Viewer) -> Counts:
    """Items per state and active items per category, within the viewer's accounts (the queue's header).

    One grouped pass over the viewer's to-do items (active), which the queue exists to keep few;
    the resolved history is only counted up to COUNT_CAP (shown as "1000+"), so the page does not
    grow slower as the years of records grow.
    """
    account_ids = viewer.account_ids(session)
    scope: list[Any] = [] if account_ids is None else [ReviewItem.account_id.in_(account_ids or [-1])]
    states = {s: 0 for s in REVIEW_STATES}
    per_category: dict[str, int] = {}
    # the distinct (state, category set) pairs of active items are few, so the database groups them
    grouped = select(ReviewItem.state, ReviewItem.categories, func.count()).where(*scope, ReviewItem.active.is_(True)).group_by(ReviewItem.state, ReviewItem.categories)
    for state, joined, n in session.execute(grouped):
        states[state] = states.get(state, 0) + int(n)
        for category in (joined or "").split(","):
            if category:
                per_category[category] = per_category.get(category, 0) + int(n)
    resolved = select(ReviewItem.id).where(*scope, ReviewItem.active.is_(False), ReviewItem.state == "resolved").limit(COUNT_CAP + 1).subquery()
    states["resolved"] = int(session.scalar(select(func.count()).select_from(resolved)) or 0)
    known = [c for c in CATEGORY_NAMES if c in per_category] + sorted(c for c in per_category if c not in CATEGORY_NAMES)
    return Counts(states, {c: per_category[c] for c in known})


ORDER = (ReviewItem.due_at, ReviewItem.severity_rank, ReviewItem.id)
ORDER_DESC = (ReviewItem.due_at.desc(), ReviewItem.severity_rank.desc(), ReviewItem.id.desc())


def _page_ids(session: Session, conditions: list[Any], account_ids: list[int] | None, limit: int, descending: bool = False) -> list[int]:
    """The ids of one page in queue order.

    All accounts: one walk of (active, due_at, severity_rank, id). A scope of some accounts: one
    ordered, limited walk per account on (account_id, active, due_at, ...), merged; a single
    `account_id IN (...)` would make the database sort every active row of those accounts.
    """
    order = ORDER_DESC if descending else ORDER
    if account_ids is None:
        return list(session.scalars(select(ReviewItem.id).where(*conditions).order_by(*order).limit(limit)))
    if not account_ids:
        return []
    if len(account_ids) == 1:
        return list(session.scalars(select(ReviewItem.id).where(*conditions, ReviewItem.account_id == account_ids[0]).order_by(*order).limit(limit)))
    parts = [
        select(ReviewItem.id, ReviewItem.due_at, ReviewItem.severity_rank).where(*conditions, ReviewItem.account_id == a).order_by(*order).limit(limit).subquery()
        for a in account_ids
    ]
    merged = union_all(*[select(p.c.id, p.c.due_at, p.c.severity_rank).select_from(p) for p in parts]).subquery()
    keys = (merged.c.due_at, merged.c.severity_rank, merged.c.id)
    return list(session.scalars(select(merged.c.id).order_by(*(k.desc() for k in keys) if descending else keys).limit(limit)))


def get_item(session: Session, viewer: Viewer, review_id: int) -> ReviewItem:
    """The item if the viewer may see it; NotFound otherwise (never 'forbidden': that would confirm it exists)."""
    review = session.scalars(
        select(ReviewItem).options(joinedload(ReviewItem.item), joinedload(ReviewItem.governance), joinedload(ReviewItem.account)).where(ReviewItem.id == review_id)
    ).first()
    if review is None or not viewer.may_see(review.account.name):
        raise NotFound(f"no review item {review_id} in your queue")
    return review


def deleted_label(review: ReviewItem) -> str | None:
    """"deleted on the platform" when the platform no longer has the item (monitor.records.deletions), else None."""
    if review.item is None or review.item.deleted_at is None:
        return None
    return "deleted on the platform"


def findings_of(session: Session, review: ReviewItem) -> list[Finding]:
    if review.item_id is None:
        return []  # an account-level item: its governance finding is review.governance
    return list(session.scalars(select(Finding).where(Finding.item_id == review.item_id).order_by(Finding.start, Finding.id)))


def findings_by_item(session: Session, reviews: list[ReviewItem]) -> dict[int, list[Finding]]:
    """The findings of a page of items in one query (the queue page highlights every row's evidence)."""
    grouped: dict[int, list[Finding]] = {r.item_id: [] for r in reviews if r.item_id is not None}
    if grouped:
        for finding in session.scalars(select(Finding).where(Finding.item_id.in_(list(grouped))).order_by(Finding.start, Finding.id)):
            grouped[finding.item_id].append(finding)
    return grouped


def reasons_line(findings: list[Finding], most: int = 3) -> str:
    """The findings' plain-language reasons in one line for a queue row, each once, in the order
    found. Reasons hold no flagged text and no name (classifiers.reasons), so a list may show them."""
    seen = list(dict.fromkeys(f.reason for f in findings if f.reason))
    line = "; ".join(seen[:most])
    return line + (f"; and {len(seen) - most} more" if len(seen) > most else "")


def history(session: Session, review: ReviewItem) -> list[AuditEntry]:
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "review_item", AuditEntry.entity_id == str(review.id)).order_by(AuditEntry.id)
    ))


def _change(session: Session, review: ReviewItem, seen_version: int, actor: str, action: str, now: datetime, values: dict[str, Any], extra: dict[str, Any] | None = None) -> ReviewItem:
    """Apply `values` if the item is still at `seen_version`; audit it; ConflictError otherwise."""
    before = snapshot(review)
    result = session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == review.id, ReviewItem.version == seen_version)
        .values(**values, version=seen_version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ConflictError(f"review item {review.id} was changed by someone else since you loaded it; reload and try again")
    session.refresh(review)
    after = snapshot(review)
    if extra:
        after.update(extra)
    audit(session, actor, action, review, before, after, now)
    return review


def _load_for_change(session: Session, viewer: Viewer, review_id: int, version: int | None) -> tuple[ReviewItem, int]:
    review = get_item(session, viewer, review_id)
    return review, review.version if version is None else version


def _check_version(review: ReviewItem, seen: int) -> None:
    if review.version != seen:
        raise ConflictError(f"review item {review.id} was changed by someone else since you loaded it (version {seen}, now {review.version}); reload and try again")


def claim(db: Database, viewer: Viewer, review_id: int, now: datetime, version: int | None = None) -> ReviewItem:
    with db.transaction() as session:
        review, seen = _load_for_change(session, viewer, review_id, version)
        if review.state == "claimed":
            if review.claimed_by == viewer.email:
                return review
            raise ConflictError(f"review item {review_id} is already claimed by {review.claimed_by}")
        if review.state == "resolved":
            raise ConflictError(f"review item {review_id} is resolved")
        _check_version(review, seen)
        return _change(session, review, seen, viewer.email, "claim", now, {"state": "claimed", "claimed_by": viewer.email, "claimed_at": now})


def release(db: Database, viewer: Viewer, review_id: int, now: datetime, version: int | None = None) -> ReviewItem:
    with db.transaction() as session:
        review, seen = _load_for_change(session, viewer, review_id, version)
        if review.state != "claimed":
            raise ConflictError(f"review item {review_id} is not claimed")
        if review.claimed_by != viewer.email and viewer.role not in ("communications_manager", "its_admin"):
            raise PermissionDenied(f"review item {review_id} is claimed by {review.claimed_by}; only they (or the Communications Manager) can release it")
        _check_version(review, seen)
        # an escalated item that was claimed goes back to escalated, not to open
        back = "escalated" if review.escalated_at is not None else "open"
        return _change(session, review, seen, viewer.email, "release", now, {"state": back, "claimed_by": None, "claimed_at": None})


def escalate(db: Database, division: Division, viewer: Viewer, review_id: int, now: datetime, note: str | None = None, version: int | None = None) -> ReviewItem:
    with db.transaction() as session:
        review, seen = _load_for_change(session, viewer, review_id, version)
        if not review.active:
            raise ConflictError(f"review item {review_id} is resolved")
        if review.state == "claimed" and review.claimed_by != viewer.email:
            raise ConflictError(f"review item {review_id} is claimed by {review.claimed_by}")
        _check_version(review, seen)
        if len((note or "").strip()) > 4000:
            raise InvalidInput("note: at most 4000 characters")
        probe = ReviewItem(assignee_roles=list(review.assignee_roles or []))
        add_escalation(division, probe, review.account.name)
        review = _change(session, review, seen, viewer.email, "escalate", now, {
            "state": "escalated", "assignee_roles": probe.assignee_roles, "assignee_emails": probe.assignee_emails,
            "claimed_by": None, "claimed_at": None, "escalated_at": now, "note": (note or "").strip() or review.note,
        })
        # the e-mail is owed in the escalation's own transaction; monitor.notify sends it (and retries)
        queue_escalation(session, review, "escalated", now)
        return review


def _refuse_governance(review: ReviewItem) -> None:
    """A governance gap is closed by fixing it: the next audit that finds the rule met resolves it."""
    if review.is_account_level:
        raise ConflictError(f"review item {review.id} is a governance gap; it closes itself when the next audit finds the rule met (claim it, note it or escalate it meanwhile)")


def validate_resolution(outcome: str, note: str | None) -> str:
    if outcome not in OUTCOMES:
        raise InvalidInput(f"outcome: {outcome!r} is not one of {', '.join(OUTCOMES)}")
    note = (note or "").strip()
    if outcome in NOTE_REQUIRED and not note:
        raise InvalidInput(f"note: a note is required for {outcome} (what was done, and by whom)")
    if len(note) > 4000:
        raise InvalidInput("note: at most 4000 characters")
    return note


def _count_usage(db: Database, account_id: int, spent: dict[str, int], now: datetime) -> None:
    """A platform action's metered cost (YouTube moderation: 50 units) onto the account's counters."""
    with db.transaction() as session:
        usage_counters.add(session, account_id, spent, now)


def resolve(
    db: Database,
    division: Division,
    viewer: Viewer,
    review_id: int,
    outcome: str,
    note: str | None,
    now: datetime,
    version: int | None = None,
    connector_for: Callable[[AccountRef], Connector] = get_connector,
) -> ReviewItem:
    """Resolve with an outcome; hidden/deleted outcomes act on the platform first.

    A failed platform action is recorded (audit + the item's last_error) and the item stays as it
    was, so someone can retry or resolve otherwise; ActionFailed is raised with the error.
    """
    note = validate_resolution(outcome, note)
    with db.sessions() as session:
        review, seen = _load_for_change(session, viewer, review_id, version)
        _refuse_governance(review)
        if not review.active:
            raise ConflictError(f"review item {review_id} is already resolved ({review.outcome})")
        if review.state == "claimed" and review.claimed_by != viewer.email:
            raise ConflictError(f"review item {review_id} is claimed by {review.claimed_by}; claim it first")
        _check_version(review, seen)
        assert review.item is not None
        account_name, kind, platform_id = review.account.name, review.item.kind, review.item.platform_id
        account_id = review.account.id
        already_gone = review.item.deleted_at is not None
    action = actions.ACTION_FOR_OUTCOME.get(outcome)
    if already_gone and outcome == "confirmed_deleted":
        # deleted on the platform already (noticed by a re-read or a webhook): nothing left to delete there
        action = None
    done: str | None = None
    if action is not None and kind != "post":
        # reserve the item before touching the platform: nobody else can claim or resolve it meanwhile
        auto_claimed = None
        with db.transaction() as session:
            review = get_item(session, viewer, review_id)
            if review.state != "claimed":
                auto_claimed = review.state
                _change(session, review, seen, viewer.email, "claim", now, {"state": "claimed", "claimed_by": viewer.email, "claimed_at": now}, {"reason": f"before {action}"})
                seen += 1
        try:
            done = actions.perform(division, account_name, kind, platform_id, action, connector_for, on_usage=lambda spent: _count_usage(db, account_id, spent, now))
        except actions.ActionError as exc:
            values: dict[str, Any] = {"last_error": str(exc)}
            if auto_claimed is not None:
                values.update(state=auto_claimed, claimed_by=None, claimed_at=None)
            with db.transaction() as session:
                review = get_item(session, viewer, review_id)
                _change(session, review, seen, viewer.email, f"action_{action}_failed", now, values, {"action": action, "error": str(exc)})
            raise ActionFailed(str(exc)) from exc
    try:
        return _finish_resolution(db, viewer, review_id, outcome, note, now, seen, action, done)
    except ConflictError:
        if done is None:
            raise
        # the platform changed but the item did not: the action must still be on record
        with db.transaction() as session:
            review = get_item(session, viewer, review_id)
            audit(session, viewer.email, f"action_{action}", review, None, {"action": action, "action_result": done}, now)
        raise ConflictError(f"the platform action was done ({done}), but review item {review_id} was changed meanwhile; reload it and resolve again") from None


def _finish_resolution(db: Database, viewer: Viewer, review_id: int, outcome: str, note: str, now: datetime, seen: int, action: str | None, done: str | None) -> ReviewItem:
    with db.transaction() as session:
        review = get_item(session, viewer, review_id)
        values = {
            "state": "resolved", "active": False, "outcome": outcome, "note": note or None, "resolved_by": viewer.email,
            "resolved_at": now, "last_error": None, "claimed_by": review.claimed_by or viewer.email,
        }
        extra = {"action": action, "action_result": done} if action else None
        if action and done is None:
            extra = {"action": action, "action_result": "posts are not changed from the queue; done by hand"}
        return _change(session, review, seen, viewer.email, "resolve", now, values, extra)


def bulk_dismiss(db: Database, viewer: Viewer, review_ids: list[int], note: str | None, now: datetime) -> tuple[list[int], dict[int, str]]:
    """Dismiss several items; each one on its own terms. Returns (dismissed ids, {id: reason not dismissed})."""
    done: list[int] = []
    refused: dict[int, str] = {}
    for review_id in review_ids:
        try:
            with db.transaction() as session:
                review = get_item(session, viewer, review_id)
                _refuse_governance(review)
                if not review.active:
                    raise ConflictError(f"review item {review_id} is already resolved")
                if review.state == "claimed" and review.claimed_by != viewer.email:
                    raise ConflictError(f"review item {review_id} is claimed by {review.claimed_by}")
                _change(session, review, review.version, viewer.email, "resolve", now, {
                    "state": "resolved", "active": False, "outcome": "dismissed", "note": (note or "").strip() or None,
                    "resolved_by": viewer.email, "resolved_at": now, "claimed_by": review.claimed_by or viewer.email,
                }, {"bulk": True})
            done.append(review_id)
        except QueueError as exc:
            refused[review_id] = str(exc)
    return done, refused


def undo_dismiss(db: Database, viewer: Viewer, review_id: int, now: datetime, version: int | None = None) -> ReviewItem:
    """Take back a dismissal made in the last UNDO_MINUTES by the same user: the item returns to
    the state it had before (open, claimed or escalated, with its note), audited as `undo_dismiss`.

    A stray click or the `d` key must not lose an item; anything older, or done by someone else,
    is a decision on record and stays (reopen it by resolving otherwise is not possible: ask the
    Communications Manager)."""
    with db.transaction() as session:
        review, seen = _load_for_change(session, viewer, review_id, version)
        if review.state != "resolved" or review.outcome != "dismissed":
            raise ConflictError(f"review item {review_id} is not dismissed; there is nothing to undo")
        if review.resolved_by != viewer.email:
            raise PermissionDenied(f"review item {review_id} was dismissed by {review.resolved_by}; only they can undo it")
        if review.resolved_at is None or now - review.resolved_at > timedelta(minutes=UNDO_MINUTES):
            raise ConflictError(f"review item {review_id} was dismissed more than {UNDO_MINUTES} minutes ago; the dismissal stands")
        _check_version(review, seen)
        resolved = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "review_item", AuditEntry.entity_id == str(review.id), AuditEntry.action == "resolve")
            .order_by(AuditEntry.id.desc()).limit(1)
        ).first()
        before = (resolved.before if resolved is not None else None) or {}
        state = before.get("state") if before.get("state") in ACTIVE_STATES else ("escalated" if review.escalated_at else "open")
        claimed = before.get("claimed_by") if state == "claimed" else None
        return _change(session, review, seen, viewer.email, "undo_dismiss", now, {
            "state": state, "active": True, "outcome": None, "resolved_by": None, "resolved_at": None,
            "note": before.get("note"), "claimed_by": claimed, "claimed_at": review.claimed_at if claimed else None,
        })


def escalation_notes(entries: list[AuditEntry]) -> list[str]:
    """The notes moderators gave when escalating, oldest first (a later resolution never hides them)."""
    return [str(e.after["note"]) for e in entries
            if e.action == "escalate" and e.after and e.after.get("note") and e.after.get("note") != (e.before or {}).get("note")]


def escalate_and_notify(db: Database, division: Division, now: datetime, outbox: Path) -> list[int]:
    """Escalate every overdue item, then e-mail the principal and the Communications Manager.

    For `hallwatch queue escalate-overdue` (cron) and the scheduler. The e-mails are queued in the
    escalation's transaction and sent after it commits (with anything else unsent): a mail server
    that is down neither undoes the escalation nor loses its mail, which later passes retry.
    NotifyError when mail is left waiting, after the escalations are committed.
    """
    with db.transaction() as session:
        rows = escalate_overdue(session, division, now)
        for review in rows:
            queue_escalation(session, review, "overdue", now)
        queue_urgent(session, now)  # any pass over the outbox also picks up new urgent items
        ids = [r.id for r in rows]
    report = send_pending(db, division, now, outbox)
    if report.error and report.waiting:
        raise NotifyError(f"{len(ids)} item(s) escalated, but the e-mails were not sent ({report.error}); {report.waiting} e-mail(s) wait in the outbox, retried by every run")
    return ids

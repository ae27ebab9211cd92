"""Legal holds: what a records request or litigation needs is never purged until released.

A hold covers one stored item, or an account's items posted within local dates (either end
open). Holds are never deleted: a release sets `released_at`. Adding and releasing are audited
(AuditEntry `hold_added` / `hold_released`, entity `legal_hold`).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from monitor.config import Division
from monitor.errors import HallwatchError
from monitor.models import Account, AuditEntry, LegalHold, StoredItem


class HoldError(HallwatchError):
    """A hold cannot be added or released as asked; the message names the option."""


def parse_day(value: str, option: str) -> date:
    """A YYYY-MM-DD date from the command line, or HoldError naming the option."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise HoldError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def day_start(division: Division, day: date) -> datetime:
    """Midnight of `day` in the division's time zone, as the instant it is."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(division.settings.timezone))


def item_time() -> ColumnElement[datetime]:
    """When an item was posted (when first seen if the platform did not say): what holds and retention count from."""
    return func.coalesce(StoredItem.created_at, StoredItem.first_seen_at)


def is_held() -> ColumnElement[bool]:
    """True for a StoredItem row any active hold covers (for a WHERE or a selected column)."""
    when = item_time()
    return exists().where(
        LegalHold.released_at.is_(None),
        or_(
            LegalHold.item_id == StoredItem.id,
            and_(
                LegalHold.item_id.is_(None), LegalHold.account_id == StoredItem.account_id,
                or_(LegalHold.from_at.is_(None), when >= LegalHold.from_at),
                or_(LegalHold.to_at.is_(None), when < LegalHold.to_at),
            ),
        ),
    )


def add_hold(session: Session, division: Division, *, reason: str, actor: str, now: datetime, account: str | None = None,
             item_id: int | None = None, from_day: date | None = None, to_day: date | None = None) -> LegalHold:
    """A new hold on an account (optionally between local dates, both inclusive) or on one stored item; audited."""
    reason = (reason or "").strip()
    if not reason:
        raise HoldError("--reason: say why the hold is placed (a records request, a matter number)")
    if len(reason) > 2000:
        raise HoldError("--reason: at most 2000 characters")
    if (account is None) == (item_id is None):
        raise HoldError("name either --account A or --item ID (not both)")
    if from_day and to_day and to_day < from_day:
        raise HoldError(f"--to: {to_day.isoformat()} is before --from {from_day.isoformat()}")
    hold = LegalHold(reason=reason, created_by=actor, created_at=now)
    if account is not None:
        division.account(account)  # UnknownAccount names division.yaml
        row = session.scalar(select(Account).where(Account.name == account))
        if row is None:
            raise HoldError(f"--account: {account!r} has no stored items yet (run hallwatch init or run first)")
        hold.account_id = row.id
        hold.from_at = day_start(division, from_day) if from_day else None
        hold.to_at = day_start(division, to_day + timedelta(days=1)) if to_day else None
    else:
        if from_day or to_day:
            raise HoldError("--from/--to: a hold on one item covers the whole item; dates go with --account")
        item = session.get(StoredItem, item_id)
        if item is None:
            raise HoldError(f"--item: no stored item {item_id}")
        hold.item_id, hold.account_id = item.id, item.account_id
    session.add(hold)
    session.flush()
    session.add(AuditEntry(at=now, actor=actor, action="hold_added", entity_type="legal_hold", entity_id=str(hold.id), before=None,
                           after=describe(hold, division)))
    return hold


def release_hold(session: Session, division: Division, hold_id: int, *, actor: str, now: datetime) -> LegalHold:
    """End a hold; what it covered is purged again by the next purge its rules allow. Audited."""
    hold = session.get(LegalHold, hold_id)
    if hold is None:
        raise HoldError(f"no legal hold {hold_id} (hallwatch hold list)")
    if hold.released_at is not None:
        raise HoldError(f"legal hold {hold_id} was already released on {hold.released_at.astimezone(ZoneInfo(division.settings.timezone)):%Y-%m-%d}")
    before = describe(hold, division)
    hold.released_at, hold.released_by = now, actor
    session.flush()
    session.add(AuditEntry(at=now, actor=actor, action="hold_released", entity_type="legal_hold", entity_id=str(hold.id),
                           before=before, after=describe(hold, division)))
    return hold


def list_holds(session: Session, *, include_released: bool = False) -> list[LegalHold]:
    query = select(LegalHold).order_by(LegalHold.id)
    if not include_released:
        query = query.where(LegalHold.released_at.is_(None))
    return list(session.scalars(query))


def covered_count(session: Session, hold: LegalHold) -> int:
    """How many stored items the hold covers now."""
    if hold.item_id is not None:
        return 1
    when = item_time()
    query = select(func.count()).select_from(StoredItem).where(StoredItem.account_id == hold.account_id)
    if hold.from_at is not None:
        query = query.where(when >= hold.from_at)
    if hold.to_at is not None:
        query = query.where(when < hold.to_at)
    return int(session.scalar(query) or 0)


def describe(hold: LegalHold, division: Division) -> dict[str, object]:
    """A hold as the audit log and `hold list` show it: local dates, no item text."""
    zone = ZoneInfo(division.settings.timezone)
    last_day = (hold.to_at.astimezone(zone) - timedelta(days=1)).date().isoformat() if hold.to_at else None
    return {
        "account": hold.account.name if hold.account is not None else None, "item_id": hold.item_id,
        "from": hold.from_at.astimezone(zone).date().isoformat() if hold.from_at else None, "to": last_day,
        "reason": hold.reason, "created_by": hold.created_by, "released_by": hold.released_by,
        "released_at": hold.released_at.isoformat() if hold.released_at else None,
    }

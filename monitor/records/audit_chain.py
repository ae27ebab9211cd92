"""The tamper-evident audit log: every row carries the hash of the row before it.

`row_hash` is SHA-256 over a canonical serialisation of the row (sorted-key JSON, ASCII-escaped,
no spaces) of its id, time (UTC ISO 8601), actor, action, entity type and id, before, after and
`prev_hash`; the first row's `prev_hash` is 64 zeros. Changing a byte of a row changes its hash
(a "hash mismatch"); removing or inserting a row breaks the next row's link ("broken link").

The hash is set in one place for every insert, a `before_flush` hook on every Session, so the many
`session.add(AuditEntry(...))` call sites need not know about it. The hook gives each new row its
id itself (it must be known to be hashed) and reads the last row's hash under a lock that holds
until the transaction ends, so two concurrent writers never chain onto the same row: on
PostgreSQL a transaction-level advisory lock, on SQLite the database write lock (BEGIN IMMEDIATE
when the transaction has not written yet). Inserts that bypass the ORM (Core `insert()`, raw SQL)
are not hashed here; the project has none, and `hallwatch audit verify` would name such a row.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, event, select, text
from sqlalchemy.orm import Session

from monitor.models import AuditEntry

GENESIS = "0" * 64
# the advisory lock of audit writers: "hwaudit" in ASCII as a number (the run lock is "hallwat")
AUDIT_LOCK_KEY = int.from_bytes(b"hwaudit", "big")


def utc_iso(value: datetime) -> str:
    """The time as hashed: UTC, ISO 8601; a naive time is taken as UTC (as the database reads it back)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()


def canonical(entry_id: int, at: datetime, actor: str, action: str, entity_type: str, entity_id: str,
              before: Any, after: Any, prev_hash: str) -> bytes:
    """The bytes a row's hash is taken over. A format other tools may re-implement: keep it stable."""
    record = {
        "id": entry_id, "at": utc_iso(at), "actor": actor, "action": action,
        "entity_type": entity_type, "entity_id": entity_id, "before": before, "after": after, "prev_hash": prev_hash,
    }
    return json.dumps(record, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")


def hash_of(entry_id: int, at: datetime, actor: str, action: str, entity_type: str, entity_id: str,
            before: Any, after: Any, prev_hash: str) -> str:
    return hashlib.sha256(canonical(entry_id, at, actor, action, entity_type, entity_id, before, after, prev_hash)).hexdigest()


def entry_hash(entry: AuditEntry, prev_hash: str) -> str:
    return hash_of(entry.id, entry.at, entry.actor, entry.action, entry.entity_type, entry.entity_id, entry.before, entry.after, prev_hash)


def _as_stored(value: Any) -> Any:
    # what the JSON column gives back: tuples become lists, keys become strings
    return None if value is None else json.loads(json.dumps(value, allow_nan=False))


def _lock(connection: Connection) -> None:
    """Hold the audit log's write lock until this transaction ends."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        dbapi = connection.connection.dbapi_connection
        if dbapi is not None and not dbapi.in_transaction:
            # the write lock now, before reading the last row (a deferred BEGIN would read first)
            dbapi.execute("BEGIN IMMEDIATE")
        else:
            # a transaction open but maybe not written to yet (a SAVEPOINT was its first statement):
            # a write statement that matches no row takes the write lock all the same
            connection.exec_driver_sql("DELETE FROM audit_log WHERE 0")


def last_link(connection: Connection) -> tuple[int, str]:
    """The id and hash of the newest row (0 and the genesis hash for an empty log)."""
    row = connection.execute(select(AuditEntry.id, AuditEntry.row_hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    if row is None:
        return 0, GENESIS
    return row[0], row[1] or GENESIS


def _next_id(connection: Connection, last_id: int) -> int:
    if connection.dialect.name == "postgresql":
        # from the serial sequence, so the id is never handed out twice; moved on if it lags
        value = int(connection.execute(text("SELECT nextval(pg_get_serial_sequence('audit_log', 'id'))")).scalar_one())
        if value <= last_id:
            value = int(connection.execute(text("SELECT setval(pg_get_serial_sequence('audit_log', 'id'), :v)"), {"v": last_id + 1}).scalar_one())
        return value
    return last_id + 1


def chain_new_entries(session: Session, entries: list[AuditEntry]) -> None:
    """Give `entries` (new, in the order they were added) their ids, prev_hash and row_hash."""
    if not entries:
        return
    connection = session.connection()
    _lock(connection)
    last_id, prev = last_link(connection)
    for entry in entries:
        entry.at = (entry.at or datetime.now(timezone.utc))
        entry.at = entry.at.replace(tzinfo=timezone.utc) if entry.at.tzinfo is None else entry.at.astimezone(timezone.utc)
        entry.before, entry.after = _as_stored(entry.before), _as_stored(entry.after)
        entry.entity_id = str(entry.entity_id)
        last_id = _next_id(connection, last_id)
        entry.id = last_id
        entry.prev_hash = prev
        entry.row_hash = entry_hash(entry, prev)
        prev = entry.row_hash


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEntry) and obj.row_hash is None]
    new.sort(key=lambda obj: getattr(obj._sa_instance_state, "insert_order", 0) or 0)
    chain_new_entries(session, new)


@dataclass(frozen=True)
class Break:
    """The first row that does not match: which, when, and what differs."""

    entry_id: int
    at: datetime | None
    kind: str  # "hash mismatch" | "broken link" | "no hash" | "anchor missing" | "anchor mismatch"
    detail: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_break: Break | None
    head_id: int | None
    head_hash: str | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _rows(session: Session, batch: int = 1000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        page = list(session.scalars(select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(batch)))
        if not page:
            return
        yield from page
        last = page[-1].id
        session.expunge_all()


def verify_chain(session: Session) -> ChainReport:
    """Walk the whole log in id order; stop at the first row whose hash or link does not match."""
    prev = GENESIS
    checked = 0
    head: tuple[int | None, str | None] = (None, None)
    for entry in _rows(session):
        if not entry.row_hash or not entry.prev_hash:
            return ChainReport(checked, Break(entry.id, entry.at, "no hash", "the row has no prev_hash/row_hash (written around the hook?)"), *head)
        if entry.prev_hash != prev:
            detail = (f"its prev_hash {entry.prev_hash[:16]}… is not the hash of the row before it ({prev[:16]}…): "
                      "a row before it was removed, inserted or changed")
            return ChainReport(checked, Break(entry.id, entry.at, "broken link", detail), *head)
        expected = entry_hash(entry, entry.prev_hash)
        if expected != entry.row_hash:
            detail = f"the stored row_hash {entry.row_hash[:16]}… is not the hash of its contents ({expected[:16]}…): the row was changed"
            return ChainReport(checked, Break(entry.id, entry.at, "hash mismatch", detail), *head)
        prev = entry.row_hash
        checked += 1
        head = (entry.id, entry.row_hash)
    return ChainReport(checked, None, *head)


def check_anchor(session: Session, entry_id: int, row_hash: str) -> Break | None:
    """Is the row an export named as the log's newest (its `audit_head`) still there, unchanged?

    A chain cannot show rows cut from its end; an anchor kept outside the database can."""
    entry = session.get(AuditEntry, entry_id)
    if entry is None:
        return Break(entry_id, None, "anchor missing", "the row an export recorded as the newest is gone: rows were removed from the log")
    if entry.row_hash != row_hash:
        return Break(entry.id, entry.at, "anchor mismatch",
                     f"its row_hash {(entry.row_hash or '-')[:16]}… is not the {row_hash[:16]}… an export recorded: the log was rewritten from here")
    return None

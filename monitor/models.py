"""The database schema as typed SQLAlchemy models. Alembic migrations in monitor/migrations follow it."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, ForeignKeyConstraint, Index, Integer, String, Text, TypeDecorator, UniqueConstraint, event
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from connectors.items import Author, Item, Media


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """Every datetime stored is UTC and comes back timezone-aware, from SQLite as from PostgreSQL.

    SQLite keeps no zone, so without this each reader would have to remember to add it back.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Account(Base):
    """A registered account, mirrored from division.yaml on every run."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    platform: Mapped[str] = mapped_column(String(20))
    handle: Mapped[str] = mapped_column(String(200))
    school: Mapped[str | None] = mapped_column(String(200))
    comments_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # "ok" or "failing": a token error marks the account until a fetch succeeds again
    credential_status: Mapped[str] = mapped_column(String(20), default="ok")
    credential_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Cursor(Base):
    """Where the next fetch of an account starts; moves only in the transaction that stores its items."""

    __tablename__ = "cursors"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredItem(Base):
    """A post, comment or reply (connectors.items.Item) as stored."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("account_id", "platform_id", name="uq_items_account_platform_id"),
        Index("ix_items_pending", "account_id", "classified_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    platform_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    parent_platform_id: Mapped[str | None] = mapped_column(String(200))
    author_platform_id: Mapped[str | None] = mapped_column(String(200))
    author_name: Mapped[str] = mapped_column(String(300), default="")
    author_is_account: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime | None]
    permalink: Mapped[str | None] = mapped_column(Text)
    media: Mapped[list[Any]] = mapped_column(default=list)
    consent_tag: Mapped[str | None] = mapped_column(String(20))
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    # set in the transaction that files the item's findings; NULL means classification is pending
    classified_at: Mapped[datetime | None]
    # records (monitor.records): the current version's number (older ones are in item_versions),
    # since when it is seen and the platform's own time of it (a webhook's), so an older delivery
    # never overwrites newer text
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    version_seen_at: Mapped[datetime | None]
    platform_changed_at: Mapped[datetime | None]
    # when the platform was noticed no longer to have it, and how ("re-read" or "webhook")
    deleted_at: Mapped[datetime | None]
    deleted_how: Mapped[str | None] = mapped_column(String(20))
    # set when retention blanked the item (a tombstone: counts and findings' categories stay)
    purged_at: Mapped[datetime | None]

    account: Mapped[Account] = relationship()

    @classmethod
    def from_item(cls, item: Item, account_id: int, run_id: int | None) -> "StoredItem":
        return cls(
            account_id=account_id,
            platform=item.platform,
            platform_id=item.platform_id,
            kind=item.kind,
            parent_platform_id=item.parent_id,
            author_platform_id=item.author.platform_id,
            author_name=item.author.name,
            author_is_account=item.author.is_account,
            text=item.text,
            created_at=item.created_at,
            permalink=item.permalink,
            media=[m.to_dict() for m in item.media],
            consent_tag=item.consent_tag,
            raw=item.raw,
            first_run_id=run_id,
        )

    def to_item(self, account_name: str) -> Item:
        return Item(
            platform=self.platform,
            platform_id=self.platform_id,
            account=account_name,
            kind=self.kind,  # type: ignore[arg-type]
            text=self.text,
            author=Author(name=self.author_name, platform_id=self.author_platform_id, is_account=self.author_is_account),
            created_at=self.created_at,
            parent_id=self.parent_platform_id,
            permalink=self.permalink,
            media=[Media.from_dict(m) for m in self.media or []],
            consent_tag=self.consent_tag,
            raw=self.raw or {},
        )


class Run(Base):
    """One monitoring cycle (`hallwatch run` or a scheduler tick)."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # running | ok | partial (some accounts failed) | failed
    status: Mapped[str] = mapped_column(String(20), default="running")
    trigger: Mapped[str] = mapped_column(String(20), default="cli")
    accounts: Mapped[list["RunAccount"]] = relationship(back_populates="run", order_by="RunAccount.id")


class RunAccount(Base):
    """What one run did for one account: counts, API calls, rate-limit events, the error if any."""

    __tablename__ = "run_accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="running")  # ok | failed
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    new_items: Mapped[int] = mapped_column(Integer, default=0)
    classified: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[int] = mapped_column(Integer, default=0)
    api_calls: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[list[Any]] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None]

    run: Mapped[Run] = relationship(back_populates="accounts")
    account: Mapped[Account] = relationship()


class Finding(Base):
    """One thing a classifier flagged on an item (classifiers.findings.Finding, stored)."""

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_account_category", "account_id", "category"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(40))
    score: Mapped[float] = mapped_column(Float)
    start: Mapped[int | None]
    end: Mapped[int | None]
    label: Mapped[str | None] = mapped_column(String(40))
    clause: Mapped[str] = mapped_column(String(200), default="")
    severity: Mapped[str] = mapped_column(String(10), default="medium")
    # the classifier's plain-language why (classifiers.findings.Finding.reason): no name, no flagged text
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the item's version the finding was made on (StoredItem.version at filing time)
    item_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    item: Mapped[StoredItem] = relationship()
    account: Mapped[Account] = relationship()


class ItemVersion(Base):
    """An earlier version of a stored item: what it said and showed, and when it was seen so (monitor.records.versions)."""

    __tablename__ = "item_versions"
    __table_args__ = (UniqueConstraint("item_id", "version", name="uq_item_versions_item_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    media: Mapped[list[Any]] = mapped_column(default=list)
    seen_from: Mapped[datetime]
    seen_until: Mapped[datetime | None]
    # the platform's time of this version when it said (a webhook delivery's), else NULL
    platform_time: Mapped[datetime | None]
    why: Mapped[str] = mapped_column(String(200), default="edited on the platform")


class LegalHold(Base):
    """Nothing it covers is purged until it is released (monitor.records.holds).

    Either one stored item (`item_id`), or an account's items created in [from_at, to_at)
    (either end open); the ends are UTC instants of the division's local dates.
    """

    __tablename__ = "legal_holds"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    from_at: Mapped[datetime | None]
    to_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(200))

    account: Mapped[Account | None] = relationship()


class AuditEntry(Base):
    """Append-only: who did what, when, and the state before and after. Triggers refuse UPDATE/DELETE."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(60))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # the hash chain (monitor.records.audit_chain sets both on every insert; `hallwatch audit verify`)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class AuditLogIsAppendOnly(Exception):
    pass


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_audit_change(mapper, connection, target) -> None:  # noqa: ANN001
    raise AuditLogIsAppendOnly("audit_log is append-only")


# --- the review queue (monitor/routing.py, monitor/queue.py, monitor/web) ---

# open or claimed or escalated items are "active"; the queue view lists those by default
REVIEW_STATES = ("open", "claimed", "resolved", "escalated")
OUTCOMES = ("dismissed", "confirmed_hidden", "confirmed_deleted", "confirmed_edited", "referred")
# lower sorts first: the queue shows the most severe of equally due items first, on an ascending index
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
USER_ROLES = ("its_admin", "communications_manager", "principal", "account_admin")


class ReviewItem(Base):
    """One stored item that needs a human look: all of its findings, who must act, and by when.

    `version` grows on every change; a change names the version it read and fails if another
    moderator changed the item meanwhile (see monitor.queue), so nothing is overwritten silently.
    """

    __tablename__ = "review_items"
    __table_args__ = (
        # the queue list: keyset over (due_at, severity_rank, id) within the active items,
        # within one state, or within one account (see monitor.queue.list_items)
        Index("ix_review_active_due", "active", "due_at", "severity_rank", "id"),
        Index("ix_review_state_due", "state", "due_at", "severity_rank", "id"),
        Index("ix_review_account_due", "account_id", "active", "due_at", "severity_rank", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # a stored item's review, or (item_id NULL) an account-level governance finding's
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), unique=True)
    governance_id: Mapped[int | None] = mapped_column(ForeignKey("governance_findings.id", ondelete="CASCADE"), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12), default="open")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # comma-wrapped (",student_pii,harassment,") so one category filters with LIKE
    categories: Mapped[str] = mapped_column(String(400), default=",")
    severity: Mapped[str] = mapped_column(String(10), default="medium")
    severity_rank: Mapped[int] = mapped_column(Integer, default=1)
    finding_count: Mapped[int] = mapped_column(Integer, default=0)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    assignee_roles: Mapped[list[Any]] = mapped_column(default=list)
    assignee_emails: Mapped[list[Any]] = mapped_column(default=list)
    due_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]
    # the last failed platform action, shown on the item until an action succeeds
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    item: Mapped[StoredItem | None] = relationship()
    governance: Mapped["GovernanceFindingRow | None"] = relationship()
    account: Mapped[Account] = relationship()

    @property
    def is_account_level(self) -> bool:
        """A governance finding about the account itself: no post, no text, no permalink."""
        return self.item_id is None

    @property
    def category_list(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]


class User(Base):
    """Someone who signs in to the web queue (or acts in the CLI with --as)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(30))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # added with `users add --external`: not in staff.csv, so the directory check does not apply
    external: Mapped[bool] = mapped_column(Boolean, default=False)
    last_sign_in_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebSession(Base):
    """A signed-in browser. The cookie holds a random id; only its SHA-256 is stored, so a copy of
    the database signs nobody in. Ended (ended_at set) by sign-out, a password change, disabling
    the user, or the user turning inactive in staff.csv; expired by `ends_at` or idleness."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_id", "ended_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(120), default="")


class LoginThrottle(Base):
    """Failed sign-ins counted per account (the e-mail typed, known or not) and per client address.
    After a few failures each further attempt waits a delay that doubles, up to a cap; kept in the
    database so every `hallwatch serve` process sees the same counts."""

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_login_throttles_kind_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "account" or "address"
    key: Mapped[str] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]


class OutboxMessage(Base):
    """One e-mail owed about a review item: an urgent notice or an escalation (monitor.notify).

    A row is written in the transaction that makes the mail due (the escalation itself, or the sweep
    that picks up newly urgent items), so a mail server that is down loses nothing: every later run
    or scheduler tick retries what is unsent. Each row is marked sent right after the server accepts
    it. A sender leases a row (`claimed_until`) before sending, so two processes never send it at
    once. The message is composed at send time; nothing of its text is stored here.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (
        # one message per event: the same escalation or urgent notice is never queued twice
        UniqueConstraint("review_id", "reason", "event_at", name="uq_mail_outbox_event"),
        Index("ix_mail_outbox_state", "state", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"), index=True)
    # urgent | overdue (escalated by escalate-overdue) | escalated (by a moderator)
    reason: Mapped[str] = mapped_column(String(20))
    event_at: Mapped[datetime]
    # pending | sent | skipped (the item was resolved first, or has nobody to tell)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None]
    # the last failure, naming the server (host:port), never a password
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_until: Mapped[datetime | None]

# --- governance findings and the weekly digest (monitor/governance.py, monitor/digest.py) ---

GOVERNANCE_CATEGORY = "governance"


class GovernanceFindingRow(Base):
    """One failing governance rule on one account, from the audit that found it until one that passes.

    At most one is open (resolved_at NULL) per (account, rule); a rule failing again after it was
    resolved opens a new row, so the history of each gap stays readable.
    """

    __tablename__ = "governance_findings"
    __table_args__ = (
        # one open finding per (account, rule), even when two audits run at once
        Index("ix_governance_open", "account_id", "rule", unique=True, sqlite_where=sql_text("resolved_at IS NULL"), postgresql_where=sql_text("resolved_at IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(40))
    clause: Mapped[str] = mapped_column(String(200), default="")
    # plain language: what is wrong, and what to do about it
    reason: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    account: Mapped[Account] = relationship()


class AccountProfile(Base):
    """The account's own profile on the platform (name, bio, website), fetched about daily."""

    __tablename__ = "account_profiles"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(Text)
    # how many followed accounts matched a roster student (None: the platform cannot list them)
    followed_students: Mapped[int | None] = mapped_column(Integer)
    followed_checked: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


DIGEST_STATES = ("pending", "sending", "sent")


class Digest(Base):
    """One weekly digest for one recipient: claimed before it is sent, marked sent once the server took it.

    `scope` is a school's name or "division". The unique (week, scope, recipient) row is what makes
    the send exactly-once across repeated runs, concurrent processes and crashes (monitor.digest).
    """

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("week", "scope", "recipient", name="uq_digests_week_scope_recipient"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(8))  # ISO week, "2026-W48"
    scope: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    claim_token: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- items set aside (monitor/runs.py): one bad item never blocks the items and accounts after it ---

QUARANTINE_STAGES = ("store", "classify")


class QuarantinedItem(Base):
    """An item that could not be stored or classified, with why, and when it is tried again.

    `store`: the database refused the row (the item is kept here as ASCII-escaped JSON, so even a
    value the items table cannot hold is not lost, and is stored from here once the cause is
    fixed); `classify`: the analyzer raised on it (the item is stored, `item_id`, and stays
    pending). `reason` is the exception's type and a redacted message (monitor.redact), never text.
    Later runs retry it when `next_retry_at` has come, with a doubling back-off; `hallwatch
    quarantine retry` retries at once. A retry that succeeds sets `resolved_at`; the row stays as history.
    """

    __tablename__ = "quarantine"
    __table_args__ = (
        UniqueConstraint("account_id", "platform_id", "stage", name="uq_quarantine_account_item_stage"),
        Index("ix_quarantine_open", "account_id", "resolved_at", "next_retry_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    platform_id: Mapped[str] = mapped_column(Text)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_retry_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    account: Mapped[Account] = relationship()


# --- what the platforms count against an account (monitor/usage): X posts read per month, YouTube quota per day ---


class ApiUsage(Base):
    """How much of a metered API one account used in one period: `x_posts_read` per calendar month
    (UTC, "2026-12"), `youtube_quota_units` per day as Google counts it (Pacific time, "2026-12-01").
    Added in the same transaction as the fetch's items and cursor, so a failed fetch counts nothing."""

    __tablename__ = "api_usage"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    amount: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredMedia(Base):
    """A photo of an item fetched at ingest (monitor.media), kept under the data directory for review.

    One row per (item, position): `position` is the 0-based index in the item's `media` list.
    `path` is relative to the data directory and named from the SHA-256 of the bytes, never the
    platform's file name; NULL while no fetch has succeeded. `error` is the last failure, redacted
    (no URL, no token); `attempts` counts tries, bounded (monitor.media.store.MAX_ATTEMPTS).
    Rows go with their item (ON DELETE CASCADE); the files go with monitor.media.store.delete_item_media.
    An edit that puts another photo at a position starts this row over; the photo it held is kept for
    the earlier version in ArchivedMedia first (monitor.media.archive).
    """

    __tablename__ = "stored_media"
    __table_args__ = (UniqueConstraint("item_id", "position", name="uq_stored_media_item_position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    source_url: Mapped[str] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(40))
    bytes: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_tried_at: Mapped[datetime | None]



class ArchivedMedia(Base):
    """A stored photo of an earlier version of an item, kept when an edit replaced it (monitor.media.archive).

    One row per (item, version, position): `version` is the ItemVersion it was shown in, `position`
    its place in that version's `media` list; the file fields are copied from the stored_media row
    at the moment a fetch replaced it, so the file stays on disk for that version's record (export,
    PDF) until retention purges the item. The same bytes kept for two versions, or still the current
    photo, are one file with several rows; a file goes only when no row of either table points at it.

    A table of its own rather than a version column on stored_media: stored_media stays one row per
    (item, position), the photo now on the platform, which the item page, the photo route, `queue
    show`, thumbnails, the classifier's input and the fetch queue all read; none of them changes,
    and the migration only adds a table, touching no existing row. Rows go with their item version
    (a foreign key on (item_id, version), ON DELETE CASCADE, so with their item too); the files go
    with monitor.media.store.delete_item_media.
    """

    __tablename__ = "archived_media"
    __table_args__ = (
        UniqueConstraint("item_id", "version", "position", name="uq_archived_media_item_version_position"),
        ForeignKeyConstraint(["item_id", "version"], ["item_versions.item_id", "item_versions.version"], ondelete="CASCADE",
                             name="fk_archived_media_item_version"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    source_url: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    bytes: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[datetime | None]
    archived_at: Mapped[datetime] = mapped_column(default=utcnow)


# every audit row is hash-chained as it is flushed: the hook lives with the chain's code
import monitor.records.audit_chain  # noqa: E402,F401

"""E-mail about review items: urgent notices (media inquiries, threats) and escalations.

Mail is never lost and rarely doubled. A message owed is a row of `mail_outbox`, written in the
transaction that makes it due: the escalation itself (monitor.queue), or the sweep that picks up
items routing made urgent (`queue_urgent`). `send_pending` then sends what is unsent, one message
at a time, and marks each sent right after the server accepts it, so a server that refuses or
drops the connection mid-batch neither loses the rest nor doubles the ones before. Every run,
scheduler tick and `queue escalate-overdue` retries what is left; the last failure (naming the
server, never the password) shows in `hallwatch status`. A row is leased before it is sent, so two
processes never send the same message; only a crash between the server's acceptance and the mark
can double one, and its Message-ID is the same on the retry so mail clients can fold the two.

The message says what kind of item, on which account, how many findings and by when (local time),
with a link to the item in the web queue. It never carries the flagged text, a moderator's note or
any name from them: the e-mail may be read on a phone or forwarded, the queue is behind a sign-in.
Plain text with an HTML twin. Without an SMTP host the messages are written as .eml files.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from types import TracebackType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from monitor.config import Division
from monitor.db import Database
from monitor.errors import HallwatchError, UnknownAccount
from monitor.models import Account, OutboxMessage, ReviewItem
from monitor.routing import emails_for

log = logging.getLogger("hallwatch.notify")
TEMPLATES = Path(__file__).with_name("web") / "templates" / "email"
CATEGORY_NAMES = {
    "student_pii": "student personal information", "photo_no_consent": "photo without media consent",
    "student_tagged": "student tagged in a photo", "harassment": "harassment or threat", "media_inquiry": "media inquiry",
    "personal_info": "personal information", "confidential": "confidential information", "personal_use": "personal use of a division account",
    "governance": "governance gap on the account",
}
# why a message is owed: routing made the item urgent, escalate-overdue escalated it, a moderator did
REASONS = ("urgent", "overdue", "escalated")
SMTP_TIMEOUT = 30
# how long a sender owns a message it is sending; a sender that died frees it after this
LEASE = timedelta(minutes=10)
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), keep_trailing_newline=True)


class NotifyError(HallwatchError):
    """E-mail could not be delivered; the message names the server, never a password."""


@dataclass(frozen=True)
class Notice:
    review_id: int
    account: str
    platform: str
    categories: list[str]
    severity: str
    finding_count: int
    due_at: datetime  # in the division's time zone
    reason: str  # one of REASONS
    link: str


@dataclass
class MailReport:
    """What one pass over the outbox did; `error` is the last failure (host:port and the server's answer)."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    waiting: int = 0
    error: str | None = None


def local_zone(division: Division) -> tzinfo:
    try:
        return ZoneInfo(division.settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def recipients(division: Division, review: ReviewItem, account_name: str, reason: str) -> list[str]:
    """Media inquiries: the Communications Manager; threats and escalations: the principal too."""
    roles: list[str] = []
    categories = review.category_list
    if reason in ("overdue", "escalated") or "harassment" in categories and review.severity == "high":
        roles = ["principal", "communications_manager"]
    elif "media_inquiry" in categories:
        roles = ["communications_manager"]
    try:
        config = division.account(account_name)
    except UnknownAccount:
        # the account left division.yaml after the item was filed: its assignees still hear of it
        return list(review.assignee_emails or [])
    return emails_for(division, config, roles) or list(review.assignee_emails or [])


def compose(division: Division, notice: Notice, to: list[str], now: datetime, message_id: str | None = None) -> EmailMessage:
    context = {"n": notice, "division": division.name, "category_names": [CATEGORY_NAMES.get(c, c) for c in notice.categories]}
    message = EmailMessage()
    what = {"overdue": "Overdue", "escalated": "Escalated"}.get(notice.reason, "Urgent")
    message["Subject"] = f"[hallwatch] {what}: {', '.join(context['category_names'])} on {notice.account} (item {notice.review_id})"
    message["From"] = division.smtp.from_address
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id or make_msgid(domain=division.email_domain)
    message.set_content(_env.get_template("notice.txt").render(context))
    message.add_alternative(_env.get_template("notice.html").render(context), subtype="html")
    return message


class Mailer:
    """One SMTP connection (STARTTLS and login when configured), opened on the first message and
    reopened once if the server drops it; or, with no host, .eml files in `outbox`."""

    def __init__(self, division: Division, outbox: Path) -> None:
        self.division, self.outbox = division, outbox
        self.client: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        smtp = self.division.smtp
        return f"{smtp.host}:{smtp.port}" if smtp.host else str(self.outbox)

    def describe(self, exc: BaseException) -> str:
        """host:port, the exception and the server's answer; a password that somehow got in is blanked."""
        text = f"{self.where}: {type(exc).__name__}: {exc}"
        password = self.division.smtp_password()
        return text.replace(password, "***") if password else text

    def _connect(self) -> smtplib.SMTP:
        smtp = self.division.smtp
        assert smtp.host
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT)
        try:
            if smtp.starttls:
                client.starttls(context=ssl.create_default_context())
            password = self.division.smtp_password()
            if smtp.username and password:
                client.login(smtp.username, password)
        except BaseException:
            client.close()
            raise
        return client

    def send(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        """Hand one message over; returns the recipients the server refused (the others got it)."""
        if not self.division.smtp.host:
            self.outbox.mkdir(parents=True, exist_ok=True)
            name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
            # the same Message-ID on a retry rewrites the same file: never two copies
            (self.outbox / f"{name}.eml").write_bytes(bytes(message))
            return {}
        return self.open().send_message(message)

    def open(self) -> smtplib.SMTP:
        if self.client is None:
            self.client = self._connect()
        return self.client

    def drop(self) -> None:
        """Forget a connection the server closed or broke; the next message opens a new one."""
        if self.client is not None:
            try:
                self.client.close()
            finally:
                self.client = None

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.drop()

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def deliver(division: Division, messages: list[EmailMessage], outbox: Path) -> None:
    """Send composed messages at once (SMTP, or .eml files without a host); raises on the first failure.

    For mail that is not tied to a review item (digests). Review-item mail goes through the outbox.
    """
    if not messages:
        return
    with Mailer(division, outbox) as mailer:
        for message in messages:
            mailer.send(message)
    log.info("sent %d message(s) through %s", len(messages), mailer.where)


def notice_for(division: Division, review: ReviewItem, account: Account, reason: str) -> Notice:
    return Notice(
        review.id, account.name, account.platform, review.category_list, review.severity, review.finding_count,
        review.due_at.astimezone(local_zone(division)), reason, f"{division.base_url}/items/{review.id}",
    )


# --- the outbox ---

def queue_escalation(session: Session, review: ReviewItem, reason: str, now: datetime) -> None:
    """Owe the principal and the Communications Manager an e-mail about this escalation, in the
    caller's transaction (the one that escalates), so the mail cannot be lost if the server is down."""
    assert reason in ("overdue", "escalated")
    session.add(OutboxMessage(review_id=review.id, reason=reason, event_at=review.escalated_at or now, state="pending", created_at=now, attempts=0))


def queue_urgent(session: Session, now: datetime) -> int:
    """Owe one e-mail per urgent active item not yet queued; `notified_at` marks it queued.

    Routing sets `urgent` (and clears `notified_at` when it reopens an item) in the transaction that
    files the findings; this sweep turns that into outbox rows. One conditional UPDATE ... RETURNING
    takes the items, so two sweeps at once queue each item once (and on SQLite the transaction
    starts by writing, waiting for the lock rather than failing on a stale read).
    """
    ids = sorted(session.scalars(
        update(ReviewItem)
        .where(ReviewItem.urgent.is_(True), ReviewItem.active.is_(True), ReviewItem.notified_at.is_(None))
        .values(notified_at=now)
        .returning(ReviewItem.id)
        .execution_options(synchronize_session=False)
    ))
    for review_id in ids:
        session.add(OutboxMessage(review_id=review_id, reason="urgent", event_at=now, state="pending", created_at=now, attempts=0))
    session.flush()
    return len(ids)


def _claim(db: Database, message_id: int, now: datetime) -> bool:
    with db.transaction() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.state == "pending",
                   (OutboxMessage.claimed_until.is_(None)) | (OutboxMessage.claimed_until < now))
            .values(claimed_until=now + LEASE, attempts=OutboxMessage.attempts + 1, last_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def _settle(db: Database, message_id: int, now: datetime, *, state: str = "pending", error: str | None = None) -> None:
    """Record the outcome of one attempt at once: sent (or skipped), or back to pending with the error."""
    values: dict[str, object] = {"state": state, "claimed_until": None, "last_error": error}
    if state == "sent":
        values["sent_at"] = now
    with db.transaction() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values).execution_options(synchronize_session=False))


def _prepare(db: Database, division: Division, message_id: int, now: datetime) -> EmailMessage | str:
    """The message to send, composed from the item as it is now; or why there is nothing to send."""
    with db.sessions() as session:
        row = session.get(OutboxMessage, message_id)
        review = session.get(ReviewItem, row.review_id) if row else None
        if row is None or review is None:
            return "the review item is gone"
        if not review.active:
            return "the item was resolved before the e-mail could be sent"
        account = session.get(Account, review.account_id)
        assert account is not None
        to = recipients(division, review, account.name, row.reason)
        if not to:
            return "nobody to tell (no active principal or Communications Manager in staff.csv)"
        # stable across retries: a message doubled by a crash after the server took it folds in mail clients
        stable_id = f"<hallwatch.{row.reason}.{row.id}.{int(row.event_at.timestamp())}@{division.email_domain}>"
        return compose(division, notice_for(division, review, account, row.reason), to, now, stable_id)


def pending_ids(db: Database, limit: int = 500) -> list[int]:
    with db.sessions() as session:
        return list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.state == "pending").order_by(OutboxMessage.id).limit(limit)))


def send_pending(db: Database, division: Division, now: datetime, outbox: Path) -> MailReport:
    """Send every unsent message, oldest first, each marked sent as soon as the server accepts it.

    A refusal of one message (a 451 or 550 answer) is recorded on it and the next is tried; a
    connection the server drops is reopened once; a server that cannot be reached ends the pass.
    What was not sent stays pending for the next pass. Raises only if the database fails.
    """
    report = MailReport()
    ids = pending_ids(db)
    with Mailer(division, outbox) as mailer:
        reconnects = 1  # a connection the server drops mid-batch is reopened once for the rest
        for message_id in ids:
            if not _claim(db, message_id, now):
                continue  # another process is sending it, or has sent it
            prepared = _prepare(db, division, message_id, now)
            if isinstance(prepared, str):
                _settle(db, message_id, now, state="skipped", error=prepared)
                report.skipped += 1
                continue
            try:
                if division.smtp.host:
                    mailer.open()
            except (OSError, smtplib.SMTPException) as exc:
                # the server cannot be reached (or refuses the login): the rest wait for the next pass
                report.failed, report.error = report.failed + 1, mailer.describe(exc)
                _settle(db, message_id, now, error=report.error)
                break
            try:
                refused = mailer.send(prepared)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                # the server refused this message (a 451 or 550 answer); the connection is still good unless it said 421
                report.failed, report.error = report.failed + 1, mailer.describe(exc)
                _settle(db, message_id, now, error=report.error)
                if getattr(mailer.client, "sock", None) is None:
                    mailer.drop()
                continue
            except (OSError, smtplib.SMTPException) as exc:
                report.failed, report.error = report.failed + 1, mailer.describe(exc)
                _settle(db, message_id, now, error=report.error)
                mailer.drop()
                if reconnects:
                    reconnects -= 1
                    continue
                break
            note = f"{mailer.where}: refused for {len(refused)} recipient(s): {', '.join(sorted(refused))}" if refused else None
            _settle(db, message_id, now, state="sent", error=note)
            report.sent += 1
    report.waiting = count_waiting(db)
    if report.sent or report.failed:
        log.info("e-mail: %d sent, %d failed, %d waiting (%s)", report.sent, report.failed, report.waiting, mailer.where)
    if report.error:
        log.warning("e-mail not sent: %s", report.error)
    return report


def count_waiting(db: Database) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "pending")) or 0


def notify_urgent(db: Database, division: Division, now: datetime, outbox: Path) -> int:
    """Queue an e-mail for each urgent item not yet queued, then send what is unsent; returns how many went."""
    with db.transaction() as session:
        queue_urgent(session, now)
    return send_pending(db, division, now, outbox).sent


def outbox_for(db: Database, division: Division, data_dir: Path | None = None) -> Path:
    """Where .eml files go: beside the SQLite database (so --data-dir is honoured), else the data directory."""
    if data_dir is None and db.engine.url.get_backend_name() == "sqlite" and db.engine.url.database not in (None, "", ":memory:"):
        return Path(db.engine.url.database).parent / "outbox"
    return division.data_dir(data_dir) / "outbox"


def notify_after_run(db: Database, division: Division, now: datetime, data_dir: Path | None = None) -> int:
    """What a run calls once findings are routed: urgent notices queued, every unsent e-mail tried.

    Never raises: a mail server or database problem must not fail monitoring; what was not sent
    stays in the outbox for the next call. Returns how many messages were sent.
    """
    try:
        return notify_urgent(db, division, now, outbox_for(db, division, data_dir))
    except Exception as exc:  # noqa: BLE001 - monitoring goes on; the type is enough to go on with
        # the exception's text is not logged: a database error's text can quote the row it was writing
        log.error("e-mails not sent this time (%s); they stay queued for the next run", type(exc).__name__)
        return 0


def mail_status(session: Session, division: Division) -> str:
    """One line for `hallwatch status`: what waits in the outbox and the last failure, if any."""
    zone = local_zone(division)
    waiting, oldest = session.execute(
        select(func.count(), func.min(OutboxMessage.created_at)).where(OutboxMessage.state == "pending")
    ).one()
    where = f"{division.smtp.host}:{division.smtp.port}" if division.smtp.host else "as .eml files: no SMTP host"
    if not waiting:
        last = session.scalar(select(func.max(OutboxMessage.sent_at)))
        return f"e-mail: nothing waiting ({where})" + (f"; last sent {last.astimezone(zone):%Y-%m-%d %H:%M %Z}" if last else "")
    failing = session.scalars(
        select(OutboxMessage).where(OutboxMessage.state == "pending", OutboxMessage.last_error.is_not(None))
        .order_by(OutboxMessage.last_attempt_at.desc()).limit(1)
    ).first()
    line = f"e-mail: {waiting} waiting since {oldest.astimezone(zone):%Y-%m-%d %H:%M %Z}"
    if failing is not None and failing.last_attempt_at is not None:
        line += f"; last failure {failing.last_attempt_at.astimezone(zone):%Y-%m-%d %H:%M %Z}: {failing.last_error}"
    return line + "; retried by every run and scheduler tick"

"""Immediate e-mail for urgent review items (media inquiries, threats) and escalations.

The message says what kind of item, on which account, how many findings and by when, with a link
to the item in the web queue. It never carries the flagged text or any name from it: the e-mail
may be read on a phone or forwarded, the queue is behind a sign-in. Plain text with an HTML twin.
Without an SMTP host the messages are written as .eml files under the data directory.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select, update

from monitor.config import Division
from monitor.db import Database
from monitor.errors import HallwatchError
from monitor.models import Account, ReviewItem
from monitor.routing import emails_for

log = logging.getLogger("hallwatch.notify")
TEMPLATES = Path(__file__).with_name("web") / "templates" / "email"
CATEGORY_NAMES = {
    "student_pii": "student personal information", "photo_no_consent": "photo without media consent",
    "student_tagged": "student tagged in a photo", "harassment": "harassment or threat", "media_inquiry": "media inquiry",
    "personal_info": "personal information", "confidential": "confidential information", "personal_use": "personal use of a division account",
    "governance": "governance gap on the account",
}
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
    due_at: datetime
    reason: str  # "urgent" or "overdue"
    link: str


def recipients(division: Division, review: ReviewItem, account_name: str, reason: str) -> list[str]:
    """Media inquiries: the Communications Manager; threats and escalations: the principal too."""
    config = division.account(account_name)
    roles: list[str] = []
    categories = review.category_list
    if reason == "overdue" or "harassment" in categories and review.severity == "high":
        roles = ["principal", "communications_manager"]
    elif "media_inquiry" in categories:
        roles = ["communications_manager"]
    return emails_for(division, config, roles) or list(review.assignee_emails or [])


def compose(division: Division, notice: Notice, to: list[str], now: datetime) -> EmailMessage:
    context = {"n": notice, "division": division.name, "category_names": [CATEGORY_NAMES.get(c, c) for c in notice.categories]}
    message = EmailMessage()
    what = "Overdue" if notice.reason == "overdue" else "Urgent"
    message["Subject"] = f"[hallwatch] {what}: {', '.join(context['category_names'])} on {notice.account} (item {notice.review_id})"
    message["From"] = division.smtp.from_address
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=division.email_domain)
    message.set_content(_env.get_template("notice.txt").render(context))
    message.add_alternative(_env.get_template("notice.html").render(context), subtype="html")
    return message


def deliver(division: Division, messages: list[EmailMessage], outbox: Path) -> None:
    """SMTP (STARTTLS and login when configured) or, with no host, .eml files in `outbox`."""
    if not messages:
        return
    smtp = division.smtp
    if not smtp.host:
        outbox.mkdir(parents=True, exist_ok=True)
        for message in messages:
            name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
            (outbox / f"{name}.eml").write_bytes(bytes(message))
        log.info("wrote %d message(s) to %s (no SMTP host configured)", len(messages), outbox)
        return
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
        if smtp.starttls:
            client.starttls(context=ssl.create_default_context())
        password = division.smtp_password()
        if smtp.username and password:
            client.login(smtp.username, password)
        for message in messages:
            client.send_message(message)
    log.info("sent %d message(s) through %s:%d", len(messages), smtp.host, smtp.port)


def notice_for(division: Division, review: ReviewItem, account: Account, reason: str) -> Notice:
    due = review.due_at
    return Notice(
        review.id, account.name, account.platform, review.category_list, review.severity, review.finding_count, due, reason,
        f"{division.base_url}/items/{review.id}",
    )


def notify_urgent(db: Database, division: Division, now: datetime, outbox: Path) -> int:
    """Send one e-mail per urgent item not yet notified; marks them notified only after delivery."""
    with db.sessions() as session:
        rows = list(session.scalars(
            select(ReviewItem).where(ReviewItem.urgent.is_(True), ReviewItem.active.is_(True), ReviewItem.notified_at.is_(None)).order_by(ReviewItem.id)
        ))
        accounts = {a.id: a for a in session.scalars(select(Account))}
        batch = [(r.id, compose(division, notice_for(division, r, accounts[r.account_id], "urgent"), to, now))
                 for r in rows if (to := recipients(division, r, accounts[r.account_id].name, "urgent"))]
    deliver(division, [m for _, m in batch], outbox)
    if batch:
        with db.transaction() as session:
            session.execute(update(ReviewItem).where(ReviewItem.id.in_([i for i, _ in batch])).values(notified_at=now).execution_options(synchronize_session=False))
    return len(batch)


def notify_escalated(division: Division, items: list[tuple[ReviewItem, Account]], now: datetime, outbox: Path) -> int:
    messages = [compose(division, notice_for(division, r, a, "overdue"), to, now) for r, a in items if (to := recipients(division, r, a.name, "overdue"))]
    deliver(division, messages, outbox)
    return len(messages)


def outbox_for(db: Database, division: Division, data_dir: Path | None = None) -> Path:
    """Where .eml files go: beside the SQLite database (so --data-dir is honoured), else the data directory."""
    if data_dir is None and db.engine.url.get_backend_name() == "sqlite" and db.engine.url.database not in (None, "", ":memory:"):
        return Path(db.engine.url.database).parent / "outbox"
    return division.data_dir(data_dir) / "outbox"


def notify_after_run(db: Database, division: Division, now: datetime, data_dir: Path | None = None) -> int:
    """What a run calls once its findings are routed: urgent e-mails, never failing the run itself."""
    try:
        return notify_urgent(db, division, now, outbox_for(db, division, data_dir))
    except (OSError, smtplib.SMTPException) as exc:
        # the items stay un-notified and go out with the next run; the message names no secret
        log.error("urgent e-mails not sent: %s: %s", type(exc).__name__, exc)
        return 0

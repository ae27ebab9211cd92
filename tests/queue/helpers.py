"""Building blocks for queue tests: the example division, stored items with findings, users."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.orm import Session

from monitor.config import Division, load_division
from monitor.db import Database
from monitor.models import Finding, ReviewItem, StoredItem
from monitor.routing import route_findings
from monitor.runs import sync_accounts
from monitor.users import add_user

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "example"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
# a student name from the example roster; it must never leave the database in e-mails or logs
STUDENT_TEXT = "Congrats to Oliver Mbeki in grade 4 at Willow Creek!"
STUDENT_NAME = "Oliver Mbeki"
PASSWORD = "correct horse battery"

# account -> (school, principal) in the example division
WILLOW = "willow-creek-elementary-fb"
NORTHGATE = "northgate-high-fb"
DIVISION_FB = "prairie-hills-sd-fb"
COMMS = "marcus.delacroix@prairiehills-sd.ca"
ITS = "tessa.nakamura@prairiehills-sd.ca"
WILLOW_PRINCIPAL = "helena.vasquez@prairiehills-sd.ca"
WILLOW_ADMIN = "claire.dubois@prairiehills-sd.ca"
NORTHGATE_PRINCIPAL = "beatrice.langford@prairiehills-sd.ca"
NORTHGATE_ADMIN = "henry.calloway@prairiehills-sd.ca"


def example_division() -> Division:
    return load_division(EXAMPLE)


_counter = iter(range(1, 10**9))


def add_item(
    session: Session,
    division: Division,
    account: str,
    findings: list[tuple[str, str]],
    *,
    kind: str = "comment",
    text: str = STUDENT_TEXT,
    platform_id: str | None = None,
    now: datetime = NOW,
    span: tuple[int, int] | None = (12, 24),
) -> tuple[StoredItem, list[Finding]]:
    accounts = sync_accounts(session, division)
    acc = accounts[account]
    item = StoredItem(
        account_id=acc.id, platform=acc.platform, platform_id=platform_id or f"p{next(_counter)}", kind=kind,
        author_name="Someone", text=text, permalink=f"https://example.invalid/{account}/post", classified_at=now,
    )
    session.add(item)
    session.flush()
    filed = []
    for category, severity in findings:
        f = Finding(item_id=item.id, account_id=acc.id, category=category, score=0.9, start=span[0] if span else None,
                    end=span[1] if span else None, label="STUDENT_NAME", clause="AP1311 1.3.6", severity=severity, created_at=now,
                    reason="a student's full name from the roster")
        session.add(f)
        filed.append(f)
    session.flush()
    return item, filed


def routed_item(db: Database, division: Division, account: str, findings: list[tuple[str, str]], **kwargs) -> ReviewItem:  # noqa: ANN003
    with db.transaction() as session:
        _, filed = add_item(session, division, account, findings, **kwargs)
        created = route_findings(session, division, filed, kwargs.get("now", NOW))
        assert len(created) == 1
        return created[0]


def make_user(db: Database, division: Division, email: str, role: str, password: str = PASSWORD) -> None:
    with db.transaction() as session:
        add_user(session, division, email, email.split("@")[0], role, password, "test", NOW)

"""Building blocks for the records tests: a division with retention rules, stored items of any age."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from monitor.config import Division, load_division
from monitor.models import Finding, ItemVersion, ReviewItem, StoredItem
from monitor.runs import sync_accounts

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "example"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
WILLOW = "willow-creek-elementary-fb"
NORTHGATE = "northgate-high-fb"
COMMS = "marcus.delacroix@prairiehills-sd.ca"
WILLOW_ADMIN = "claire.dubois@prairiehills-sd.ca"

RETENTION = """
retention:
  default:
    without_findings_days: 90
    resolved_days: 365
  accounts:
    northgate-high-fb:
      without_findings_days: 30
  categories:
    harassment: 730
"""


def division_with(tmp_path: Path, retention: str = RETENTION) -> tuple[Path, Division]:
    """A copy of the example division with `retention` appended to division.yaml."""
    target = tmp_path / "config"
    shutil.copytree(EXAMPLE, target)
    path = target / "division.yaml"
    path.write_text(path.read_text(encoding="utf-8") + retention, encoding="utf-8")
    return target, load_division(target)


@pytest.fixture
def retention_division(tmp_path: Path) -> Division:
    return division_with(tmp_path)[1]


_ids = iter(range(1, 10**9))


def stored(session: Session, division: Division, account: str, *, age_days: float, text: str = "Great game tonight, Ava Okafor!",
           classified: bool = True, kind: str = "comment") -> StoredItem:
    """An item posted `age_days` before NOW, with a raw payload, an author and one earlier version."""
    acc = sync_accounts(session, division)[account]
    posted = NOW - timedelta(days=age_days)
    item = StoredItem(
        account_id=acc.id, platform=acc.platform, platform_id=f"r{next(_ids)}", kind=kind, author_name="Ava's Mom",
        author_platform_id="9001", text=text, created_at=posted, first_seen_at=posted, permalink="https://example.invalid/p",
        media=[{"type": "photo", "url": "https://example.invalid/a.jpg", "alt_text": None, "tagged": ["Ava Okafor"]}],
        raw={"message": text}, classified_at=posted if classified else None, version=2,
    )
    session.add(item)
    session.flush()
    session.add(ItemVersion(item_id=item.id, version=1, text=text + " (before the edit)", media=[], seen_from=posted, seen_until=posted))
    session.flush()
    return item


def with_review(session: Session, item: StoredItem, category: str, *, resolved_days_ago: float | None) -> ReviewItem:
    """A finding of `category` on the item and its review item, resolved `resolved_days_ago` (None: still open)."""
    session.add(Finding(item_id=item.id, account_id=item.account_id, category=category, score=0.9, start=0, end=5,
                        label="STUDENT_NAME", clause="AP1311 1.3.6", severity="medium", created_at=NOW))
    resolved = NOW - timedelta(days=resolved_days_ago) if resolved_days_ago is not None else None
    review = ReviewItem(item_id=item.id, account_id=item.account_id, state="resolved" if resolved else "open", active=resolved is None,
                        categories=f",{category},", due_at=NOW, outcome="dismissed" if resolved else None, resolved_at=resolved,
                        resolved_by=COMMS if resolved else None)
    session.add(review)
    session.flush()
    return review

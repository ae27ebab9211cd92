"""Building blocks for queue tests: the example division, stored items with findings, users."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.orm import Session

from monitor.config import Division, load_division
from monitor.db import Database
from monitor.models import Finding, ReviewItem, StoredItem, StoredMedia, utcnow
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


# a photo post on Willow Creek's account naming and tagging students with every consent state of
# the example roster, a comment on it and a reply to the comment (the item page's whole context)
PHOTO_POSTED = datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc)  # 09:00 in the division (America/Edmonton)
PHOTO_TEXT = "Art show winners! Well done Oliver Mbeki and Sofia Castellanos."
PHOTO_ALT = "Two students holding their paintings in the gym"
PHOTO_TAGS = ["Harper Lindqvist", "Noah Fairweather", "Zed Quillfeather"]


def store_photo(db: Database, division: Division, item_id: int, position: int = 0, data_dir: Path | None = None) -> Path:
    """A photo of the item as the monitor keeps it after a fetch (a shipped demo image, no real child),
    under the data directory the web app and the CLI look in; returns the stored file."""
    from connectors.sample import SAMPLE_IMAGES
    from monitor.media.store import data_root, write_file

    data = next(iter(sorted(SAMPLE_IMAGES.glob("*.png")))).read_bytes()
    root = data_root(db, division, data_dir)
    relative, digest = write_file(root, data, "image/png")
    with db.transaction() as session:
        session.add(StoredMedia(item_id=item_id, position=position, source_url=f"https://cdn.example/{position}", path=relative, sha256=digest,
                                content_type="image/png", bytes=len(data), attempts=1, fetched_at=utcnow()))
    return root / relative


def photo_thread(db: Database, division: Division, now: datetime = NOW) -> dict[str, ReviewItem]:
    """The photo post (with photo_no_consent and student_tagged findings), plus a flagged comment and reply under it."""
    with db.transaction() as session:
        acc = sync_accounts(session, division)[WILLOW]
        post = StoredItem(
            account_id=acc.id, platform=acc.platform, platform_id=f"photo{next(_counter)}", kind="post", author_name="Willow Creek Elementary",
            author_is_account=True, text=PHOTO_TEXT, created_at=PHOTO_POSTED, permalink="https://example.invalid/photo", classified_at=now,
            media=[{"type": "photo", "url": "https://example.invalid/art.jpg", "alt_text": PHOTO_ALT, "tagged": PHOTO_TAGS},
                   {"type": "photo", "url": "https://example.invalid/art2.jpg", "alt_text": None, "tagged": []}],
        )
        session.add(post)
        session.flush()
        comment = StoredItem(
            account_id=acc.id, platform=acc.platform, platform_id=f"{post.platform_id}-c", kind="comment", parent_platform_id=post.platform_id,
            author_name="Pat Neighbour", text="you are all losers", created_at=PHOTO_POSTED, classified_at=now,
        )
        session.add(comment)
        session.flush()
        reply = StoredItem(
            account_id=acc.id, platform=acc.platform, platform_id=f"{post.platform_id}-r", kind="reply", parent_platform_id=comment.platform_id,
            author_name="Willow Creek Elementary", author_is_account=True, text="Please keep comments kind, losers are not welcome", created_at=PHOTO_POSTED, classified_at=now,
        )
        session.add(reply)
        session.flush()
        findings = [
            Finding(item_id=post.id, account_id=acc.id, category="photo_no_consent", score=0.9, clause="AP1311 2.2.3", severity="medium", created_at=now,
                    reason="names a student whose media consent is refused"),
            Finding(item_id=post.id, account_id=acc.id, category="student_tagged", score=0.95, clause="AP1311 2.2.3", severity="medium", created_at=now,
                    reason="a student tagged in a photo (even with media consent on file)"),
            Finding(item_id=comment.id, account_id=acc.id, category="harassment", score=0.8, start=12, end=18, clause="AP1311 1.3.5; AP146 2b",
                    severity="medium", created_at=now, reason="an insult aimed at people"),
            Finding(item_id=reply.id, account_id=acc.id, category="harassment", score=0.6, start=27, end=33, clause="AP1311 1.3.5",
                    severity="low", created_at=now, reason="an insult aimed at people"),
        ]
        session.add_all(findings)
        session.flush()
        routed = route_findings(session, division, findings, now)
        by_item = {r.item_id: r for r in routed}
        return {"post": by_item[post.id], "comment": by_item[comment.id], "reply": by_item[reply.id]}

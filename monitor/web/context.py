"""The whole context of one review item, for the item page and `hallwatch queue show` alike.

A moderator between classes must see at a glance who posted, when, under which post, the photos
with their alt text and tags, and, for each student named or tagged, their media consent as it
stood when the item was posted (AP1311 1.3.6, 2.2.3). One function builds it, so the web page and
the CLI never disagree. A photo is drawn only when a stored file is there to serve (the rule of
the photo route, monitor.media.store.stored_file); otherwise the moderator reads why not, never a
broken image. Names appear here (the moderator must know whose consent is missing);
they never go to logs or e-mails.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers.directory import Directory, Student
from classifiers.roster import Roster, fold
from monitor.config import Division
from monitor.media.store import MAX_ATTEMPTS, stored_file
from monitor.models import Finding, ReviewItem, StoredItem, StoredMedia
from monitor.web.clauses import Clause, quote

PHOTO_CATEGORIES = ("photo_no_consent", "student_tagged")
_ROSTERS: dict[int, tuple[Directory, Roster]] = {}


@dataclass(frozen=True)
class Person:
    """A student named or tagged on the item, with their media consent as of the posting day."""

    name: str
    how: str  # "named in the text", "tagged in photo 1", ...
    consent: str  # yes | limited | no | lapsed | not_on_roster
    words: str  # the consent in plain words, e.g. "yes, until 2027-06-30"


@dataclass(frozen=True)
class Photo:
    position: int  # the 0-based index in the item's media list (the thumbnail route's {position})
    type: str
    alt_text: str
    tagged: tuple[str, ...]
    src: str | None  # the photo route, only when a stored file is there to serve (else no <img> that 404s)
    missing: str = ""  # a photo with no src: why, in a sentence for the moderator

    @property
    def stored(self) -> bool:
        return self.src is not None


@dataclass(frozen=True)
class Post:
    """The post above a comment, or the comment above a reply."""

    kind: str
    author: str
    author_is_account: bool
    posted_at: datetime | None
    text: str


@dataclass(frozen=True)
class Reason:
    """One finding in plain language: what is wrong, and the words of the clause it rests on."""

    finding: Finding
    category: str
    reason: str
    clauses: list[Clause]


@dataclass
class ItemContext:
    kind: str
    author: str
    author_is_account: bool
    posted_at: datetime | None
    parent: Post | None = None
    grandparent: Post | None = None  # the post above a reply's comment
    photos: list[Photo] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


def roster_of(division: Division) -> Roster:
    """The division's roster index, built once per loaded directory (a page view must not rebuild it)."""
    directory = division.directory
    cached = _ROSTERS.get(id(directory))
    if cached is None or cached[0] is not directory:
        cached = (directory, Roster.build(directory))
        _ROSTERS[id(directory)] = cached
    return cached[1]


def consent_words(student: Student | None, day: date) -> tuple[str, str]:
    """(state, words) for a student's media consent on `day`; (not_on_roster, ...) for None."""
    if student is None:
        return "not_on_roster", "not on the roster: no media consent on file"
    until = student.consent_expires
    if until is not None and day > until:
        return "lapsed", f"lapsed on {until.isoformat()} (was {student.media_consent}): counts as no consent"
    if student.media_consent == "yes":
        return "yes", f"yes, until {until.isoformat()}" if until else "yes (no end date)"
    if student.media_consent == "limited":
        return "limited", "limited: the image may be used, never with the name" + (f" (until {until.isoformat()})" if until else "")
    return "no", "no: media consent refused"


def _resolve(roster: Roster, name: str, school: str | None) -> Student | None:
    """A roster student by full name (the posting school's first), or by a first name only one student there has."""
    key = re.sub(r"[._]+", " ", fold(name.strip().lstrip("@"))).strip()
    found = roster.full.get(key)
    if found:
        local = [s for s in found if school is None or s.school == school]
        return (local or found)[0]
    if len(key.split()) == 1:
        local = roster.students_named(key, school)
        if len(local) == 1:
            return local[0]
    return None


def _full_names_in(roster: Roster, text: str, school: str | None) -> list[Student]:
    folded = fold(text)
    named: list[Student] = []
    for key, students in roster.full.items():
        if key in folded and key not in roster.staff_full and re.search(rf"(?<!\w){re.escape(key)}(?!\w)", folded):
            local = [s for s in students if school is None or s.school == school]
            student = (local or students)[0]
            if student not in named:
                named.append(student)
    return named


def _display(student: Student) -> str:
    name = f"{student.first_name} {student.last_name}"
    return f"{name} ({student.preferred_name})" if student.preferred_name and student.preferred_name != student.first_name else name


def people_on(division: Division, account: str, item: StoredItem, findings: list[Finding]) -> list[Person]:
    """Each student a finding names or a photo tags, once, with their consent as of posting."""
    roster = roster_of(division)
    school = roster.school_of(account)
    day = (item.created_at or item.first_seen_at).date()
    people: list[Person] = []
    seen: set[str] = set()

    def add(student: Student | None, name: str, how: str) -> None:
        key = student.student_id if student is not None else "?" + fold(name)
        if key in seen:
            return
        seen.add(key)
        state, words = consent_words(student, day)
        people.append(Person(_display(student) if student is not None else name, how, state, words))

    text = item.text or ""
    for f in findings:
        if f.category == "student_pii" and f.label == "STUDENT_NAME" and f.start is not None and f.end is not None and 0 <= f.start < f.end <= len(text):
            span = text[f.start:f.end]
            add(_resolve(roster, span, school), span, "named in the text")
    media = item.media or []
    if any(f.category in PHOTO_CATEGORIES for f in findings):
        alt = "\n".join(str(m.get("alt_text") or "") for m in media if isinstance(m, dict))
        for student in _full_names_in(roster, text, school):
            add(student, "", "named in the text")
        for student in _full_names_in(roster, alt, school):
            add(student, "", "named in the alt text")
    for position, m in enumerate(media):
        for tag in (m.get("tagged") or []) if isinstance(m, dict) else []:
            tag = str(tag)
            if fold(tag.strip().lstrip("@")) in roster.staff_full:
                continue  # a staff member, not a student: no media consent applies
            add(_resolve(roster, tag, school), tag, f"tagged in photo {position + 1}")
    return people


def _post(row: StoredItem) -> Post:
    return Post(row.kind, row.author_name, row.author_is_account, row.created_at, row.text)


def _parent(session: Session, row: StoredItem) -> StoredItem | None:
    if not row.parent_platform_id:
        return None
    return session.scalars(select(StoredItem).where(StoredItem.account_id == row.account_id, StoredItem.platform_id == row.parent_platform_id)).first()


NOT_STORED_YET = "Photo not stored yet: hallwatch fetches it on its next run."


def not_stored(row: StoredMedia | None) -> str:
    """Why a photo has no stored file to show, in plain words (the row's error is already redacted)."""
    if row is None:
        return NOT_STORED_YET
    if row.path is not None:
        return "Photo not shown: its stored file is missing from the data directory."
    why = f" ({row.error})" if row.error else ""
    if row.attempts >= MAX_ATTEMPTS:
        return f"Photo not stored: fetching it failed{why}, and hallwatch does not try again."
    return f"Photo not stored yet: the last fetch failed{why}; hallwatch tries again on its next run." if why else NOT_STORED_YET


def item_context(session: Session, division: Division, review: ReviewItem, findings: list[Finding],
                 media_root: Path | None = None) -> ItemContext | None:
    """The item's context; None for an account-level governance gap (it has no post).

    `media_root` is the data directory the photos are under (monitor.media.store.data_root): with
    it, a photo whose row outlived its file counts as not stored, as the photo route sees it."""
    item = review.item
    if item is None:
        return None
    context = ItemContext(item.kind, item.author_name, item.author_is_account, item.created_at)
    parent = _parent(session, item)
    if parent is not None:
        context.parent = _post(parent)
        above = _parent(session, parent)
        if above is not None and parent.kind != "post":
            context.grandparent = _post(above)
    media = item.media or []
    # every stored row of the item's photos in one query, never one per photo
    rows = {r.position: r for r in session.scalars(select(StoredMedia).where(StoredMedia.item_id == item.id))} if media else {}
    for position, m in enumerate(media):
        if not isinstance(m, dict):
            continue
        kind = str(m.get("type") or "photo")
        row = rows.get(position)
        stored = kind == "photo" and stored_file(media_root, row) is not None
        context.photos.append(Photo(
            position, kind, str(m.get("alt_text") or ""), tuple(str(t) for t in m.get("tagged") or []),
            f"/item/{item.id}/media/{position}" if stored else None,
            "" if stored or kind != "photo" else not_stored(row),
        ))
    context.people = people_on(division, review.account.name, item, findings)
    return context


def reasons(findings: list[Finding], category_names: dict[str, Any]) -> list[Reason]:
    """Each finding's plain-language reason and the words of its clauses."""
    return [Reason(f, str(category_names.get(f.category, f.category)), f.reason or "", quote(f.clause)) for f in findings]


# what a moderator does about each kind of finding, in a sentence (the item page and `queue show`)
WHAT_TO_DO = {
    "student_pii": "Hide or delete the comment, or have the post edited, so the student's information is no longer public; then resolve with what was done.",
    "photo_no_consent": "Check each student's consent below: unless every student shown or named had consent 'yes' on the posting day, remove the photo or the names.",
    "student_tagged": "Remove the tag: students are never tagged in photos.",
    "harassment": "Hide the comment. If it threatens anyone, escalate it to the principal.",
    "media_inquiry": "Do not answer it yourself: the Communications Manager replies to the media. Escalate it if they have not seen it.",
    "personal_info": "Hide the comment: someone's personal address, phone or e-mail is public (the school office's are fine).",
    "confidential": "Delete the post and have ITS change the password or code it shows.",
    "personal_use": "Edit or delete the post: a division account is not for personal promotion or views.",
    "governance": "Fix the account as described; the gap closes itself at the next daily audit.",
}

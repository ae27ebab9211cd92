"""A small invented division for the classifier tests; the spaCy model is loaded once per session."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from classifiers.directory import Directory, StaffMember, Student
from classifiers.pipeline import Analyzer
from connectors.items import Author, Item, Media

LAKESIDE = "Lakeside Elementary"
BIRCH = "Birchwood High School"


def make_directory() -> Directory:
    students = [
        Student("5510001", "Marisol", "Quintero", "", LAKESIDE, "4", "yes", date(2026, 6, 30)),
        Student("5510002", "Tobias", "Wenzel", "Toby", LAKESIDE, "4", "no", None),
        Student("5510003", "Keira", "Oduya", "", LAKESIDE, "2", "yes", date(2024, 6, 30)),
        Student("5510004", "Anouk", "Valdez", "", LAKESIDE, "5", "limited", date(2026, 6, 30)),
        Student("6620001", "Desmond", "Ferraro", "Dez", BIRCH, "11", "yes", None),
        Student("6620002", "Connor", "Plaskett", "", BIRCH, "10", "yes", None),
        Student("6620003", "Ruby", "Haldane", "", BIRCH, "12", "no", None),
    ]
    staff = [
        StaffMember("1", "Gwen", "Oyelaran", "gwen.oyelaran@northwind-sd.ca", LAKESIDE, "principal", True),
        StaffMember("2", "Harold", "Pinsent", "harold.pinsent@northwind-sd.ca", BIRCH, "teacher", True),
        StaffMember("3", "Marisol", "Delacroix", "marisol.delacroix@northwind-sd.ca", BIRCH, "teacher", True),
    ]
    return Directory(students=students, staff=staff)


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer(make_directory())


def item(text: str, *, account: str = "lakeside-elementary-fb", is_account: bool = False, media: list[Media] | None = None,
         consent_tag: str | None = None, created: datetime | None = None, kind: str = "comment") -> Item:
    return Item(platform="facebook", platform_id="t1", account=account, kind=kind, text=text,  # type: ignore[arg-type]
                author=Author(name="Lakeside Elementary" if is_account else "someone", is_account=is_account),
                created_at=created or datetime(2025, 2, 1, tzinfo=timezone.utc), media=media or [], consent_tag=consent_tag)


def categories(analyzer: Analyzer, it: Item) -> set[str]:
    return {f.category for f in analyzer.analyze([it])[0]}


def spans(analyzer: Analyzer, it: Item, category: str = "student_pii") -> list[tuple[str, str]]:
    return [(it.text[f.start:f.end], f.label) for f in analyzer.analyze([it])[0] if f.category == category and f.start is not None]


def roster_names_in(directory: Directory, it: Item) -> set[str]:
    """The roster's names (students' and staff's first, preferred and last names) that the item's text or media holds."""
    from classifiers.reasons import mentions

    text = "\n".join([it.text] + [m.alt_text or "" for m in it.media] + [t for m in it.media for t in m.tagged])
    words = {n for s in directory.students for n in (s.first_name, s.last_name, s.preferred_name) if n}
    words |= {n for m in directory.staff for n in (m.first_name, m.last_name) if n}
    return {w for w in words if len(w) > 2 and mentions(text, w)}


def assert_reasons(directory: Directory, it: Item, found: list) -> None:
    """Every finding says why in plain words, holding neither the item's roster names nor its evidence text."""
    from classifiers.reasons import mentions

    names = roster_names_in(directory, it)
    for f in found:
        assert f.reason.strip(), f"{f.category} finding without a reason"
        assert not any(mentions(f.reason, n) for n in names), f"reason {f.reason!r} holds a name"
        if f.start is not None:
            assert not mentions(f.reason, it.text[f.start:f.end]), f"reason {f.reason!r} holds the flagged text"

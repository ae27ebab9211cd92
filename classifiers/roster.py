"""The directory as the text detectors need it: name lookups, schools per account, office contacts."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from classifiers.directory import Directory, StaffMember, Student

# words in account slugs that name the platform or the kind of account, not the school
_SLUG_NOISE = {"fb", "ig", "x", "yt", "tw", "tiktok", "blog", "sd", "school", "the", "of"}


def fold(text: str) -> str:
    """Lower case without accents, so 'Renée' and 'renee' meet."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


@dataclass
class Roster:
    directory: Directory
    # folded full name ("first last", "preferred last") -> students
    full: dict[str, list[Student]] = field(default_factory=dict)
    # folded first or preferred name -> students
    first: dict[str, list[Student]] = field(default_factory=dict)
    # folded last name -> students
    last: dict[str, list[Student]] = field(default_factory=dict)
    staff_full: set[str] = field(default_factory=set)
    staff_last: set[str] = field(default_factory=set)
    staff_first: set[str] = field(default_factory=set)
    # folded first name -> active staff members
    staff_by_first: dict[str, list[StaffMember]] = field(default_factory=dict)
    staff_emails: set[str] = field(default_factory=set)
    staff_domains: set[str] = field(default_factory=set)
    student_ids: dict[str, Student] = field(default_factory=dict)
    schools: list[str] = field(default_factory=list)
    # account -> school, worked out once per account rather than once per item
    _account_cache: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def build(cls, directory: Directory) -> "Roster":
        roster = cls(directory)
        for s in directory.students:
            firsts = {fold(s.first_name)} | ({fold(s.preferred_name)} if s.preferred_name else set())
            for f in firsts:
                roster.first.setdefault(f, []).append(s)
                roster.full.setdefault(f"{f} {fold(s.last_name)}", []).append(s)
            roster.last.setdefault(fold(s.last_name), []).append(s)
            roster.student_ids[s.student_id] = s
        for m in directory.staff:
            roster.staff_full.add(f"{fold(m.first_name)} {fold(m.last_name)}")
            roster.staff_last.add(fold(m.last_name))
            roster.staff_first.add(fold(m.first_name))
            if m.active:
                roster.staff_by_first.setdefault(fold(m.first_name), []).append(m)
            if m.email:
                roster.staff_emails.add(m.email.lower())
                roster.staff_domains.add(m.email.lower().rsplit("@", 1)[-1])
        roster.schools = sorted({s.school for s in directory.students} | {m.school for m in directory.staff})
        return roster

    def school_of(self, account: str) -> str | None:
        """The posting school: from division.yaml when known, else from the account slug."""
        if account in self.directory.account_schools:
            return self.directory.account_schools[account]
        if account not in self._account_cache:
            self._account_cache[account] = self._infer_school(account)
        return self._account_cache[account]

    def _infer_school(self, account: str) -> str | None:
        words = [w for w in re.split(r"[^a-z0-9]+", fold(account)) if w and w not in _SLUG_NOISE]
        best, best_score = None, 0.0
        for school in self.schools:
            names = [w for w in re.split(r"[^a-z0-9]+", fold(school)) if w and w not in _SLUG_NOISE]
            if not names or not words:
                continue
            common = len(set(words) & set(names))
            # every distinctive slug word must be in the school name; "division office" never matches a school slug
            score = common / max(len(set(words)), 1)
            if common >= min(2, len(names)) and score > best_score:
                best, best_score = school, score
        return best if best_score >= 0.5 else None

    def students_named(self, first: str, school: str | None) -> list[Student]:
        """Students with this first/preferred name: within the school when known, else division-wide."""
        found = self.first.get(fold(first), [])
        if school:
            return [s for s in found if s.school == school]
        return found

    def staff_named(self, first: str, school: str | None) -> list[StaffMember]:
        """Active staff with this first name: at the school when known, else division-wide."""
        return [m for m in self.staff_by_first.get(fold(first), []) if school is None or m.school == school]

    def is_staff_email(self, email: str) -> bool:
        email = email.lower()
        return email in self.staff_emails

    def is_staff(self, member: StaffMember) -> bool:  # pragma: no cover - convenience
        return member in self.directory.staff

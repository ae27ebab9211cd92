"""The division's people as the classifiers see them: students (with media consent) and staff.

monitor.config reads and validates students.csv and staff.csv into this; the classifiers never
read files or the database themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ROLES = ("principal", "vice_principal", "teacher", "support", "communications", "its", "superintendent")
CONSENT_VALUES = ("yes", "no", "limited")


@dataclass(frozen=True)
class Student:
    student_id: str
    first_name: str
    last_name: str
    preferred_name: str
    school: str
    grade: str
    media_consent: str  # yes | no | limited
    consent_expires: date | None

    def consent_on(self, day: date) -> str:
        """The consent that applied on `day`: a lapsed `yes` or `limited` counts as `no`."""
        if self.consent_expires is not None and day > self.consent_expires:
            return "no"
        return self.media_consent


@dataclass(frozen=True)
class StaffMember:
    staff_id: str
    first_name: str
    last_name: str
    email: str
    school: str
    role: str
    active: bool


@dataclass
class Directory:
    students: list[Student] = field(default_factory=list)
    staff: list[StaffMember] = field(default_factory=list)
    # account name -> school name, when division.yaml is known (first names resolve per school)
    account_schools: dict[str, str] = field(default_factory=dict)
    # the schools' own public contact details (office phones, addresses, e-mails), not PII
    office_contacts: list[str] = field(default_factory=list)

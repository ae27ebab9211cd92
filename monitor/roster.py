"""students.csv and staff.csv: read, validated line by line, into the classifiers' Directory."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from classifiers.directory import CONSENT_VALUES, ROLES, StaffMember, Student
from monitor.errors import Problem

STUDENT_COLUMNS = ("student_id", "first_name", "last_name", "preferred_name", "school", "grade", "media_consent", "consent_expires")
STAFF_COLUMNS = ("staff_id", "first_name", "last_name", "email", "school", "role", "active")
# optional: the day an inactive staff member left (governance: a password reset must follow it)
STAFF_OPTIONAL = ("left_on",)
GRADES = {"K", "JK", "SK", *(str(n) for n in range(1, 13))}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PERSONAL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.ca", "hotmail.com", "hotmail.ca", "outlook.com",
    "live.com", "live.ca", "msn.com", "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com",
    "shaw.ca", "telus.net", "sympatico.ca", "rogers.com", "gmx.com", "mail.com",
})
TRUE_WORDS, FALSE_WORDS = {"true", "yes", "1"}, {"false", "no", "0"}


@dataclass(frozen=True)
class StaffRecord(StaffMember):
    """A staff member as staff.csv has them, with the optional day they left."""

    left_on: date | None = None


def _rows(path: Path, columns: tuple[str, ...], problems: list[Problem], optional: tuple[str, ...] = ()) -> list[tuple[int, dict[str, str]]]:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.append(Problem(name, None, None, f"file not found ({path})"))
        return []
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, None, None, f"not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"))
        return []
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = reader.fieldnames or []
    missing = [c for c in columns if c not in header]
    unknown = [c for c in header if c not in columns and c not in optional]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(missing))
        if unknown:
            parts.append("unknown column(s) " + ", ".join(unknown))
        problems.append(Problem(name, 1, None, "; ".join(parts) + f" (expected: {','.join(columns)})"))
        return []
    rows = []
    for row in reader:
        if None in row:
            problems.append(Problem(name, reader.line_num, None, f"{len(header) + len(row[None])} values for {len(header)} columns"))
            continue
        values = {k: (v or "").strip() for k, v in row.items()}
        for column in optional:
            values.setdefault(column, "")
        rows.append((reader.line_num, values))
    return rows


def _date(value: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError
    return date.fromisoformat(value)


def read_students(path: Path, schools: set[str] | None, problems: list[Problem]) -> list[Student]:
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line, row in _rows(path, STUDENT_COLUMNS, problems):
        bad = len(problems)

        def problem(field: str, message: str) -> None:
            problems.append(Problem(path.name, line, field, message))

        for field in ("student_id", "first_name", "last_name", "school", "grade"):
            if not row[field]:
                problem(field, "is empty")
        if row["student_id"] in seen:
            problem("student_id", f"{row['student_id']} is already used on line {seen[row['student_id']]}")
        seen.setdefault(row["student_id"], line)
        if row["school"] and schools is not None and row["school"] not in schools:
            problem("school", f"unknown school {row['school']!r} (not in division.yaml)")
        grade = row["grade"].upper()
        if row["grade"] and grade not in GRADES:
            problem("grade", f"{row['grade']!r} is not a grade (K, 1 to 12)")
        consent = row["media_consent"].lower()
        if consent not in CONSENT_VALUES:
            problem("media_consent", f"{row['media_consent']!r} must be one of yes, no, limited")
        expires = None
        if row["consent_expires"]:
            try:
                expires = _date(row["consent_expires"])
            except ValueError:
                problem("consent_expires", f"{row['consent_expires']!r} is not a date (YYYY-MM-DD)")
        if len(problems) == bad:
            students.append(Student(row["student_id"], row["first_name"], row["last_name"], row["preferred_name"], row["school"], grade, consent, expires))
    return students


def read_staff(path: Path, schools: set[str] | None, problems: list[Problem]) -> list[StaffMember]:
    staff: list[StaffMember] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for line, row in _rows(path, STAFF_COLUMNS, problems, STAFF_OPTIONAL):
        bad = len(problems)

        def problem(field: str, message: str) -> None:
            problems.append(Problem(path.name, line, field, message))

        for field in ("staff_id", "first_name", "last_name", "email", "school", "role"):
            if not row[field]:
                problem(field, "is empty")
        if row["staff_id"] in seen_ids:
            problem("staff_id", f"{row['staff_id']} is already used on line {seen_ids[row['staff_id']]}")
        seen_ids.setdefault(row["staff_id"], line)
        email = row["email"].lower()
        if email and not EMAIL.match(email):
            problem("email", f"{row['email']!r} is not an e-mail address")
        elif email.rpartition("@")[2] in PERSONAL_DOMAINS:
            problem("email", f"{row['email']} is a personal e-mail address; staff use work addresses")
        elif email in seen_emails:
            problem("email", f"{row['email']} is already used on line {seen_emails[email]}")
        seen_emails.setdefault(email, line)
        if row["school"] and schools is not None and row["school"] not in schools:
            problem("school", f"unknown school {row['school']!r} (not in division.yaml)")
        if row["role"] and row["role"] not in ROLES:
            problem("role", f"{row['role']!r} must be one of {', '.join(ROLES)}")
        active = row["active"].lower()
        if active not in TRUE_WORDS | FALSE_WORDS:
            problem("active", f"{row['active']!r} must be true or false")
        left_on = None
        if row["left_on"]:
            try:
                left_on = _date(row["left_on"])
            except ValueError:
                problem("left_on", f"{row['left_on']!r} is not a date (YYYY-MM-DD)")
            else:
                if active in TRUE_WORDS:
                    problem("left_on", "is set but active is true; a staff member who left is active=false")
        if len(problems) == bad:
            staff.append(StaffRecord(row["staff_id"], row["first_name"], row["last_name"], email, row["school"], row["role"], active in TRUE_WORDS, left_on))
    return staff

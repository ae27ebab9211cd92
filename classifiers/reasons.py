"""The plain-language `reason` of a finding: what kind of thing triggered it, in words a moderator reads.

A reason names the kind of evidence ("a medical detail", "a class login and its password"), never
the evidence itself: the flagged words and any name stay in the finding's span, which only the
review page shows. So the phrases here describe a sensitive term by its group, not by repeating it
("a school-results detail" for "report card", "failing", "marks").
"""
from __future__ import annotations

import re

from classifiers.roster import fold

# sensitive terms by kind (classifiers.lexicons lists them; a term not grouped here is "medical" or
# "personal" by its span label)
_SUPPORT = {"iep", "ieps", "learning support", "learning disability", "intervention", "intervention group", "resource room",
            "speech therapy", "reading level", "behaviour plan", "behavior plan", "behaviour support", "behavior support",
            "dyslexia", "dyslexic", "adhd", "add", "autism", "autistic", "asd"}
_WELLBEING = {"anxiety", "depression", "depressed", "ocd", "eating disorder", "self-harm", "suicidal", "mental health",
              "counsellor", "counselor", "counselling", "counseling", "therapy", "therapist"}
_CONDUCT = {"suspended", "suspension", "expelled", "expulsion", "detention", "discipline", "disciplined", "in trouble",
            "fire alarm", "vandalism", "vandalized", "caught vaping", "vaping", "fight", "fighting", "punished", "punishment"}
_RESULTS = {"failing", "failed", "flunking", "report card", "marks", "mark", "grades", "gpa", "honour roll", "honor roll"}
_FAMILY = {"custody", "custody order", "restraining order", "pickup", "pick up", "pick-up", "picked up", "not allowed to pick",
           "foster", "foster care", "social worker"}
_FAITH = {"muslim", "christian", "jewish", "hindu", "sikh", "catholic", "religion", "religious"}
_IDENTITY = {"transgender", "trans", "nonbinary", "non-binary", "pronouns", "gay", "lesbian", "bisexual"}
_LOCKER = {"locker combination", "locker combo"}
_ATTENDANCE = {"absent", "truant", "attendance"}

_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
                 "nine": "9", "ten": "10", "eleven": "11", "twelve": "12"}


def first_kind(kinds, text: str, default: str) -> str:
    """The phrase of the first (pattern, phrase) whose pattern is in `text`; `default` when none is."""
    return next((phrase for pattern, phrase in kinds if pattern.search(text)), default)


def detail_kind(label: str, term: str) -> str:
    """'a medical detail', 'a school-results detail' ...: the kind of a sensitive span, not its words."""
    key = fold(term).strip()
    for group, phrase in ((_SUPPORT, "a learning or behaviour support detail"), (_WELLBEING, "an emotional wellbeing detail"),
                          (_CONDUCT, "a conduct or consequence detail"), (_RESULTS, "a school-results detail"),
                          (_FAMILY, "a family arrangement (who may collect the child)"), (_FAITH, "a faith detail"),
                          (_IDENTITY, "a gender identity or orientation detail"), (_LOCKER, "a locker code"),
                          (_ATTENDANCE, "an absence detail")):
        if key in group:
            return phrase
    return "a medical detail" if label == "HEALTH" else "a personal detail"


def grade_phrase(text: str) -> str:
    """'Grade 2', 'kindergarten' from the grade words of a text ("gr 2", "grade two", "2nd grade")."""
    lower = text.lower()
    if re.search(r"kinder|preschool|pre-k|\b[js]k\b", lower):
        return "kindergarten"
    number = re.search(r"\d{1,2}", lower)
    if number:
        return f"Grade {int(number.group())}"
    for word, digit in _NUMBER_WORDS.items():
        if re.search(rf"\b{word}s?\b", lower):
            return f"Grade {digit}"
    return ""


def student_phrase(grade: str) -> str:
    """'a Grade 2 student', 'a student'."""
    return f"a {grade} student" if grade else "a student"


def mentions(reason: str, text: str) -> bool:
    """Whether `text` (a span, a name) appears as words in `reason`; what must never happen."""
    text = text.strip()
    return bool(text) and re.search(rf"(?<!\w){re.escape(fold(text))}(?!\w)", fold(reason)) is not None

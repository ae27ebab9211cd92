"""Every finding carries a plain-language reason that varies with what triggered it and holds no
name and no flagged text (issue 11, item 6)."""
from __future__ import annotations

import pytest

from classifiers.contract import read_items
from classifiers.pipeline import Analyzer
from classifiers.reasons import detail_kind, grade_phrase, mentions
from connectors.items import Media
from monitor.config import load_directory
from tests.classifiers.conftest import assert_reasons, item, make_directory
from tests.conftest import SHARED

SCHOOL = SHARED / "data" / "school"


def test_every_finding_on_the_school_dev_set_has_a_clean_reason():
    if not (SCHOOL / "dev.jsonl").is_file():
        pytest.skip(f"the school dev set is not at {SCHOOL} (set HALLWATCH_SHARED)")
    directory = load_directory(SCHOOL / "roster")
    parsed = read_items(SCHOOL / "dev.jsonl")
    results = Analyzer(directory).analyze(parsed.items)
    assert sum(len(found) for found in results) > 150  # the set has findings of every category
    for it, found in zip(parsed.items, results):
        assert_reasons(directory, it, found)


def reasons(analyzer, it, category: str) -> list[str]:
    found = [f for f in analyzer.analyze([it])[0] if f.category == category]
    assert found, f"no {category} finding for {it.text!r}"
    assert_reasons(make_directory(), it, found)
    return [f.reason for f in found]


def test_student_pii_reason_names_the_grade_and_the_kind_of_detail(analyzer):
    found = reasons(analyzer, item("Keira in grade 2 has an epipen in her backpack"), "student_pii")
    assert "names a Grade 2 student with a medical detail" in found
    assert "a medical detail about a named student" in found
    full = reasons(analyzer, item("marisol quintero won the spelling bee"), "student_pii")
    assert full == ["a student's full name from the roster"]
    number = reasons(analyzer, item("Desmond Ferraro in gr 11, student # 6620001"), "student_pii")
    assert "a student number" in number


def test_student_pii_reason_follows_the_context_that_identified_the_name(analyzer):
    teacher = reasons(analyzer, item("Toby is in Mrs. Oyelaran's class this year"), "student_pii")
    results = reasons(analyzer, item("Toby got his report card and he's failing math"), "student_pii")
    assert teacher != results
    assert any("school-results" in r for r in results)


def test_photo_reasons_tell_the_consent_problem_apart(analyzer):
    def photo_reason(text: str, tagged: tuple[str, ...] = ()) -> str:
        it = item(text, is_account=True, kind="post", consent_tag="on-file",
                  media=[Media(type="photo", alt_text="A student holding a project, face visible", tagged=tagged)])
        return reasons(analyzer, it, "photo_no_consent")[0]

    refused = photo_reason("Tobias and his volcano")
    limited = photo_reason("Anouk and her painting")
    tagged = photo_reason("Great work!", tagged=("Marisol Quintero",))
    assert "refused" in refused and "limited" in limited and "tagged" in tagged
    assert len({refused, limited, tagged}) == 3


def test_inquiry_reason_says_what_is_asked_and_who_asks(analyzer):
    statement = reasons(analyzer, item("This is the news desk at 770 Radio. Could the school give us a statement on the closure?"), "media_inquiry")[0]
    interview = reasons(analyzer, item("I host a podcast on rural schools. Could we interview your principal next week?"), "media_inquiry")[0]
    assert statement == "asks the school for a statement; the writer signs as a newsroom"
    assert interview.startswith("asks for an interview") and "podcast" in interview


def test_confidential_reason_names_the_kind_of_secret(analyzer):
    login = reasons(analyzer, item("Class login for the reading app: username lakeside4 password Tulip#2025", is_account=True), "confidential")[0]
    door = reasons(analyzer, item("Back door code is now 8812# for the evening", is_account=True), "confidential")[0]
    personnel = reasons(analyzer, item("Between us, Ms. Dube is on stress leave until March.", is_account=True), "confidential")[0]
    assert login.startswith("a class login and its password")
    assert door.startswith("a door or alarm code")
    assert personnel == "a staff personnel matter"


def test_harassment_reason_comes_from_the_rule_kind_that_decided(analyzer):
    threat = reasons(analyzer, item("you better watch your back after school tomorrow, we know where you live"), "harassment")[0]
    abuse = reasons(analyzer, item("Tobias you are such a pathetic loser"), "harassment")[0]
    assert "threat" in threat and "threat" not in abuse


def test_personal_info_reason_says_whose_it_is_not(analyzer):
    found = reasons(analyzer, item("Mrs. Jensen's cell is 403-555-0177, go tell her yourself"), "personal_info")
    assert found == ["a personal phone number of someone who is not a student"]


def test_reason_helpers_never_repeat_the_term():
    for label, term in [("HEALTH", "asthma"), ("HEALTH", "learning support"), ("OTHER_PII", "discipline"), ("OTHER_PII", "marks"),
                        ("OTHER_PII", "custody"), ("OTHER_PII", "pickup"), ("OTHER_PII", "attendance"), ("OTHER_PII", "locker combination")]:
        assert not mentions(detail_kind(label, term), term), term
    assert grade_phrase("gr 11") == "Grade 11" and grade_phrase("Kindergarten") == "kindergarten" and grade_phrase("grade two") == "Grade 2"
    assert mentions("names a Grade 2 student", "grade 2") and not mentions("a learning detail", "earn")

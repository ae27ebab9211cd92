"""student_pii: roster names with identifying context; staff, athletes, streets and lone first names are not."""
from __future__ import annotations

from tests.classifiers.conftest import BIRCH, categories, item, spans


def test_full_roster_name_is_pii_in_any_case(analyzer):
    it = item("lol marisol quintero won the spelling bee")
    assert ("marisol quintero", "STUDENT_NAME") in spans(analyzer, it)


def test_full_name_inside_a_handle(analyzer):
    assert ("@dez_ferraro_11", "STUDENT_NAME") in spans(analyzer, item("@dez_ferraro_11 did you see this"))
    assert "student_pii" not in categories(analyzer, item("@ferraro_fan_club did you see this"))


def test_first_name_with_grade_context_is_pii(analyzer):
    it = item("Tobias from grade 4 left his jacket on the field", account="lakeside-elementary-fb")
    assert ("Tobias", "STUDENT_NAME") in spans(analyzer, it)


def test_preferred_name_with_health_detail_is_pii_and_spans_the_detail(analyzer):
    it = item("Toby has asthma so please keep his inhaler in the classroom")
    found = spans(analyzer, it)
    assert ("Toby", "STUDENT_NAME") in found
    assert ("asthma", "HEALTH") in found


def test_first_name_alone_from_a_parent_is_not_pii(analyzer):
    assert "student_pii" not in categories(analyzer, item("So proud of Marisol today!! 💙"))


def test_staff_full_name_is_not_pii_even_when_first_name_matches_a_student(analyzer):
    it = item("Thank you Marisol Delacroix for coaching the Grade 11 team this season", account="birchwood-high-school-fb")
    assert "student_pii" not in categories(analyzer, it)


def test_nhl_player_sharing_a_first_name_is_not_pii(analyzer):
    it = item("Connor McDavid visited our grade 10 gym class today!", account="birchwood-high-school-fb", is_account=True)
    assert "student_pii" not in categories(analyzer, it)


def test_street_that_looks_like_a_name_is_not_pii(analyzer):
    it = item("Traffic on Ruby Street made the grade 12 buses late again", account="birchwood-high-school-fb")
    assert "student_pii" not in categories(analyzer, it)


def test_student_number_and_phone_of_a_student(analyzer):
    it = item("Desmond Ferraro in gr 11 sells tickets, text him 587-555-0199, student # 6620001", account="birchwood-high-school-fb")
    found = spans(analyzer, it)
    assert ("587-555-0199", "PHONE") in found
    assert ("6620001", "STUDENT_ID") in found


def test_school_office_phone_in_an_account_post_is_not_pii(analyzer):
    it = item("If your Grade 4 child will be away call the office at 403-555-0100.", is_account=True, kind="post")
    assert categories(analyzer, it) == set()


def test_unknown_student_beside_a_grade_is_flagged_at_lower_confidence(analyzer):
    it = item("Congrats to Grade 6 student Priyanka Barnaby on her science fair win!", is_account=True, kind="post")
    found = [f for f in analyzer.analyze([it])[0] if f.label == "STUDENT_NAME"]
    assert found and all(f.score < 0.9 for f in found)


def test_home_address_of_a_named_student(analyzer):
    it = item("my son Tobias Wenzel moved, new address is 88 Harvest Gold Crescent NE, please update the bus")
    assert ("88 Harvest Gold Crescent NE", "ADDRESS") in spans(analyzer, it)


def test_posting_school_is_inferred_from_the_account_slug(analyzer):
    assert analyzer.roster.school_of("birchwood-high-school-ig") == BIRCH
    assert analyzer.roster.school_of("northwind-sd-x") is None

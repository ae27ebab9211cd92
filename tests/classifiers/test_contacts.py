"""Contact details (issue 11, item 7): phones written the European way without a country code, and
numbers after '#' that are rankings or rooms, not addresses."""
from __future__ import annotations

import pytest

from tests.classifiers.conftest import item


def contacts(analyzer, text: str) -> list[tuple[str, str]]:
    it = item(text)
    found = analyzer.analyze([it])[0]
    return [(f.label, text[f.start:f.end]) for f in found if f.label in ("PHONE", "EMAIL", "ADDRESS") and f.start is not None]


@pytest.mark.parametrize("text, number", [
    ("My aunt in Vienna is on 0688 872 49 99 if the coach needs her", "0688 872 49 99"),
    ("the host family's number: 28-64-66-98", "28-64-66-98"),
    ("Exchange parents can be reached at 06 12 34 56 78 (Lyon)", "06 12 34 56 78"),
    ("0171 234 5678 is my dad's mobile in Berlin", "0171 234 5678"),
    ("our London office, 020 7946 0958", "020 7946 0958"),
])
def test_european_phone_numbers_without_a_country_code_are_phones(analyzer, text, number):
    assert ("PHONE", number) in contacts(analyzer, text)


def test_the_divisions_own_region_still_reads_local_numbers(analyzer):
    assert ("PHONE", "403-555-0177") in contacts(analyzer, "her cell is 403-555-0177")
    assert ("PHONE", "(587) 555-0142") in contacts(analyzer, "call (587) 555-0142 after six")


@pytest.mark.parametrize("text", [
    "Zoom meeting ID 812 3344 5566 for the staff PD session",
    "Tickets 1-20 sold out; we raised 12 345 678 pennies for the food bank",
    "The site at 41.173.96.26 is blocked by the school filter",
    "Report cards go home 2025-01-31; exam on 03.12.2025",
    "Order 1234 5678 of yearbooks has shipped",
])
def test_codes_dates_quantities_and_ids_are_not_phones(analyzer, text):
    assert not [c for c in contacts(analyzer, text) if c[0] == "PHONE"]


@pytest.mark.parametrize("text", [
    "We're #1 in the league!! 🏆",
    "this song should be #23 on the countdown, not #1",
    "Science fair projects are set up in Room #12 until Friday",
    "Unit 4 test moved to Thursday",
])
def test_rankings_rooms_and_course_units_are_not_addresses(analyzer, text):
    assert not [c for c in contacts(analyzer, text) if c[0] == "ADDRESS"]


def test_a_unit_after_a_street_still_belongs_to_the_address(analyzer):
    assert ("ADDRESS", "12 Birch Hollow Drive #4") in contacts(analyzer, "her new place, 12 Birch Hollow Drive #4, has a yard")
    assert ("ADDRESS", "Apt. 117") in contacts(analyzer, "send it care of Apt. 117")


@pytest.mark.parametrize("text, address", [
    ("He lives on the north side of Joaquin Suarez 2906.", "the north side of Joaquin Suarez 2906"),
    ("The office is at Szabó and Király u. 15.", "Király u. 15"),
    ("Mrs. Alcaraz, Suite 541, 6343 Skogstien 106", "Suite 541"),
])
def test_addresses_written_the_european_way(analyzer, text, address):
    found = [value for label, value in contacts(analyzer, text) if label == "ADDRESS"]
    assert any(address in value or value in address for value in found), found

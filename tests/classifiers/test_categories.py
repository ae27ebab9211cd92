"""photo_no_consent, student_tagged, media_inquiry, confidential and personal_info, with tricky negatives."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from classifiers.photos import count_faces
from connectors.items import Media
from tests.classifiers.conftest import categories, item


def photo(alt: str, tagged: tuple[str, ...] = (), url: str | None = None) -> Media:
    return Media(type="photo", url=url, alt_text=alt, tagged=tagged)


# photos
def test_tagged_student_is_always_flagged_even_with_consent(analyzer):
    it = item("Great game!", is_account=True, kind="post", consent_tag="on-file",
              media=[photo("Team photo, faces visible", tagged=("Marisol Quintero",))])
    assert {"student_tagged", "photo_no_consent"} <= categories(analyzer, it)


def test_tagged_staff_member_is_fine(analyzer):
    it = item("Welcome our principal!", is_account=True, kind="post", consent_tag="on-file",
              media=[photo("Portrait of an adult woman, smiling", tagged=("Gwen Oyelaran",))])
    assert categories(analyzer, it) == set()


def test_named_student_without_consent_is_flagged_despite_on_file(analyzer):
    it = item("Tobias building his volcano model 🌋", is_account=True, kind="post", consent_tag="on-file",
              media=[photo("Grade 4 boy beside a model volcano, face visible")])
    assert "photo_no_consent" in categories(analyzer, it)


def test_limited_consent_with_name_is_flagged(analyzer):
    it = item("Anouk's painting won the art show!", is_account=True, kind="post", consent_tag="on-file",
              media=[photo("A girl holding her painting, face visible")])
    assert "photo_no_consent" in categories(analyzer, it)


def test_consent_judged_as_of_created_at(analyzer):
    media = [photo("A Grade 2 girl reading on a beanbag, face visible")]
    before = item("Keira reading to the class", is_account=True, kind="post", consent_tag="on-file", media=media,
                  created=datetime(2024, 5, 1, tzinfo=timezone.utc))
    after = item("Keira reading to the class", is_account=True, kind="post", consent_tag="on-file", media=media,
                 created=datetime(2024, 9, 1, tzinfo=timezone.utc))
    assert "photo_no_consent" not in categories(analyzer, before)
    assert "photo_no_consent" in categories(analyzer, after)


def test_unnamed_faces_without_consent_tag_are_flagged(analyzer):
    it = item("Field day fun!", is_account=True, kind="post", consent_tag=None,
              media=[photo("Grade 3 students running a relay, faces visible")])
    assert "photo_no_consent" in categories(analyzer, it)


def test_backs_only_and_artwork_are_not_flagged(analyzer):
    backs = item("Walking together", is_account=True, kind="post", media=[photo("Students walking away, only backs visible")])
    art = item("Our art wall", is_account=True, kind="post", media=[photo("Paintings on a hallway wall; no people")])
    assert "photo_no_consent" not in categories(analyzer, backs)
    assert "photo_no_consent" not in categories(analyzer, art)


def test_parent_posting_own_child_is_fine_but_other_students_are_not(analyzer):
    own = item("Our little girl at her first concert 🥹", media=[photo("A small girl singing on stage, face visible")])
    others = item("pics from the field trip!", media=[photo("About eight Grade 5 students posing at the zoo, faces visible")])
    assert "photo_no_consent" not in categories(analyzer, own)
    assert "photo_no_consent" in categories(analyzer, others)


def test_face_detector_counts_nothing_in_a_blank_generated_image(tmp_path):
    import cv2
    import numpy as np

    path = tmp_path / "blank.png"
    cv2.imwrite(str(path), np.full((120, 160, 3), 200, dtype=np.uint8))
    assert count_faces(str(path)) == 0
    assert count_faces(str(tmp_path / "missing.png")) is None
    assert count_faces("https://example.org/x.jpg") is None  # never fetched


# media inquiries
def test_reporter_asking_for_comment_is_an_inquiry(analyzer):
    it = item("Hi, Dana Whitlock with the Prairie Ledger here. Could the principal comment on the new bus routes before our Friday edition?")
    assert "media_inquiry" in categories(analyzer, it)


def test_podcast_invitation_is_an_inquiry(analyzer):
    it = item("We host a podcast on rural education and would love to have your superintendent as a guest. Who should we contact?")
    assert "media_inquiry" in categories(analyzer, it)


def test_parent_question_and_shared_article_are_not_inquiries(analyzer):
    parent = item("I work at a radio station but I'm asking as a parent: when is picture day?")
    shared = item("Great article in the Prairie Ledger about our robotics club! prairieledger.ca/robotics")
    thanks = item("Thanks for the interview yesterday, our story is now live!")
    for it in (parent, shared, thanks):
        assert "media_inquiry" not in categories(analyzer, it)


@pytest.mark.parametrize("text", [
    # the writer says they are the media; what they ask for is worded any way
    "I'm a reporter at the Foothills Record. Can the school say whether classes will resume Tuesday?",
    "This is the news desk at 770 Radio. Does the division have anything on today's bus cancellations?",
    "Reporter with The Plainsman, following up on my request for the suspension numbers.",
    "We're a student-run news site at Bow Valley College and we'd like to ask your principal about the new library.",
    "Hi, Peace Country TV here. Can we bring a camera crew to the science fair?",
    "Writer with the Westview Weekly here. May I use the photo of your mural in our next issue?",
])
def test_inquiries_in_many_wordings(analyzer, text):
    assert "media_inquiry" in categories(analyzer, item(text))


@pytest.mark.parametrize("text", [
    "Reporters were parked outside the school this morning, is everything okay?",
    "Is the school newspaper taking poems from grade 4 students?",
    "Is it true what the radio said about the school closing early today?",
])
def test_questions_about_the_media_are_not_inquiries(analyzer, text):
    assert "media_inquiry" not in categories(analyzer, item(text))


def test_the_schools_own_post_is_not_an_inquiry(analyzer):
    it = item("Our podcast club just released episode 3! What topic should we cover next?", is_account=True)
    assert "media_inquiry" not in categories(analyzer, it)


# confidential and personal_info
@pytest.mark.parametrize("text", [
    "Substitutes: login for the attendance system is sub_teacher / Autumn2025!",
    "Locker 117 combo 08-22-31, please give it to the new student in 8C.",
    "Streaming key for Friday's basketball livestream: live_9k2d-77ab",
    "Quiz results: Mateo 54%, Hana 81%, Jonah 39%",
    "Exam rooms by student number: 708812 and 708815 in room 12",
    "Ms. Dube is on administrative leave pending an investigation, do not discuss it with families.",
    "Fire drill at 2:10 Thursday, don't tell your classes.",
])
def test_records_codes_and_personnel_matters_are_confidential(analyzer, text):
    assert "confidential" in categories(analyzer, item(text, is_account=True))


@pytest.mark.parametrize("text", [
    "This year's provincial results: Reading 81%, Writing 77%, Math 72%.",
    "Password help: visit https://help.example.org/reset and follow the steps.",
    "Lockers will be assigned on the first day; bring your own lock.",
    "Our fire drill this morning went smoothly, great job everyone!",
])
def test_public_results_and_help_are_not_confidential(analyzer, text):
    assert "confidential" not in categories(analyzer, item(text, is_account=True))


def test_password_and_door_code_are_confidential(analyzer):
    assert "confidential" in categories(analyzer, item("Staff wifi this week is LakesideStaff, password Wint3r!2025"))
    assert "confidential" in categories(analyzer, item("Back door code is now 8812# — don't share with students"))


def test_password_advice_without_a_password_is_not_confidential(analyzer):
    assert "confidential" not in categories(analyzer, item("Never share your password with anyone, ever.", is_account=True))
    assert "confidential" not in categories(analyzer, item("Forgot your password? Use the reset link on the login page.", is_account=True))


def test_public_meeting_passcode_is_not_confidential(analyzer):
    it = item("Parent council tonight, all parents welcome! Join online: meeting ID 812 3344 5566, passcode 551200", is_account=True)
    assert "confidential" not in categories(analyzer, it)


def test_personnel_matter_is_confidential(analyzer):
    it = item("Between us, HR let him go after the audit. Please keep it quiet.")
    assert "confidential" in categories(analyzer, it)


def test_someone_elses_phone_is_personal_info_but_office_phone_is_not(analyzer):
    other = item("Mrs. Jensen lives at 41 Aspen Grove Close and her cell is 403-555-0177, go tell her yourself")
    office = item("Questions? Call the office at 403-555-0100", is_account=True)
    assert "personal_info" in categories(analyzer, other)
    assert "personal_info" not in categories(analyzer, office)


def test_quoted_insults_in_a_lesson_are_not_harassment(analyzer):
    it = item('In our anti-bullying lesson students listed words that hurt — "loser", "freak", "nobody likes you" — and rewrote them as kind words.', is_account=True)
    assert "harassment" not in categories(analyzer, it)


def test_threat_is_harassment_with_high_severity(analyzer):
    found = analyzer.analyze([item("you better watch your back after school tomorrow, we know where you live")])[0]
    assert any(f.category == "harassment" and f.severity == "high" for f in found)


def rule_found(analyzer, text: str, *, is_account: bool = True) -> bool:
    """Whether a confidential rule (not the text model) finds the text."""
    from classifiers.combine import REASONS

    model = set(REASONS.values())
    return any(f.category == "confidential" and f.reason not in model for f in analyzer.analyze([item(text, is_account=is_account)])[0])


# Codes meant for the public (school/README.md; RESULTS-encoder.md, round 11, rule 10a): a promo code,
# guest Wi-Fi for visitors, a family night's game PIN, a meeting open to everyone. A class's own
# review game, staff Wi-Fi, or a code with "don't share" is still a secret.
@pytest.mark.parametrize("text", [
    "Yearbook pre-orders are open! Use code EAGLE15 at checkout for 15% off until Friday.",
    "Welcome to the winter concert! Guest wifi is NW-Visitors, password concert2026, also on the sign by the doors.",
    "Community bingo night Friday! Everyone at home can play along, game PIN 7712 044.",
    "The boundary review meeting is open to everyone: webinar ID 845 2211 0098, passcode review26.",
])
def test_codes_meant_for_the_public_are_not_secrets(analyzer, text):
    assert not rule_found(analyzer, text)


@pytest.mark.parametrize("text", [
    "bio 20 review kahoot at 8 tonight, game pin 5530192, real names only",
    "Staff: the staff wifi password for the concert is Wint3r!Staff, don't share it with visitors.",
    "Promo code for the staff-only PD portal is PD-STAFF-77, please don't share it.",
])
def test_a_class_game_or_a_staff_code_is_still_a_secret(analyzer, text):
    assert rule_found(analyzer, text)


def test_an_ordinal_is_no_locker_combination(analyzer):
    assert not rule_found(analyzer, "Third time this week my daughter forgot her locker combo for the 3rd period lock, ugh", is_account=False)
    assert rule_found(analyzer, "her locker combo is 14-2-33 if anyone finds her bag", is_account=False)


# Missed kinds (rule 10b-g), each with a look-alike that is not confidential.
@pytest.mark.parametrize("text", [
    "English 30-1 diploma, Gym B seating. Row 1: 512034, 512071, 512099 | Row 2: 512110, 512145, 512160",
    "Grade 8 lockers are set: Locker 201: 12-30-6, Locker 202: 28-4-16. Collect your lock at the office.",
    "Staff, our PA phrase for a shelter in place this year is 'the blue binder is in the library'.",
    "Heads up team: the decision on the bell schedule is embargoed until Thursday's board meeting.",
    "Mr. Haverly received a written reprimand after the field trip, and the matter is now closed.",
    "admin wifi was reset over the weekend, the new one is Heron$Fall26",
])
def test_missed_kinds_are_confidential(analyzer, text):
    assert rule_found(analyzer, text)


@pytest.mark.parametrize("text", [
    "Diploma exams are in the gym. Rows are posted on the door by 8:30; bring your student ID.",
    "Congratulations to the 2026 graduates! Final tally from the bottle drive: 10482 bottles, 12977 cans, 3110 jugs.",
    "We practised a shelter in place this morning. Everyone did a great job and classes carried on.",
    "The bell schedule decision will be announced after Thursday's board meeting. Thanks for your patience!",
    "The staff wifi is down this morning; IT is working on it.",
])
def test_their_look_alikes_are_not(analyzer, text):
    assert not rule_found(analyzer, text)

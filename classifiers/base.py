"""What every custom spaCy component shares: the Doc extensions and the clauses it cites."""
from __future__ import annotations

from spacy.tokens import Doc

from classifiers.findings import Finding

CLAUSES = {
    "student_pii": "AP1311 1.3.6",
    "photo_no_consent": "AP1311 2.2.3",
    "student_tagged": "AP1311 2.2.3",
    "harassment": "AP1311 1.3.5",
    "media_inquiry": "AP1311 1.5.1",
    "personal_info": "AP193 1.1",
    "confidential": "AP80-SM Proper Conduct",
    "personal_use": "AP80-SM Representing the Division; AP193 2.2",
}

for _name, _default in (("item", None), ("roster", None), ("findings", None), ("contacts", None), ("students", None), ("threat", False)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


def add(doc: Doc, category: str, score: float, start: int | None = None, end: int | None = None, label: str | None = None, severity: str = "medium", reason: str = "") -> None:
    """Record one finding on the doc; the Analyzer collects them after the pipe.

    `reason` is the plain-language why a moderator reads: it must hold no name and no flagged text."""
    if doc._.findings is None:
        doc._.findings = []
    doc._.findings.append(Finding(category, round(float(score), 3), start, end, label, CLAUSES[category], severity, reason))  # type: ignore[arg-type]

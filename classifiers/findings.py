"""What a classifier reports about one item."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

CATEGORIES = (
    "student_pii",
    "photo_no_consent",
    "student_tagged",
    "harassment",
    "media_inquiry",
    "personal_info",
    "confidential",
    "personal_use",
)
SPAN_LABELS = ("STUDENT_NAME", "PERSON", "STUDENT_ID", "PHONE", "EMAIL", "ADDRESS", "DOB", "HEALTH", "OTHER_PII")
Severity = Literal["low", "medium", "high"]


@dataclass(frozen=True)
class Finding:
    category: str
    score: float
    # character offsets of the evidence span in the item's text; None for an item-level finding
    start: int | None
    end: int | None
    label: str | None
    # the procedure clause, e.g. "AP1311 1.3.6"
    clause: str
    severity: Severity = "medium"
    # a short plain-language why ("names a Grade 2 student with a health detail"): never a name
    # or the flagged text, which stay in the evidence span; the queue and e-mails may show it
    reason: str = ""

    def to_contract(self) -> dict[str, Any]:
        """The shape of `hallwatch classify` output (DESIGN.md), plus severity."""
        return asdict(self)

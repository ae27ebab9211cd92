"""Precision, recall and F1 against a labelled file in dev.jsonl's format (`labels`, `spans`).

Item level: per category, an item is predicted positive when it has any finding of the category.
Span level (student_pii): a predicted span matches a gold span of the same label when they overlap;
each gold span is matched at most once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from classifiers.findings import Finding

EVAL_CATEGORIES = ("student_pii", "photo_no_consent", "student_tagged", "harassment", "media_inquiry", "confidential", "personal_info", "personal_use")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(records: Sequence[dict[str, Any]], predictions: Sequence[list[Finding]]) -> dict[str, Score]:
    """Scores per category present in the gold labels (plus 'student_pii spans')."""
    gold_categories = {label for r in records for label in r.get("labels", []) if label != "none"}
    scores = {c: Score() for c in EVAL_CATEGORIES if c in gold_categories}
    spans = Score()
    for record, found in zip(records, predictions):
        gold = set(record.get("labels", []))
        predicted = {f.category for f in found}
        for category, score in scores.items():
            if category in gold and category in predicted:
                score.tp += 1
            elif category in predicted:
                score.fp += 1
            elif category in gold:
                score.fn += 1
        gold_spans = [(s["start"], s["end"], s["label"]) for s in record.get("spans", [])]
        pred_spans = [(f.start, f.end, f.label) for f in found if f.category == "student_pii" and f.start is not None]
        used: set[int] = set()
        for ps, pe, pl in pred_spans:
            hit = next((i for i, (gs, ge, gl) in enumerate(gold_spans) if i not in used and gl == pl and ps < ge and gs < pe), None)
            if hit is None:
                spans.fp += 1
            else:
                used.add(hit)
                spans.tp += 1
        spans.fn += len(gold_spans) - len(used)
    if "student_pii" in scores:
        scores["student_pii spans"] = spans
    return scores


def format_table(scores: dict[str, Score]) -> str:
    lines = [f"{'category':<20} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'FP':>5} {'FN':>5}"]
    for name, s in scores.items():
        lines.append(f"{name:<20} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:5d} {s.fp:5d} {s.fn:5d}")
    return "\n".join(lines)

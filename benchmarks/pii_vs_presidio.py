"""Contact-detail recall on Presidio's synthetic set: hallwatch's classifiers vs Presidio, one run.

    .venv/bin/python benchmarks/pii_vs_presidio.py --data ../shared/data

For PHONE_NUMBER, EMAIL_ADDRESS and STREET_ADDRESS gold spans: a gold span counts as found when a
predicted span of the matching kind overlaps it (ours: PHONE/EMAIL/ADDRESS spans of student_pii
or personal_info findings; Presidio: its PHONE_NUMBER/EMAIL_ADDRESS/LOCATION... results). Both use
the same spaCy model. Presidio is an optional bench dependency (`pip install .[bench]`).
"""
from __future__ import annotations

import argparse
import os
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.directory import Directory  # noqa: E402
from classifiers.pipeline import MODEL_NAME, Analyzer  # noqa: E402
from connectors.items import Author, Item  # noqa: E402

KINDS = {"PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL", "STREET_ADDRESS": "ADDRESS"}
# Presidio has no street-address recognizer of its own; LOCATION (spaCy GPE/LOC) is the nearest it gives
PRESIDIO_KINDS = {"PHONE_NUMBER": {"PHONE_NUMBER"}, "EMAIL_ADDRESS": {"EMAIL_ADDRESS"}, "STREET_ADDRESS": {"LOCATION", "ADDRESS", "STREET_ADDRESS"}}


def presidio_analyzer():
    # Presidio's e-mail check uses tldextract, which fetches the public suffix list on first use;
    # no URLs makes it use the snapshot inside its wheel (no network here, nor at run time)
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": MODEL_NAME}]})
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def recall(gold: list[list[tuple[str, int, int]]], predicted: list[list[tuple[str, int, int]]], kinds: dict[str, set[str]]) -> dict[str, tuple[int, int]]:
    result = {k: [0, 0] for k in KINDS}
    for g_spans, p_spans in zip(gold, predicted):
        for kind, start, end in g_spans:
            result[kind][1] += 1
            if any(p in kinds[kind] and ps < end and start < pe for p, ps, pe in p_spans):
                result[kind][0] += 1
    return {k: (v[0], v[1]) for k, v in result.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    records = json.loads((args.data / "presidio_synth" / "dev.json").read_text(encoding="utf-8"))
    texts = [r["full_text"] for r in records]
    gold = [[(s["entity_type"], s["start_position"], s["end_position"]) for s in r["spans"] if s["entity_type"] in KINDS] for r in records]

    analyzer = Analyzer(Directory())
    items = [Item(platform="bench", platform_id=str(i), account="bench", kind="comment", text=t, author=Author(name="public")) for i, t in enumerate(texts)]
    ours = [[(f.label, f.start, f.end) for f in found if f.category in ("student_pii", "personal_info") and f.start is not None] for found in analyzer.analyze(items)]
    ours_r = recall(gold, ours, {k: {v} for k, v in KINDS.items()})

    engine = presidio_analyzer()
    theirs = [[(r.entity_type, r.start, r.end) for r in engine.analyze(text=t, language="en")] for t in texts]
    theirs_r = recall(gold, theirs, PRESIDIO_KINDS)

    print(f"{len(texts)} sentences from {args.data / 'presidio_synth' / 'dev.json'}")
    print(f"{'entity':<16} {'gold':>5} {'hallwatch':>10} {'presidio':>9}")
    for kind in KINDS:
        (a, n), (b, _) = ours_r[kind], theirs_r[kind]
        print(f"{kind:<16} {n:5d} {a / n if n else 0:10.3f} {b / n if n else 0:9.3f}")


if __name__ == "__main__":
    main()

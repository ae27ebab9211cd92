"""The pipeline's findings vs the same components on docs the whole spaCy model parsed.

    .venv/bin/python benchmarks/pipeline_equivalence.py --data ../shared/data

classifiers.pipeline runs NER and the tagger/parser only on the docs where they could change a
finding. This checks, on every text we have (school dev items, OLID, Davidson, presidio_synth,
the speed benchmark's comments), that the findings are the same as with the whole model run on
every doc, and reports on how many docs each lazy component ran. Exit 1 on any difference.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import spacy  # noqa: E402
from classifier_speed import comments  # noqa: E402

from classifiers.contract import read_items  # noqa: E402
from classifiers.pipeline import COMPONENTS, MODEL_NAME, Analyzer  # noqa: E402
from connectors.items import Author, Item  # noqa: E402
from monitor.config import load_directory  # noqa: E402


class WholeModel(Analyzer):
    """The same components after the whole model on every doc (nothing left to run lazily)."""

    def __init__(self, directory) -> None:
        super().__init__(directory)
        nlp = spacy.load(MODEL_NAME)
        for name in COMPONENTS:
            nlp.add_pipe(name)
        self.nlp = nlp

    def _run(self, names, docs) -> None:
        pass


def corpora(data: Path) -> dict[str, list[Item]]:
    dev = read_items(data / "school" / "dev.jsonl").items
    accounts = sorted({item.account for item in dev})

    def items(texts: list[str]) -> list[Item]:
        return [Item(platform="facebook", platform_id=str(i), account=accounts[i % len(accounts)], kind="comment", text=t,
                     author=Author(name="someone")) for i, t in enumerate(texts)]

    with open(data / "olid" / "olid-training-v1.0.tsv", encoding="utf-8", newline="") as fh:
        olid = [row["tweet"] for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    with open(data / "davidson" / "labeled_data.csv", encoding="utf-8", newline="") as fh:
        davidson = [row["tweet"] for row in csv.DictReader(fh)][:4000]
    presidio = [record["full_text"] for record in json.loads((data / "presidio_synth" / "dev.json").read_text(encoding="utf-8"))]
    return {"school dev": dev, "OLID": items(olid), "Davidson (first 4,000)": items(davidson),
            "presidio_synth": items(presidio), "speed-benchmark comments": items(comments(3000, seed=11))}


def key(findings) -> list[tuple]:
    return sorted((f.category, f.start, f.end, f.label, f.severity, f.score) for f in findings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    directory = load_directory(args.data / "school" / "roster")
    lazy, whole = Analyzer(directory), WholeModel(directory)
    total_diff = 0
    print(f"{'texts':26s} {'items':>7s} {'differ':>7s} {'NER ran':>8s} {'tagged':>7s}")
    for name, items in corpora(args.data).items():
        lazy.lazy_runs.clear()
        ours = lazy.analyze(items)
        ner, tagged = lazy.lazy_runs["ner"], lazy.lazy_runs["tagger"]
        theirs = whole.analyze(items)
        differ = [item.text for item, a, b in zip(items, ours, theirs) if key(a) != key(b)]
        total_diff += len(differ)
        print(f"{name:26s} {len(items):7d} {len(differ):7d} {ner / len(items):8.0%} {tagged / len(items):7.0%}")
        for text in differ[:3]:
            print(f"    differs: {text[:100]!r}")
    print("identical findings" if not total_diff else f"{total_diff} item(s) differ")
    return 1 if total_diff else 0


if __name__ == "__main__":
    sys.exit(main())

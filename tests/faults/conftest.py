"""Helpers for the fault tests: real `hallwatch` processes against real databases and local servers.

- `division(tmp_path, accounts)`: a copy of the example division keeping only the named accounts,
  each reading the sample lines given (or, for a blog account, a feed URL).
- `target` (fixture, per engine): where the database is, as the environment a process gets
  (SQLite: a data folder; PostgreSQL: a fresh, empty database on the test server).
- `hallwatch(...)` runs the console script and waits; `start(...)` leaves it running.
- `StallingFeed`: an RSS server on loopback that can hold a request open until released.
- `ROSTER_NAMES`: names from the example students.csv, which no output may ever show.
Everything here is loopback and bounded in time.
"""
from __future__ import annotations

import csv
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "example"
HALLWATCH = Path(sys.executable).with_name("hallwatch")
ROSTER_NAMES = sorted({f"{r['first_name']} {r['last_name']}" for r in csv.DictReader(open(EXAMPLE / "students.csv", encoding="utf-8"))})


def division(folder: Path, accounts: dict[str, list[str] | str], *, data_dir: Path | None = None) -> Path:
    """A division folder with only `accounts` (example names): sample lines, or a feed URL for a blog."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("students.csv", "staff.csv"):
        shutil.copy(EXAMPLE / name, folder / name)
    config = yaml.safe_load((EXAMPLE / "division.yaml").read_text(encoding="utf-8"))
    by_name = {a["name"]: a for a in config["accounts"]}
    kept = []
    (folder / "samples").mkdir(exist_ok=True)
    for name, source in accounts.items():
        account = dict(by_name[name])
        if isinstance(source, str):
            account.pop("sample_file", None)
            account["handle"] = source
        else:
            (folder / "samples" / f"{name}.jsonl").write_text("".join(line + "\n" for line in source), encoding="utf-8")
            account["sample_file"] = f"samples/{name}.jsonl"
        kept.append(account)
    config["accounts"] = kept
    config["division"].pop("credentials_file", None)
    if data_dir is not None:
        config["division"]["data_dir"] = str(data_dir)
    (folder / "division.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return folder


def sample(account: str, count: int, start: int = 0) -> list[str]:
    """`count` harmless sample lines for `account`."""
    return [json.dumps({"id": f"{account}-{i}", "kind": "comment", "author": {"name": "A parent"},
                        "text": f"Thanks for the update about the field trip number {i}!", "created_at": "2026-11-16T15:00:00Z"})
            for i in range(start, start + count)]


@dataclass
class Target:
    engine: str
    env: dict[str, str]
    url: str

    def connect(self):  # noqa: ANN201
        return create_engine(self.url)


def base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("HALLWATCH_")}


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    env = base_env()
    if request.param == "sqlite":
        data = tmp_path / "data"
        env["HALLWATCH_DATA_DIR"] = str(data)
        yield Target("sqlite", env, f"sqlite:///{data / 'hallwatch.sqlite3'}")
        return
    admin_url = os.environ.get("HALLWATCH_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.skip("HALLWATCH_TEST_POSTGRES_URL is not set (run scripts/start-postgres.sh)")
    name = "hw_fault_" + uuid.uuid4().hex[:10]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))  # empty: `hallwatch init` makes the schema, as for real
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    env["HALLWATCH_DATABASE_URL"] = url
    env["HALLWATCH_DATA_DIR"] = str(tmp_path / "data")
    try:
        yield Target("postgres", env, url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def hallwatch(*args: str, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(HALLWATCH), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([str(HALLWATCH), *args], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, timeout: float = 120, what: str = "condition") -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def assert_no_student_data(output: str, *secrets: str) -> None:
    """No roster name and none of the flagged texts (`secrets`) in a process's output."""
    for needle in (*ROSTER_NAMES, *secrets):
        assert needle not in output, f"{needle!r} leaked into the output"
    for needle in ROSTER_NAMES:
        assert needle.split()[-1] not in output, f"a roster surname ({needle.split()[-1]!r}) leaked into the output"


class StallingFeed:
    """An RSS feed on 127.0.0.1 with `entries` posts. While `stall` is set, a request is held open
    (after `requested` is set) until `release` is set or the server stops."""

    def __init__(self, entries: int = 2) -> None:
        items = "".join(
            f"<item><title>Class news {i}</title><link>http://127.0.0.1/post-{i}</link><guid>post-{i}</guid>"
            f"<pubDate>Mon, 16 Nov 2026 15:0{i % 10}:00 GMT</pubDate><description>We planted seeds, week {i}.</description></item>"
            for i in range(entries))
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Class</title><link>http://127.0.0.1/</link>{items}</channel></rss>'.encode()
        self.stall, self.requested, self.release = threading.Event(), threading.Event(), threading.Event()
        feed = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                feed.requested.set()
                if feed.stall.is_set():
                    feed.release.wait(60)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass  # the client was killed meanwhile

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/feed.xml"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feed() -> Iterator[StallingFeed]:
    server = StallingFeed()
    try:
        yield server
    finally:
        server.close()


def counts(target: Target) -> dict[str, int]:
    """Items, distinct items, findings, distinct findings, pending items and runs by status."""
    engine = target.connect()
    try:
        with engine.connect() as conn:
            one = lambda sql: conn.execute(text(sql)).scalar_one()  # noqa: E731
            result = {
                "items": one("SELECT count(*) FROM items"),
                "distinct_items": one("SELECT count(*) FROM (SELECT DISTINCT account_id, platform_id FROM items) d"),
                "findings": one("SELECT count(*) FROM findings"),
                "distinct_findings": one("SELECT count(*) FROM (SELECT DISTINCT item_id, category, start, \"end\", label FROM findings) d"),
                "pending": one("SELECT count(*) FROM items WHERE classified_at IS NULL"),
                "quarantined": one("SELECT count(*) FROM quarantine WHERE resolved_at IS NULL"),
            }
            for status, n in conn.execute(text("SELECT status, count(*) FROM runs GROUP BY status")).all():
                result[f"runs_{status}"] = n
            return result
    finally:
        engine.dispose()

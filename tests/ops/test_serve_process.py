"""A real `hallwatch serve` process: it keeps cycling with the last good configuration when the
file turns invalid (and says so in a JSON line naming file:line), picks up an added account, and
answers /healthz and /metrics over HTTP with the database's real numbers.

The real pipeline runs on the example division's sample files; cycles come every 2 seconds
(`--run-every-seconds`), so the test takes about half a minute per database.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from monitor.db import Database
from monitor.models import Account, Finding, ReviewItem, StoredItem

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "example"
HALLWATCH = Path(sys.executable).with_name("hallwatch")
SECRET = "serve-test-secret-key-0123456789abcdefghijklmnop"
LATE_ACCOUNT = "dubois-grade2-blog"


class ServeLog:
    """The JSON lines the process writes to stderr (a file, so a full pipe never blocks it)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lines(self) -> list[dict[str, Any]]:
        out = []
        for raw in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            out.append(json.loads(raw))  # every line serve logs is JSON (uvicorn's too): any other fails here
        return out

    def wait_for(self, what: str, test: Callable[[dict[str, Any]], bool], after: int = 0, timeout: float = 120) -> tuple[int, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for index, line in enumerate(self.lines()):
                if index >= after and test(line):
                    return index, line
            time.sleep(0.2)
        raise AssertionError(f"no {what} in the serve log within {timeout} s:\n{self.path.read_text()[-4000:]}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def metrics(port: int) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            out.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return out


def by_account(samples: dict[tuple[tuple[str, str], ...], float]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for labels, value in samples.items():
        account = dict(labels)["account"]
        totals[account] = totals.get(account, 0) + value
    return totals


def test_serve_keeps_cycling_on_a_bad_config_picks_up_accounts_and_reports_health(db_url: str, tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(EXAMPLE, config)
    division_file = config / "division.yaml"
    raw = yaml.safe_load(division_file.read_text())
    late = next(a for a in raw["accounts"] if a["name"] == LATE_ACCOUNT)
    raw["accounts"].remove(late)
    division_file.write_text(yaml.safe_dump(raw, sort_keys=False))
    port = free_port()
    env = {**os.environ, "HALLWATCH_SECRET_KEY": SECRET, "HALLWATCH_DATABASE_URL": db_url}
    env.pop("HALLWATCH_DATA_DIR", None)
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as stderr:
        process = subprocess.Popen(
            [str(HALLWATCH), "serve", "--config", str(config), "--data-dir", str(tmp_path / "data"), "--port", str(port), "--run-every-seconds", "2"],
            env=env, stdout=subprocess.DEVNULL, stderr=stderr, cwd=tmp_path,
        )
    log = ServeLog(log_path)
    db = Database(db_url)
    try:
        # the first cycle polls the six accounts and files their findings
        at, first = log.wait_for("first cycle", lambda e: e.get("event") == "cycle_finished" and e["accounts_polled"] == 6)
        assert first["status"] == "ok" and isinstance(first["run_id"], int)
        polled = [e for e in log.lines()[:at] if e.get("event") == "account"]
        assert {e["account"] for e in polled} == {a["name"] for a in raw["accounts"]}
        assert all(e["run_id"] == first["run_id"] and e["status"] == "ok" for e in polled)

        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert health.status_code == 200
        assert health.json()["status"] == "ok" and health.json()["database"] == "ok"
        assert health.json()["last_cycle"]["run_id"] >= first["run_id"]

        scraped = metrics(port)
        with db.sessions() as session:
            names = dict(session.execute(select(Account.id, Account.name)).tuples().all())
            stored = {names[a]: n for a, n in session.execute(select(StoredItem.account_id, func.count()).group_by(StoredItem.account_id))}
            depth = session.scalar(select(func.count()).select_from(ReviewItem).where(ReviewItem.active.is_(True)))
            filed = session.scalar(select(func.count()).select_from(Finding))
        items = by_account(scraped["hallwatch_items"])
        assert {a: int(n) for a, n in items.items() if n} == stored
        for account in raw["accounts"]:  # one item per line of each sample file
            lines = (config / account["sample_file"]).read_text().strip().splitlines()
            assert items[account["name"]] == len(lines)
        assert depth and sum(scraped["hallwatch_queue_depth"].values()) == depth
        assert filed and sum(scraped["hallwatch_findings"].values()) == filed
        assert scraped["hallwatch_database_up"][()] == 1
        assert scraped["hallwatch_run_duration_seconds_count"][()] >= 1
        assert sum(by_account(scraped["hallwatch_account_errors_total"]).values()) == 0

        # an invalid date: the problem is logged with file:line and field, and cycles go on
        text = division_file.read_text()
        line = text.splitlines().index(next(t for t in text.splitlines() if t.strip().startswith("registered:"))) + 1
        division_file.write_text(text.replace("registered: 2021-08-16", "registered: 2021-02-30", 1))
        at, invalid = log.wait_for("config_invalid", lambda e: e.get("event") == "config_invalid", after=at)
        assert any(p.startswith(f"division.yaml:{line}: accounts[prairie-hills-sd-fb].registered:") and "not a date" in p for p in invalid["problems"])
        assert "2021-02-30" not in json.dumps(invalid)  # values are hidden in the log
        at, kept = log.wait_for("a cycle after the bad config", lambda e: e.get("event") == "cycle_finished", after=at)
        assert kept["status"] == "ok"
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert health.status_code == 200 and health.json()["configuration"].startswith("invalid (1 problem(s)")

        # fixed, with an account added: it is picked up and polled in the next cycle
        raw["accounts"].append(late)
        division_file.write_text(yaml.safe_dump(raw, sort_keys=False))
        at, reloaded = log.wait_for("config_reloaded", lambda e: e.get("event") == "config_reloaded", after=at)
        assert reloaded["accounts_added"] == [LATE_ACCOUNT]
        at, polled_late = log.wait_for("the added account polled", lambda e: e.get("event") == "account" and e["account"] == LATE_ACCOUNT, after=at)
        assert polled_late["status"] == "ok" and polled_late["new_items"] == 3
        log.wait_for("its cycle finished", lambda e: e.get("event") == "cycle_finished", after=at)
        assert by_account(metrics(port)["hallwatch_items"])[LATE_ACCOUNT] == 3
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).json()["configuration"] == "ok"
        assert process.poll() is None  # still serving
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        db.dispose()
    output = log_path.read_text()
    assert SECRET not in output
    with (EXAMPLE / "students.csv").open(newline="") as handle:
        for student in csv.DictReader(handle):
            assert f"{student['first_name']} {student['last_name']}" not in output


def test_healthz_says_503_when_the_database_is_gone_or_no_cycle_finished(tmp_path: Path) -> None:
    from datetime import datetime, timedelta, timezone

    from monitor.web.health import health

    db = Database(f"sqlite:///{tmp_path / 'hallwatch.sqlite3'}")
    db.migrate()
    now = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    fresh, _ = health(db, stale_after=timedelta(minutes=15), started_at=now - timedelta(minutes=1), now=now)
    assert fresh == 200  # just started: no cycle yet is fine for a while
    status, body = health(db, stale_after=timedelta(minutes=15), started_at=now - timedelta(hours=1), now=now)
    assert status == 503 and body["problem"] == "no monitoring cycle has finished"
    from monitor.models import Run
    with db.transaction() as session:
        session.add(Run(started_at=now - timedelta(minutes=31), finished_at=now - timedelta(minutes=30), status="ok", trigger="cli"))
    status, body = health(db, stale_after=timedelta(minutes=15), started_at=now - timedelta(hours=1), now=now)
    assert status == 503 and body["last_cycle"]["age_seconds"] == 1800 and "1800 s ago" in body["problem"]
    assert health(db, stale_after=timedelta(minutes=45), started_at=now, now=now)[0] == 200
    (tmp_path / "hallwatch.sqlite3").unlink()
    status, body = health(db, stale_after=timedelta(minutes=15), started_at=now, now=now)
    assert status == 503 and body["database"] == "unreachable"
    assert not (tmp_path / "hallwatch.sqlite3").exists()  # the check did not create an empty database
    db.dispose()

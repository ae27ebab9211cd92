"""Real `hallwatch run` processes on SQLite and PostgreSQL meeting the faults of issue 10: poison
items, SIGKILL while fetching and while classifying, the lock held, two folders on one database,
a SQLite file deleted mid-run. The real classifier runs in each process (spaCy loads each time).
PostgreSQL stopped before and mid-run is in test_database_stopped.py.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from tests.faults.conftest import (REPO, Target, assert_no_student_data, counts, division, hallwatch, sample, start,
                                   wait_for)

# flagged texts with roster names: none of this may reach a terminal or a log line
ALLERGY = "Harper Lindqvist in grade 2 has a severe peanut allergy, her mom's cell is 780-555-0199"
GIANT = ("Oliver Mbeki in grade 4 was absent again today. " * 25_000)  # 1.2 M characters: over spaCy's 1,000,000
CUT = "Ollie Mbeki from grade 4 \ud83d needs his inhaler"  # a cut emoji: a lone surrogate
NUL = "Harper Lindqvist\u0000 grade 2 lives at 14 Aspen Crescent"


def line(ident: str, text: str, **extra: object) -> str:
    return json.dumps({"id": ident, "kind": "comment", "author": {"name": "A parent"}, "text": text, "created_at": "2026-11-16T15:00:00Z", **extra})


def poison_division(tmp_path: Path, postgres: bool) -> Path:
    # an author id sent as a number too big for any integer column: made text at the boundary
    odd = [line("cv-bigid", "Nice game!", author={"name": "A fan", "id": 123456789012345678901234567890})]
    # what survives the boundary and the database still refuses: an id over items.platform_id's
    # 200 characters (PostgreSQL enforces it, SQLite does not)
    refused = [line("cv-" + "9" * 250, "Go team!")] if postgres else []
    return division(tmp_path / "config", {
        "prairie-hills-sd-fb": [line("ph-giant", GIANT), *sample("ph", 2)],
        "prairie-hills-sd-x": [line("px-cut", CUT), *sample("px", 1)],
        "willow-creek-elementary-fb": [line("wc-nul", NUL), line("wc-allergy", ALLERGY)],
        "cedar-valley-middle-ig": [*odd, *refused, *sample("cv", 2)],
        "northgate-high-fb": sample("nh", 3),
    })


def test_poison_items_are_set_aside_and_nothing_reaches_the_output(target: Target, tmp_path: Path) -> None:
    config = poison_division(tmp_path, target.engine == "postgres")
    assert hallwatch("init", "--config", str(config), env=target.env).returncode == 0
    run = hallwatch("-v", "run", "--config", str(config), env=target.env)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert_no_student_data(output, "peanut", "Aspen Crescent", "inhaler", "absent again")
    assert "run 1: ok" in run.stdout
    refused = 1 if target.engine == "postgres" else 0
    assert f"cedar-valley-middle-ig           ok      fetched {3 + refused:>4}  new    3" in run.stdout
    assert ("quarantined 1 (hallwatch quarantine list)" in run.stdout) == bool(refused)
    after = counts(target)
    stored = 3 + 2 + 2 + 3 + 3
    assert after["items"] == after["distinct_items"] == stored
    assert after["pending"] == 0 and after["quarantined"] == refused
    assert after["findings"] == after["distinct_findings"] > 0
    engine = target.connect()
    with engine.connect() as conn:
        texts = dict(conn.execute(text("SELECT platform_id, text FROM items")).all())
        pii = conn.execute(text("SELECT count(*) FROM findings f JOIN items i ON i.id = f.item_id WHERE i.platform_id IN ('wc-nul', 'px-cut', 'ph-giant', 'wc-allergy') AND f.category = 'student_pii'")).scalar_one()
    engine.dispose()
    assert texts["ph-giant"] == GIANT, "the whole text is stored"
    assert texts["px-cut"] == CUT.replace("\ud83d", "\ufffd") and texts["wc-nul"] == NUL.replace("\x00", "\ufffd")
    assert pii >= 3, "the cleaned and the bounded texts are still classified"

    status = hallwatch("status", "--config", str(config), env=target.env)
    assert status.returncode == 0
    assert ("quarantined: 1 item(s) (hallwatch quarantine list); latest: store: StringDataRightTruncation (SQLSTATE 22001)" in status.stdout) == bool(refused)
    assert_no_student_data(status.stdout + status.stderr, "peanut", "Aspen Crescent", "inhaler")

    again = hallwatch("run", "--all", "--config", str(config), env=target.env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert counts(target) == {**after, "runs_ok": 2}, "the next run adds and duplicates nothing"

    if target.engine == "postgres":
        listed = hallwatch("quarantine", "list", "--config", str(config), env=target.env)
        assert "cv-99999" in listed.stdout and " store " in listed.stdout
        retry = hallwatch("quarantine", "retry", "--all", "--config", str(config), env=target.env)
        assert retry.returncode == 4 and "1 item(s) retried, 0 recovered, 1 still quarantined" in retry.stdout
        # the operator fixes the cause: the retry stores it from the quarantine, whole
        engine = target.connect()
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE items ALTER COLUMN platform_id TYPE varchar(400)"))
        engine.dispose()
        retry = hallwatch("quarantine", "retry", "--all", "--config", str(config), env=target.env)
        assert retry.returncode == 0, retry.stdout + retry.stderr
        assert "1 item(s) retried, 1 recovered, 0 still quarantined" in retry.stdout
        fixed = counts(target)
        assert fixed["items"] == stored + 1 and fixed["quarantined"] == 0 and fixed["pending"] == 0


def test_sigkill_while_fetching_a_second_folder_is_refused_and_the_next_run_recovers(target: Target, tmp_path: Path, feed) -> None:  # noqa: ANN001
    accounts = {"northgate-high-fb": sample("nh", 3), "dubois-grade2-blog": feed.url}
    folder_a = division(tmp_path / "a", accounts)
    folder_b = division(tmp_path / "b", accounts)
    env_b = dict(target.env, HALLWATCH_DATA_DIR=str(tmp_path / "b-data"))
    assert hallwatch("init", "--config", str(folder_a), env=target.env).returncode == 0
    if target.engine == "sqlite":
        # folder b's data directory holds the same database file, through a link
        (tmp_path / "b-data").mkdir()
        (tmp_path / "b-data" / "hallwatch.sqlite3").symlink_to(Path(target.env["HALLWATCH_DATA_DIR"]) / "hallwatch.sqlite3")

    feed.stall.set()
    first = start("run", "--config", str(folder_a), env=target.env)
    try:
        wait_for(feed.requested.is_set, what="the run to fetch the feed")
        second = hallwatch("run", "--config", str(folder_b), env=env_b)
        assert second.returncode == 3, second.stdout + second.stderr
        assert "another hallwatch run is in progress" in second.stderr
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    finally:
        if first.poll() is None:
            first.kill()
    killed = counts(target)
    assert killed["items"] == killed["distinct_items"] == 3 and killed["pending"] == 0  # the account before the feed committed
    assert killed["runs_running"] == 1
    status = hallwatch("status", "--config", str(folder_a), env=target.env)
    assert "dead (left running by a process that was killed" in status.stdout

    feed.stall.clear()
    recovered = hallwatch("run", "--config", str(folder_b), env=env_b)  # either folder: it is one database
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert "dubois-grade2-blog" in recovered.stdout and "new    2" in recovered.stdout
    after = counts(target)
    assert after["items"] == after["distinct_items"] == 5 and after["pending"] == 0
    assert after["runs_interrupted"] == 1 and after["runs_ok"] == 1


def test_sigkill_while_classifying_loses_and_duplicates_nothing(target: Target, tmp_path: Path) -> None:
    lines = [line(f"nh-{i}", f"Our staff wifi password is maple{i}" if i % 10 == 0 else f"Great game last night, number {i}!") for i in range(1200)]
    config = division(tmp_path / "config", {"northgate-high-fb": lines})
    assert hallwatch("init", "--config", str(config), env=target.env).returncode == 0
    engine = target.connect()

    def classifying() -> bool:
        with engine.connect() as conn:
            done = conn.execute(text("SELECT count(*) FROM items WHERE classified_at IS NOT NULL")).scalar_one()
        return 0 < done < 1200

    proc = start("run", "--config", str(config), env=target.env)
    try:
        wait_for(classifying, what="classification to be under way")
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
        engine.dispose()
    killed = counts(target)
    assert killed["items"] == 1200 and 0 < killed["pending"] < 1200
    assert killed["findings"] == killed["distinct_findings"]
    again = hallwatch("run", "--all", "--config", str(config), env=target.env)
    assert again.returncode == 0, again.stdout + again.stderr
    after = counts(target)
    assert after["items"] == after["distinct_items"] == 1200 and after["pending"] == 0
    assert after["findings"] == after["distinct_findings"] >= 120  # every password post, once
    assert after["runs_interrupted"] == 1


HOLD = """
import sys
from monitor.db import Database
from monitor.locks import run_lock
db = Database(sys.argv[1], create=False)
with run_lock(db):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_a_lock_held_by_another_process_refuses_run_and_import(target: Target, tmp_path: Path) -> None:
    config = division(tmp_path / "config", {"prairie-hills-sd-x": sample("px", 2)})
    assert hallwatch("init", "--config", str(config), env=target.env).returncode == 0
    archive = tmp_path / "tweets.js"
    archive.write_text('window.YTD.tweets.part0 = [{"tweet": {"id_str": "1", "full_text": "Snow day!", "created_at": "Sat Oct 11 17:05:52 +0000 2025"}}]', encoding="utf-8")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, target.url], cwd=REPO, env=dict(os.environ), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        run = hallwatch("run", "--config", str(config), env=target.env)
        assert run.returncode == 3, run.stdout + run.stderr
        assert "another hallwatch run is in progress" in run.stderr
        imported = hallwatch("import", "x-archive", str(archive), "--account", "prairie-hills-sd-x", "--config", str(config), env=target.env)
        assert imported.returncode == 3, imported.stdout + imported.stderr
    finally:
        holder.communicate("\n", timeout=30)
    assert counts(target)["items"] == 0
    assert hallwatch("run", "--config", str(config), env=target.env).returncode == 0


def test_a_sqlite_file_deleted_mid_run_stops_it_with_exit_5(tmp_path: Path, feed) -> None:  # noqa: ANN001
    from tests.faults.conftest import base_env

    data = tmp_path / "data"
    env = dict(base_env(), HALLWATCH_DATA_DIR=str(data))
    config = division(tmp_path / "config", {"dubois-grade2-blog": feed.url, "northgate-high-fb": sample("nh", 3)})
    assert hallwatch("init", "--config", str(config), env=env).returncode == 0
    feed.stall.set()
    proc = start("run", "--config", str(config), env=env)
    try:
        wait_for(feed.requested.is_set, what="the run to fetch the feed")
        for name in ("hallwatch.sqlite3", "hallwatch.sqlite3-wal", "hallwatch.sqlite3-shm"):
            (data / name).unlink(missing_ok=True)
        feed.release.set()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 5, out + err
    assert f"the database file {data / 'hallwatch.sqlite3'} was deleted while in use; the run stopped" in err
    assert not (data / "hallwatch.sqlite3").exists(), "nothing recreated it"
    again = hallwatch("run", "--config", str(config), env=env)
    assert again.returncode == 5
    assert f"no database at {data / 'hallwatch.sqlite3'}; run `hallwatch init --config {config}` first" in again.stderr

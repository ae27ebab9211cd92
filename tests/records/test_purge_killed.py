"""A real `hallwatch purge` killed with SIGKILL inside a batch leaves every item whole or fully purged."""
from __future__ import annotations

import os
import select as io_select
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from monitor.db import Database
from monitor.models import AuditEntry, ItemVersion, StoredItem
from monitor.records.retention import PAUSE_ENV
from tests.records.conftest import WILLOW, division_with, stored

HALLWATCH = Path(sys.executable).parent / "hallwatch"
ITEMS, BATCH = 25, 5


def wait_for(proc: subprocess.Popen, text: str, seconds: float = 120) -> str:
    """stderr lines until one holds `text` (or the process ends, or time runs out)."""
    seen, end = "", time.monotonic() + seconds
    assert proc.stderr is not None
    while time.monotonic() < end:
        ready, _, _ = io_select.select([proc.stderr], [], [], 1.0)
        if ready:
            line = proc.stderr.readline()
            if not line:
                break
            seen += line
            if text in line:
                return seen
        elif proc.poll() is not None:
            break
    raise AssertionError(f"never saw {text!r}; stderr: {seen}")


def whole_or_purged(db: Database) -> tuple[int, int]:
    """(whole, purged), asserting that no item is anything in between."""
    whole = purged = 0
    with db.sessions() as s:
        for row in s.scalars(select(StoredItem)):
            old = [v.text for v in s.scalars(select(ItemVersion).where(ItemVersion.item_id == row.id))]
            if row.purged_at is None:
                assert row.text and row.author_name and row.raw and row.media and old and all(old), f"item {row.id} half-purged"
                whole += 1
            else:
                assert (row.text, row.author_name, row.raw, row.media, old) == ("", "", {}, [], [""]), f"item {row.id} half-purged"
                purged += 1
    return whole, purged


def test_purge_killed_midway_leaves_nothing_half_removed_and_a_rerun_finishes(db, db_url, tmp_path: Path) -> None:
    config, division = division_with(tmp_path, "\nretention:\n  default:\n    without_findings_days: 30\n")
    with db.transaction() as s:
        for _ in range(ITEMS):
            stored(s, division, WILLOW, age_days=60)
    env = {**os.environ, "HALLWATCH_DATABASE_URL": db_url, PAUSE_ENV: "3"}
    command = [str(HALLWATCH), "purge", "--config", str(config), "--data-dir", str(tmp_path / "data"), "--batch-size", str(BATCH)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # batch 3 has blanked its rows in its open transaction when this line appears
        wait_for(proc, "purge paused in batch 3")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert whole_or_purged(db) == (ITEMS - 2 * BATCH, 2 * BATCH)
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "purge")) == 2

    env.pop(PAUSE_ENV)
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"purged {ITEMS - 2 * BATCH:>6}  without findings after 30 days (default)" in rerun.stdout
    assert "Ava" not in rerun.stdout + rerun.stderr
    assert whole_or_purged(db) == (0, ITEMS)
    with db.sessions() as s:
        counted = sum(e.after["items"] for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "purge")))
    assert counted == ITEMS

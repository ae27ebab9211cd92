"""One monitor per database: cron, a systemd timer, `serve` and an operator may all start a cycle,
from the same folder or from two folders that point at the same database.

The lock therefore belongs to the database, not to a data directory:
- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its own,
  held for the whole run; the server releases it when that connection ends, so a killed process
  never leaves it behind.
- SQLite: an flock on `<database file>.lock` beside the database file; the kernel releases it when
  the process dies.
`hallwatch run`, the scheduler's cycle and `hallwatch import` take it; `status` only peeks at it to
tell a run that is going on from one that died.
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import text

from monitor.db import Database, database_url, sqlite_path
from monitor.errors import HallwatchError

# the advisory lock's key: "hallwatch" in ASCII, read as a number (any fixed bigint would do)
ADVISORY_KEY = int.from_bytes(b"hallwat", "big")


class RunInProgress(HallwatchError):
    pass


def lock_path(db_path: Path) -> Path:
    """Beside the database file itself: a symlink to it from another folder finds the same lock."""
    real = db_path.resolve()
    return real.with_name(real.name + ".lock")


@contextmanager
def run_lock(target: Database | Path) -> Iterator[None]:
    """Hold the database's run lock, or raise RunInProgress at once.

    `target` is the open Database, or a data directory: then the database that directory's
    configuration names is locked (HALLWATCH_DATABASE_URL, else the SQLite file in it), so callers
    that only know the folder still exclude runs started from any other folder.
    """
    if isinstance(target, Database):
        db, own = target, False
    else:
        url = database_url(target)
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)  # the folder only: never a database
            with _file_lock(path):
                yield
            return
        db, own = Database(url, create=False), True
    try:
        if db.path is not None:
            with _file_lock(db.path):
                yield
        else:
            with _advisory_lock(db):
                yield
    finally:
        if own:
            db.dispose()


@contextmanager
def _file_lock(db_path: Path) -> Iterator[None]:
    path = lock_path(db_path)
    handle: IO[str] = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RunInProgress(f"another hallwatch run is in progress (pid {holder}); {path} is locked") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


@contextmanager
def _advisory_lock(db: Database) -> Iterator[None]:
    # a connection of its own, out of the pool: the lock lives exactly as long as this connection
    conn = db.engine.connect()
    try:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar_one()
        conn.commit()
        if not got:
            holder = conn.execute(
                text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = :lo AND classid = :hi LIMIT 1"),
                {"lo": ADVISORY_KEY & 0xFFFFFFFF, "hi": ADVISORY_KEY >> 32},
            ).scalar()
            conn.rollback()
            who = f"server pid {holder}" if holder else "another session"
            raise RunInProgress(f"another hallwatch run is in progress ({who} holds the run lock of {db.display})")
        try:
            yield
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                conn.commit()
            except Exception:  # noqa: BLE001  (the server is gone: so is the lock)
                conn.invalidate()
    finally:
        conn.close()


def lock_is_free(db: Database) -> bool:
    """Whether no process holds the run lock now (a 'running' run is then a dead one)."""
    try:
        with run_lock(db):
            return True
    except RunInProgress:
        return False

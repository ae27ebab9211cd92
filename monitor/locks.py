"""One monitoring cycle at a time: cron, a systemd timer and an operator may all start one."""
from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from monitor.errors import HallwatchError


class RunInProgress(HallwatchError):
    pass


@contextmanager
def run_lock(data_dir: Path) -> Iterator[None]:
    """An exclusive lock file in the data directory; released by the kernel if the process dies."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "run.lock"
    handle = path.open("a+")
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

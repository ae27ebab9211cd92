"""PostgreSQL stopped mid-run and before a run: a throwaway server of this test's own (pg_ctl on a
free port), so stopping it disturbs nobody else. The run says the database cannot be used and
exits 5; once the server is back, the next run marks the dead one and carries on.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.conftest import Target, base_env, counts, division, hallwatch, sample, start, wait_for

BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


class Server:
    """initdb + pg_ctl as the postgres user (PostgreSQL refuses to run as root)."""

    def __init__(self) -> None:
        if BIN is None:
            pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
        self.dir = Path(tempfile.mkdtemp(prefix="hallwatch-fault-pg-"))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.runas = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") and _is_root() else []
        if self.runas:
            shutil.chown(self.dir, "postgres", "postgres")
        self._pg("initdb", "-D", str(self.dir / "db"), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg(self, tool: str, *args: str) -> None:
        subprocess.run([*self.runas, str(BIN / tool), *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._pg("pg_ctl", "-D", str(self.dir / "db"), "-l", str(self.dir / "server.log"), "-w", "-o",
                 f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} -c fsync=off", "start")

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.dir / "db"), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


def _is_root() -> bool:
    import os

    return os.geteuid() == 0


@pytest.fixture
def server() -> Iterator[Server]:
    pg = Server()
    pg.start()
    try:
        yield pg
    finally:
        pg.remove()


def test_postgresql_stopped_mid_run_and_before_a_run(server: Server, tmp_path: Path, feed) -> None:  # noqa: ANN001
    env = dict(base_env(), HALLWATCH_DATABASE_URL=server.url, HALLWATCH_DATA_DIR=str(tmp_path / "data"))
    target = Target("postgres", env, server.url)
    config = division(tmp_path / "config", {"northgate-high-fb": sample("nh", 3), "dubois-grade2-blog": feed.url})
    assert hallwatch("init", "--config", str(config), env=env).returncode == 0

    # stopped while the run waits on the feed: the next write finds no server
    feed.stall.set()
    proc = start("run", "--config", str(config), env=env)
    try:
        wait_for(feed.requested.is_set, what="the run to fetch the feed")
        server.stop()
        feed.release.set()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 5, out + err
    assert err.startswith("error: the database cannot be used (OperationalError")
    assert "the cycle stopped after 1 account(s)" in err
    assert "Traceback" not in err

    # still stopped: every command says so at once, with the same exit status
    for args in (["run"], ["status"]):
        refused = hallwatch(*args, "--config", str(config), env=env)
        assert refused.returncode == 5, refused.stdout + refused.stderr
        assert refused.stderr.startswith("error: the database cannot be used: OperationalError") and "connection refused" in refused.stderr

    # back again: the dead run is marked, nothing stored was lost or doubled, the feed is read
    server.start()
    feed.stall.clear()
    again = hallwatch("run", "--config", str(config), env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    after = counts(target)
    assert after["items"] == after["distinct_items"] == 5 and after["pending"] == 0
    assert after["runs_interrupted"] == 1 and after["runs_ok"] == 1

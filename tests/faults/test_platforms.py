"""Every platform through every network fault, in real `hallwatch run` processes on SQLite and PostgreSQL.

One division of 49 accounts (per platform: one healthy account and one for each fault) points at a
local threaded server through `options.base_url` (a blog through its feed URL), with fake tokens in
the environment. Three runs:
1. all healthy: every account stores its first posts and a cursor;
2. two newer posts on every account, and each fault account misbehaves its own way: it fails with a
   clear error naming it while its cursor and stored items stay as they were; the healthy accounts
   of the same run, and the rate-limited one (after its wait, recorded), store the new posts;
3. the server healthy again: every account has every post, each stored once, and the run is ok.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from monitor import exitcodes
from tests.conftest import _fresh_postgres
from tests.faults.platform_server import PlatformServer, dead_port, page_id

REPO = Path(__file__).resolve().parents[2]
HALLWATCH = Path(sys.executable).with_name("hallwatch")
PLATFORMS = ("facebook", "x", "instagram", "youtube", "blog", "bluesky", "mastodon")
CASES = ("healthy", "truncated", "trickle", "huge", "limited", "unavailable", "refused")
ADMINS = "[marcus.delacroix@prairiehills-sd.ca, tessa.nakamura@prairiehills-sd.ca]"
TOKENS = {"HW_FAULT_FB_TOKEN": "EAAfaultfaketoken", "HW_FAULT_X_TOKEN": "AAAAfaultfakebearer", "HW_FAULT_IG_TOKEN": "IGQfaultfake", "HW_FAULT_YT_KEY": "AIzaFaultFakeKey",
          "HW_FAULT_BSKY_PASSWORD": "bsky-fault-fake-pass", "HW_FAULT_MD_TOKEN": "mdfaultfaketoken"}
CREDENTIALS = {
    "facebook": "{access_token: env:HW_FAULT_FB_TOKEN}", "x": "{bearer_token: env:HW_FAULT_X_TOKEN}",
    "instagram": "{access_token: env:HW_FAULT_IG_TOKEN}", "youtube": "{api_key: env:HW_FAULT_YT_KEY}", "blog": "{}",
    "bluesky": "{app_password: env:HW_FAULT_BSKY_PASSWORD}", "mastodon": "{access_token: env:HW_FAULT_MD_TOKEN}",
}
# what the run prints for each fault (the account's error line)
EXPECTED_ERROR = {
    "truncated": ("not whole JSON", "does not parse whole"),
    "trickle": ("within its deadline of 2 s",),
    "huge": ("larger than 20 MiB",),
    "unavailable": ("HTTP 503 without Retry-After",),
    "refused": ("unreachable (ConnectError)", "unreachable (ConnectionError)", "could not be fetched (ConnectError)"),
}


def key(platform: str, case: str) -> str:
    return f"{platform}-{case}"


def account_yaml(server: PlatformServer, platform: str, case: str, *, broken: bool) -> str:
    name = key(platform, case)
    origin = f"http://127.0.0.1:{dead_port()}" if broken and case == "refused" else server.origin
    options: dict[str, object] = {}
    if platform == "blog":
        handle = f"{origin}/{name}/feed/"
    else:
        handle = f"UC{name}" if platform == "youtube" else page_id(name)
        options["base_url"] = f"{origin}/{name}"
    if case == "trickle":
        options["fetch_deadline_seconds"] = 2
    return (
        f"  - name: {name}\n    platform: {platform}\n    handle: {json.dumps(handle)}\n    administrators: {ADMINS}\n"
        f"    credentials: {CREDENTIALS[platform]}\n    options: {json.dumps(options)}\n"
    )


def write_division(folder: Path, server: PlatformServer, *, broken: bool) -> None:
    example = REPO / "config" / "example"
    head = (example / "division.yaml").read_text(encoding="utf-8").split("\naccounts:")[0]
    head = head.replace("credentials_file: credentials.env", "credentials_file: null")
    accounts = "".join(account_yaml(server, p, c, broken=broken) for p in PLATFORMS for c in CASES)
    (folder / "division.yaml").write_text(head + "\naccounts:\n" + accounts, encoding="utf-8")


def hallwatch(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(HALLWATCH), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


class Store:
    """What the run left in the database, read directly (SQLite file or PostgreSQL URL)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def query(self, sql: str, **params: object) -> list[tuple]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return [tuple(row) for row in conn.execute(text(sql), params)]
        finally:
            engine.dispose()

    def items(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name, pid in self.query("SELECT a.name, i.platform_id FROM items i JOIN accounts a ON a.id = i.account_id ORDER BY i.id"):
            found.setdefault(name, []).append(pid)
        return found

    def cursors(self) -> dict[str, str | None]:
        return dict(self.query("SELECT a.name, c.value FROM cursors c JOIN accounts a ON a.id = c.account_id"))

    def last_run(self) -> dict[str, tuple[str, str | None, list[str]]]:
        (run_id,) = self.query("SELECT max(id) FROM runs")[0]
        rows = self.query("SELECT a.name, r.status, r.error, r.events FROM run_accounts r JOIN accounts a ON a.id = r.account_id WHERE r.run_id = :run", run=run_id)
        return {name: (status, error, json.loads(events) if isinstance(events, str) else events) for name, status, error, events in rows}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The three runs on each engine, with what each left behind."""
    folder = tmp_path_factory.mktemp("division")
    data = tmp_path_factory.mktemp("data")
    for csv in ("students.csv", "staff.csv"):
        shutil.copy(REPO / "config" / "example" / csv, folder / csv)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLWATCH_")} | TOKENS
    if request.param == "sqlite":
        store = Store(f"sqlite:///{data / 'hallwatch.sqlite3'}")
    else:
        # a fresh, empty PostgreSQL database (dropped at the end); `hallwatch init` migrates it
        fresh = _fresh_postgres(request.getfixturevalue("postgres_template"))
        url = next(fresh)
        request.addfinalizer(fresh.close)
        env["HALLWATCH_DATABASE_URL"] = url
        store = Store(url)
    args = ("--config", str(folder), "--data-dir", str(data))
    with PlatformServer() as server:
        expected: dict[str, list[str]] = {}
        for platform in PLATFORMS:
            for case in CASES:
                server.account(key(platform, case), platform)
                expected[key(platform, case)] = server.add_posts(key(platform, case), 2)
        write_division(folder, server, broken=False)
        init = hallwatch("init", *args, env=env)
        assert init.returncode == 0, init.stdout + init.stderr
        first = hallwatch("run", "--all", *args, env=env)
        before = {"items": store.items(), "cursors": store.cursors(), "run": store.last_run()}

        for name in expected:
            expected[name] += server.add_posts(name, 2)
        for platform in PLATFORMS:
            for case in CASES[1:]:
                if case != "refused":
                    server.faults[key(platform, case)] = case
        write_division(folder, server, broken=True)
        server.reset_hits()
        faulty = hallwatch("run", "--all", *args, env=env)
        during = {"items": store.items(), "cursors": store.cursors(), "run": store.last_run(), "sent": dict(server.sent)}

        server.faults.clear()
        write_division(folder, server, broken=False)
        recovery = hallwatch("run", "--all", *args, env=env)
        after = {"items": store.items(), "cursors": store.cursors(), "run": store.last_run()}
    return {"first": first, "faulty": faulty, "recovery": recovery, "before": before, "during": during, "after": after, "expected": expected}


def test_first_run_stores_every_account(runs) -> None:
    assert runs["first"].returncode == 0, runs["first"].stdout + runs["first"].stderr
    for name, ids in runs["expected"].items():
        assert sorted(runs["before"]["items"][name]) == sorted(ids[:2]), name
        assert runs["before"]["cursors"][name], name


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("case", [c for c in CASES if c not in ("healthy", "limited")])
def test_a_fault_fails_only_its_account_and_keeps_its_cursor(runs, platform: str, case: str) -> None:
    name = key(platform, case)
    status, error, _ = runs["during"]["run"][name]
    assert status == "failed"
    assert error and name in error and any(text in error for text in EXPECTED_ERROR[case]), error
    line = next(l for l in runs["faulty"].stdout.splitlines() if l.startswith(name + " "))
    assert "failed" in line and error in line
    assert "127.0.0.1" not in error and "TOKEN" not in error.upper() and "fake" not in error
    # nothing of the two new posts got in, nothing old went, the cursor did not move
    assert runs["during"]["items"][name] == runs["before"]["items"][name]
    assert runs["during"]["cursors"][name] == runs["before"]["cursors"][name]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_deadline_stops_a_trickling_body_and_the_cap_a_50_mb_one(runs, platform: str) -> None:
    sent = runs["during"]["sent"]
    # the trickle was under way (the deadline cut the body, not the connection), and far from done
    assert 2 <= sent[key(platform, "trickle")] < 100
    # the client hung up on the 50 MB body well before its end (socket buffers hold a few MB)
    assert sent[key(platform, "huge")] < 45 * 1000 * 1000


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_other_accounts_of_the_faulty_run_complete(runs, platform: str) -> None:
    assert runs["faulty"].returncode == exitcodes.ACCOUNTS_FAILED, runs["faulty"].stdout + runs["faulty"].stderr
    name = key(platform, "healthy")
    assert runs["during"]["run"][name][0] == "ok"
    assert sorted(runs["during"]["items"][name]) == sorted(runs["expected"][name])
    assert runs["during"]["cursors"][name] != runs["before"]["cursors"][name]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_retry_after_is_waited_for_recorded_and_then_succeeds(runs, platform: str) -> None:
    name = key(platform, "limited")
    status, error, events = runs["during"]["run"][name]
    assert (status, error) == ("ok", None)
    assert any(e.startswith(f"{platform}: rate limited (try 1/4); waited 1.") for e in events), events
    assert sorted(runs["during"]["items"][name]) == sorted(runs["expected"][name])


def test_the_next_run_recovers_every_account_with_nothing_lost_or_doubled(runs) -> None:
    recovery = runs["recovery"]
    assert recovery.returncode == 0, recovery.stdout + recovery.stderr
    assert {status for status, _, _ in runs["after"]["run"].values()} == {"ok"}
    for name, ids in runs["expected"].items():
        assert sorted(runs["after"]["items"][name]) == sorted(ids), name  # every post, each once


def test_no_traceback_and_no_token_in_the_output(runs) -> None:
    for run in ("first", "faulty", "recovery"):
        text = runs[run].stdout + runs[run].stderr
        assert "Traceback" not in text
        for token in TOKENS.values():
            assert token not in text

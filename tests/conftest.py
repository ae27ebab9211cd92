"""Shared fixtures: a real database of each kind, fresh for every test.

PostgreSQL tests need HALLWATCH_TEST_POSTGRES_URL (scripts/start-postgres.sh prints it; .ci/run
starts one). Without it they are skipped locally; under CI=true a skipped test fails the run.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from classifiers.findings import Finding
from connectors.items import Item
from monitor.db import Database

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HALLWATCH_SHARED", REPO.parent / "shared"))
EXAMPLE_CONFIG = REPO / "config" / "example"
# one template per test process: suites from two checkouts may share one server
_TEMPLATE = f"hallwatch_test_template_{os.getpid()}"


def _postgres_admin_url() -> str | None:
    return os.environ.get("HALLWATCH_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated database to copy: CREATE DATABASE ... TEMPLATE is far quicker than migrating each time."""
    admin = _postgres_admin_url()
    if not admin:
        pytest.skip("HALLWATCH_TEST_POSTGRES_URL is not set (run scripts/start-postgres.sh)")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{_TEMPLATE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{_TEMPLATE}"'))
    template_url = admin.rsplit("/", 1)[0] + "/" + _TEMPLATE
    db = Database(template_url)
    db.migrate()
    db.dispose()
    try:
        yield template_url
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_TEMPLATE}" WITH (FORCE)'))
        engine.dispose()


def _fresh_postgres(template_url: str) -> Iterator[str]:
    admin = _postgres_admin_url()
    assert admin
    name = "hw_" + uuid.uuid4().hex[:12]
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_TEMPLATE}"'))
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty, migrated database; every test using it runs once on each engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hallwatch.sqlite3'}"
        db = Database(url)
        db.migrate()
        db.dispose()
        yield url
    else:
        template = request.getfixturevalue("postgres_template")
        yield from _fresh_postgres(template)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def use_db_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI at the test database, as an operator would with HALLWATCH_DATABASE_URL."""
    monkeypatch.setenv("HALLWATCH_DATABASE_URL", db_url)
    return db_url


class KeywordAnalyzer:
    """A stand-in classifier for tests of the run mechanics: flags the word 'password' (the real
    pipeline is tested in tests/classifiers and end to end in test_demo.py)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, items: Sequence[Item]) -> list[list[Finding]]:
        self.seen.extend(item.platform_id for item in items)
        results = []
        for item in items:
            at = item.text.lower().find("password")
            results.append([Finding("confidential", 0.9, at, at + 8, None, "AP146 2a", "medium", "a credential in a post")] if at >= 0 else [])
        return results


@pytest.fixture
def analyzer() -> KeywordAnalyzer:
    return KeywordAnalyzer()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # CI must run everything: a skip there means a missing server or browser, so it is a failure
    if os.environ.get("CI") == "true":
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
        if skipped and session.exitstatus == 0:
            reporter.write_line(f"CI=true: {skipped} test(s) skipped; failing the run", red=True)
            session.exitstatus = 1

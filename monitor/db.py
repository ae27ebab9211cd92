"""Database engine, sessions and schema migrations.

SQLite (WAL mode) under the data directory by default; PostgreSQL when HALLWATCH_DATABASE_URL says so.

Only `hallwatch init` creates a database (`Database(url, create=True)`); every other command opens
an existing one and refuses, naming it, when the SQLite file is missing or PostgreSQL has no
schema, so a mistyped path or a dropped database never turns into a fresh, empty monitor. Every
engine hides SQL parameters from its error messages: those are rows, and rows hold student data.
A SQLite file deleted or replaced while the process has it open is noticed before each commit
(writes would otherwise go to the unlinked file and vanish).
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import HallwatchError

MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseUnusable(HallwatchError):
    """The database cannot be used at all (missing, gone, unreachable): the command or cycle stops."""


class DatabaseMissing(DatabaseUnusable):
    pass


class DatabaseGone(DatabaseUnusable):
    pass


def is_database_gone(exc: BaseException) -> bool:
    """True when `exc` says the database itself is unusable (connection refused or lost, file
    deleted, disk error), not that one statement or row was refused."""
    if isinstance(exc, DatabaseUnusable) or getattr(exc, "connection_invalidated", False):
        return True
    if isinstance(exc, (OperationalError, InterfaceError)):
        # PostgreSQL says which: connection (08), shutdown (57P), resources (53), system (58).
        # A deadlock or a cancelled statement is one account's trouble, not the database's.
        # SQLite gives no SQLSTATE: its OperationalErrors are the file's (locked, I/O, gone).
        code = getattr(getattr(exc, "orig", None), "sqlstate", None)
        return code is None or code.startswith(("08", "57P", "53", "58"))
    return False


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None (PostgreSQL, in-memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def display_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(sqlite_path(url) or url)
    return parsed.render_as_string(hide_password=True)


def database_url(data_dir: Path) -> str:
    url = os.environ.get("HALLWATCH_DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            # psycopg 3 is the driver we ship
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return f"sqlite:///{data_dir / 'hallwatch.sqlite3'}"


def make_engine(url: str) -> Engine:
    # hide_parameters: an error message never carries the row it failed on
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "before_cursor_execute", _begin_before_writes)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _begin_before_writes(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
    """BEGIN before the first statement of a transaction that is not a plain read.

    pysqlite's own transaction handling (BEGIN before the first INSERT/UPDATE/DELETE) mishandles
    SAVEPOINT: a SAVEPOINT with no transaction open becomes the transaction, and releasing it
    commits everything, so one bad item's savepoint would break "items and cursor commit
    together". The driver runs in autocommit (isolation_level None) and this says BEGIN where
    pysqlite would have, and before a SAVEPOINT too. Reads before the first write stay outside
    the transaction as before, so two read-then-write transactions do not deadlock on the upgrade.
    """
    dbapi = conn.connection.dbapi_connection
    if dbapi is None or dbapi.in_transaction or not conn.in_transaction():
        return
    head = statement.lstrip()[:7].upper()
    if head.startswith(("SELECT", "PRAGMA")):
        return
    dbapi.execute("BEGIN")


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    dbapi_connection.isolation_level = None


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def is_initialised(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")


def missing_message(url: str, config_dir: Path | str | None = None) -> str:
    config = f" --config {config_dir}" if config_dir else " --config DIR"
    return f"no database at {display_url(url)}; run `hallwatch init{config}` first"


class Database:
    """An engine and its session factory; one per process.

    `create=False` (every command but init) refuses a SQLite file that does not exist rather than
    letting SQLite create an empty one.
    """

    def __init__(self, url: str, *, create: bool = True, config_dir: Path | str | None = None) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self.config_dir = config_dir
        if self.path is not None:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            elif not self.path.is_file():
                raise DatabaseMissing(missing_message(url, config_dir))
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._identity: tuple[int, int] | None = None
        if self.path is not None:
            event.listen(self.engine, "commit", self._check_file)

    @classmethod
    def for_data_dir(cls, data_dir: Path, *, create: bool = True, config_dir: Path | str | None = None) -> "Database":
        return cls(database_url(data_dir), create=create, config_dir=config_dir)

    @property
    def display(self) -> str:
        return display_url(self.url)

    def migrate(self) -> None:
        upgrade(self.engine)
        self.remember_file()

    def require_schema(self) -> None:
        """Refuse a database that `hallwatch init` never set up (PostgreSQL with no schema, an empty file)."""
        if not is_initialised(self.engine):
            raise DatabaseMissing(missing_message(self.url, self.config_dir))
        self.remember_file()

    def remember_file(self) -> None:
        """Note which file this is, so a later commit can tell when it was deleted or replaced."""
        if self.path is not None:
            try:
                st = self.path.stat()
            except FileNotFoundError:
                raise DatabaseGone(f"the database file {self.path} has disappeared; the command stopped") from None
            self._identity = (st.st_dev, st.st_ino)

    def check_file(self) -> None:
        """Raise DatabaseGone when the SQLite file this process opened is no longer at its path."""
        if self.path is None or self._identity is None:
            return
        try:
            st = self.path.stat()
        except FileNotFoundError:
            raise DatabaseGone(f"the database file {self.path} was deleted while in use; the run stopped, nothing more was written") from None
        if (st.st_dev, st.st_ino) != self._identity:
            raise DatabaseGone(f"the database file {self.path} was replaced while in use; the run stopped, nothing more was written")

    def _check_file(self, _conn) -> None:  # noqa: ANN001
        self.check_file()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits together or not at all."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

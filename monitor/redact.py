"""An exception reduced to what may be logged or printed: its type and a message that holds no
student data.

Why: a database error carries the SQL parameters (a student's name, a flagged comment), a
classifier error may quote the text it choked on, and both end up in the journal, in cron mail and
on the operator's terminal. So nothing outside the monitor's own errors is printed as it came:

- a database error becomes its class and SQLSTATE (`DataError (SQLSTATE 22P05)`), or for a
  connection that failed a fixed phrase (`connection refused`), never the statement or its values;
- the monitor's and the connectors' own errors (HallwatchError, ConnectorError) are written to
  name files, fields and accounts, never content, and are kept;
- anything else keeps its first line with every quoted part removed, cut to 160 characters.
"""
from __future__ import annotations

import logging
import re

from sqlalchemy.exc import DBAPIError, SQLAlchemyError, StatementError

from connectors.base import ConnectorError
from monitor.errors import HallwatchError

_QUOTED = re.compile(r"""'[^']*'|"[^"]*"|`[^`]*`|«[^»]*»|“[^”]*”""")
_LONG = 160
# libpq / sqlite phrases that say why a connection failed; they name no data
_CONNECTION_PHRASES = (
    "connection refused", "could not connect", "server closed the connection", "terminating connection",
    "the database system is shutting down", "the database system is starting up", "no such host", "timeout expired",
    "could not translate host name", "connection is closed", "connection timed out", "unable to open database file",
    "disk i/o error", "database is locked", "database disk image is malformed", "readonly database",
    "no such table",
)


def safe_message(exc: BaseException) -> str:
    """`exc` as `Type: message` with no SQL parameter, no quoted text and no line beyond the first."""
    if isinstance(exc, (HallwatchError, ConnectorError)):
        return str(exc)
    if isinstance(exc, SQLAlchemyError):
        return _database_message(exc)
    return f"{type(exc).__name__}: {_reduce(str(exc))}" if str(exc) else type(exc).__name__


def _database_message(exc: SQLAlchemyError) -> str:
    orig = exc.orig if isinstance(exc, (DBAPIError, StatementError)) else None
    if orig is None:
        return type(exc).__name__
    name = type(orig).__name__
    code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    text = str(orig).lower()
    phrase = next((p for p in _CONNECTION_PHRASES if p in text), None)
    parts = [name]
    if code:
        parts.append(f"(SQLSTATE {code})" if getattr(orig, "sqlstate", None) else f"({code})")
    if phrase:
        parts.append(f"{phrase}")
    return " ".join(parts)


def _reduce(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    first = _QUOTED.sub("…", first)
    return first if len(first) <= _LONG else first[:_LONG] + "…"


class RedactingFilter(logging.Filter):
    """Attached to the log handlers: a record's exception becomes its safe message, never a
    traceback with the exception's own text (which for a database error holds the row's values)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()} ({safe_message(record.exc_info[1])})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True

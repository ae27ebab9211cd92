"""Errors as they may be printed or logged: no SQL parameter, no quoted text (monitor.redact)."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from monitor.db import Database
from monitor.redact import RedactingFilter, safe_message

NAME = "Harper Lindqvist"


def test_a_database_error_shows_neither_its_parameters_nor_its_row(db: Database) -> None:
    with db.transaction() as s:
        s.execute(text("INSERT INTO accounts (name, platform, handle, comments_enabled, credential_status, created_at) "
                       "VALUES ('a', 'x', 'h', false, 'ok', CURRENT_TIMESTAMP)"))
    with pytest.raises(DBAPIError) as caught:
        with db.transaction() as s:
            # a duplicate name (refused by the unique constraint) carrying a student's name in its values
            s.execute(text("INSERT INTO accounts (name, platform, handle, comments_enabled, credential_status, created_at) "
                           "VALUES ('a', 'x', :h, false, 'ok', CURRENT_TIMESTAMP)"), {"h": NAME})
    assert NAME not in str(caught.value), "hide_parameters keeps the row out of the exception itself"
    message = safe_message(caught.value)
    assert message.startswith("IntegrityError") or message.startswith("UniqueViolation")
    if db.path is None:
        assert message == "UniqueViolation (SQLSTATE 23505)"
    else:
        assert message == "IntegrityError (SQLITE_CONSTRAINT_UNIQUE)"


def test_other_exceptions_keep_their_type_and_lose_quoted_text() -> None:
    assert safe_message(KeyError(NAME)) == "KeyError: …"
    assert safe_message(ValueError(f"bad value {NAME!r} in line\nsecond line {NAME}")) == "ValueError: bad value … in line"
    assert safe_message(RuntimeError("x" * 500)).endswith("…") and len(safe_message(RuntimeError("x" * 500))) < 200


def test_a_logged_exception_becomes_its_safe_message(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("hallwatch.test-redact")
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    records: list[logging.LogRecord] = []
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        try:
            raise ValueError(f"cannot parse {NAME!r}")
        except ValueError:
            logger.exception("classify failed on item %s", "c-1")
    finally:
        logger.removeHandler(handler)
    (record,) = records
    assert record.exc_info is None
    assert record.getMessage() == "classify failed on item c-1 (ValueError: cannot parse …)"

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from connectors.items import Author, Item
from monitor.errors import UnknownAccount
from monitor.models import Cursor, Finding, StoredItem
from monitor.runs import ingest_items


def archive_items() -> list[Item]:
    return [
        Item("x", f"arch-{n}", "prairie-hills-sd-x", "post", text, Author("Prairie Hills SD", is_account=True), datetime(2024, 3, n + 1, tzinfo=timezone.utc))
        for n, text in enumerate(["Spring break starts Friday", "The wifi password is Spring2024", "Welcome back!"])
    ]


def test_imported_items_are_stored_once_and_classified(db, use_db_env, config_dir, analyzer) -> None:
    assert ingest_items(config_dir, "prairie-hills-sd-x", archive_items(), analyze=analyzer) == (3, 0)
    assert ingest_items(config_dir, "prairie-hills-sd-x", archive_items(), analyze=analyzer) == (0, 3)
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(StoredItem)) == 3
        assert s.scalar(select(func.count()).select_from(Finding)) == 1
        assert s.scalar(select(Finding.reason)) == "a credential in a post", "the classifier's reason is stored with its finding"
        assert s.scalar(select(func.count()).select_from(Cursor)) == 0, "an import is not a poll"


def test_importing_into_an_unknown_account_is_refused(db, use_db_env, config_dir, analyzer) -> None:
    with pytest.raises(UnknownAccount, match="no account named 'nope'"):
        ingest_items(config_dir, "nope", archive_items(), analyze=analyzer)

"""What every connector offers, and the errors it raises."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from connectors.items import Item


@dataclass(frozen=True)
class AccountRef:
    """What a connector needs to know of a registered account; nothing of the database."""

    name: str
    platform: str
    handle: str
    credentials: dict[str, str] = field(default_factory=dict)
    # platform-specific extras from division.yaml (e.g. a feed URL, an export file path)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class FetchResult:
    items: list[Item]
    # opaque to the monitor: stored as-is and handed back on the next fetch
    cursor: str | None
    calls: int = 0
    # what happened on the way that the run should record (rate-limit waits, retries)
    events: list[str] = field(default_factory=list)


class Connector(Protocol):
    platform: str

    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult: ...


class ConnectorError(Exception):
    """A connector could not finish; the account's cursor must not move."""


class CredentialsError(ConnectorError):
    """The account's token is missing, expired or revoked (Graph code 190, X 401)."""


class RateLimitError(ConnectorError):
    """The platform's limit was reached and backing off did not help within this run."""


class ResponseError(ConnectorError):
    """The platform sent something the connector cannot read."""


class ExportFileError(ConnectorError):
    """An export or sample file is missing or malformed; the message names file and place."""


class DeadlineError(ConnectorError):
    """The account's whole fetch took longer than its deadline (`options.fetch_deadline_seconds`)."""

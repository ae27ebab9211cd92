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
    # what a metered API counted (monitor.usage): {"x_posts_read": n}, {"youtube_quota_units": n}
    usage: dict[str, int] = field(default_factory=dict)
    # (post id, the ids of every comment and reply it has now): posts whose comments this fetch
    # listed to the end, so a stored comment missing from the list was deleted on the platform.
    # Only a connector that can tell absence from paging fills it; a post listed partly is left out.
    complete: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass(frozen=True)
class Profile:
    """The account's own profile on the platform, for the governance audit (AP1311 1.2.4, AP193 1.3, AP146 1a)."""

    name: str | None
    description: str | None
    website: str | None


@dataclass(frozen=True)
class Followed:
    """One account the registered account follows (X following, YouTube subscriptions); kept in memory only."""

    name: str
    handle: str


class Connector(Protocol):
    platform: str

    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult: ...


# Connectors may also offer `profile(account) -> Profile` and, where the platform's API lists
# whom the account follows, `follows(account) -> list[Followed]` (monitor.governance checks hasattr).


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

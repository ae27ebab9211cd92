"""Which connector serves an account."""
from __future__ import annotations

from typing import Callable

from connectors.base import AccountRef, Connector, ConnectorError
from connectors.sample import SampleFileConnector

# platform name -> factory; each platform module registers itself here
PLATFORMS: dict[str, Callable[[], Connector]] = {}


def get_connector(account: AccountRef) -> Connector:
    """The sample-file connector when the account names one (demo, back-audits), else the platform's."""
    if account.options.get("sample_file"):
        return SampleFileConnector()
    factory = PLATFORMS.get(account.platform)
    if factory is None:
        raise ConnectorError(f"account {account.name}: no connector for platform {account.platform!r}")
    return factory()

"""Which connector serves an account."""
from __future__ import annotations

import importlib
from typing import Callable

from connectors.base import AccountRef, Connector, ConnectorError
from connectors.sample import SampleFileConnector

# platform name -> factory; each platform module registers itself here
PLATFORMS: dict[str, Callable[[], Connector]] = {}


def _lazy(module: str, cls: str) -> Callable[[], Connector]:
    # imported on first use so a run that has no X account never imports tweepy
    return lambda: getattr(importlib.import_module(module), cls)()


PLATFORMS.update({
    "facebook": _lazy("connectors.facebook", "FacebookConnector"),
    "x": _lazy("connectors.x", "XConnector"),
    "instagram": _lazy("connectors.instagram", "InstagramConnector"),
    "youtube": _lazy("connectors.youtube", "YouTubeConnector"),
    "blog": _lazy("connectors.blog", "BlogConnector"),
    "flickr": _lazy("connectors.flickr", "FlickrConnector"),
    "pinterest": _lazy("connectors.pinterest", "PinterestConnector"),
    "mediawiki": _lazy("connectors.mediawiki", "MediaWikiConnector"),
    "threads": _lazy("connectors.threads", "ThreadsConnector"),
    "linkedin": _lazy("connectors.linkedin", "LinkedInConnector"),
    "bluesky": _lazy("connectors.bluesky", "BlueskyConnector"),
    "mastodon": _lazy("connectors.mastodon", "MastodonConnector"),
})


def get_connector(account: AccountRef) -> Connector:
    """The sample-file connector when the account names one (demo, back-audits), else the platform's."""
    if account.options.get("sample_file"):
        return SampleFileConnector()
    factory = PLATFORMS.get(account.platform)
    if factory is None:
        raise ConnectorError(f"account {account.name}: no connector for platform {account.platform!r}")
    return factory()

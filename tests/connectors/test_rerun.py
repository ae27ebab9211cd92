"""Re-running a connector over the same first-poll cassette with the cursor it returned adds nothing."""
from __future__ import annotations

import pytest

from connectors.base import AccountRef
from connectors.blog import BlogConnector
from connectors.bluesky import BlueskyConnector
from connectors.facebook import FacebookConnector
from connectors.instagram import InstagramConnector
from connectors.mastodon import MastodonConnector
from connectors.ratelimit import Throttle
from connectors.x import XConnector
from connectors.youtube import YouTubeConnector

CASES = [
    ("facebook/feed_first_poll.yaml", FacebookConnector, AccountRef("fb", "facebook", "1111111111", {"access_token": "EAAfake"})),
    ("x/first_poll.yaml", XConnector, AccountRef("x", "x", "4400000001", {"bearer_token": "fake"})),
    ("instagram/first_poll.yaml", InstagramConnector, AccountRef("ig", "instagram", "17841400000000001", {"access_token": "fake"})),
    ("youtube/first_poll.yaml", YouTubeConnector, AccountRef("yt", "youtube", "UCinventedChannel0000001", {"api_key": "fake"})),
    ("blog/first_poll.yaml", BlogConnector, AccountRef("b", "blog", "https://blogs.maple-grove.example/grade4/feed/")),
    ("bluesky/first_poll.yaml", BlueskyConnector, AccountRef("bs", "bluesky", "maplegrove.bsky.social", {"app_password": "fake"})),
    ("mastodon/first_poll.yaml", MastodonConnector, AccountRef("md", "mastodon", "109000000000000001", {"access_token": "fake"}, {"base_url": "https://mastodon.maple-grove.example"})),
]


@pytest.mark.parametrize("name,cls,account", CASES, ids=[c[0].split("/")[0] for c in CASES])
def test_rerun_over_same_cassette_adds_nothing(cassette, name, cls, account):
    quiet = Throttle(sleep=lambda s: None, rand=lambda: 0.0)
    with cassette(name):
        first = cls(quiet).fetch(account, None)
    assert first.items
    # the platform answers as if nothing had been filtered (same recorded pages); nothing is new
    with cassette(name, all_played=False):
        again = cls(quiet).fetch(account, first.cursor)
    assert again.items == []
    assert again.cursor == first.cursor

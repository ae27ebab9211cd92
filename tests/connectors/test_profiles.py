"""Each connector's profile (name, bio, website) and, where the platform lists it, whom the account follows."""
from __future__ import annotations

import pytest

from connectors.base import AccountRef, CredentialsError
from connectors.blog import BlogConnector
from connectors.facebook import FacebookConnector
from connectors.instagram import InstagramConnector
from connectors.ratelimit import Throttle
from connectors.x import XConnector
from connectors.youtube import YouTubeConnector


def throttle() -> Throttle:
    return Throttle(sleep=lambda s: None, rand=lambda: 0.0, now=lambda: 1709649990.0)


def test_x_profile_expands_the_website_link(cassette) -> None:
    account = AccountRef("maple-x", "x", "4400000001", {"bearer_token": "AAAAfakebearer"})
    with cassette("x/profile.yaml"):
        profile = XConnector(throttle()).profile(account)
    assert (profile.name, profile.description, profile.website) == ("Maple Grove School", "News from Maple Grove School", "https://maplegrove.example-sd.ca")


def test_x_following_is_read_page_by_page(cassette) -> None:
    account = AccountRef("maple-x", "x", "4400000001", {"bearer_token": "AAAAfakebearer"})
    with cassette("x/following.yaml"):
        followed = XConnector(throttle()).follows(account)
    assert [(f.name, f.handle) for f in followed] == [
        ("Prairie Public Library", "prairie_public_library"), ("Harper Lindqvist", "harper_lindqvist"), ("O.", "ollie_mbeki_07"), ("City Transit", "city_transit"),
    ]


def test_facebook_profile_takes_the_first_website(cassette) -> None:
    account = AccountRef("maple-fb", "facebook", "1111111111", {"access_token": "fake-page-token"})
    with cassette("facebook/profile.yaml"):
        profile = FacebookConnector(throttle()).profile(account)
    assert profile.name == "Maple Grove School" and profile.website == "https://maplegrove.example-sd.ca"
    assert "News from Maple Grove School" in profile.description and "Our school community" in profile.description
    assert not hasattr(FacebookConnector(), "follows"), "the Graph API does not list whom a Page follows"


def test_instagram_profile(cassette) -> None:
    account = AccountRef("maple-ig", "instagram", "17841400000000001", {"access_token": "fake-token"})
    with cassette("instagram/profile.yaml"):
        profile = InstagramConnector(throttle()).profile(account)
    assert (profile.name, profile.description, profile.website) == ("Maple Grove School", "Maple Grove School, Grades 6 to 8", "https://maplegrove.example-sd.ca/")
    assert not hasattr(InstagramConnector(), "follows")


def test_youtube_profile_and_subscriptions(cassette) -> None:
    account = AccountRef("maple-yt", "youtube", "UCinventedChannel0000001", {"api_key": "fake-key"})
    connector = YouTubeConnector(throttle())
    with cassette("youtube/profile.yaml"):
        profile = connector.profile(account)
    assert profile.name == "Maple Grove School" and profile.website == "https://maplegrove.example-sd.ca/media"
    with cassette("youtube/subscriptions.yaml"):
        followed = connector.follows(account)
    assert [f.name for f in followed] == ["Alberta Science Centre", "Harper Lindqvist", "School Band Covers"]
    assert followed[1].handle == "UCinventedSub00000000002"


def test_blog_profile_is_the_feeds_own(cassette) -> None:
    account = AccountRef("grade4-blog", "blog", "https://blogs.maple-grove.example/grade4/feed/")
    with cassette("blog/profile.yaml"):
        profile = BlogConnector(throttle()).profile(account)
    assert (profile.name, profile.description, profile.website) == ("Grade 4 Class Blog", "Our class", "https://blogs.maple-grove.example/grade4/")


def test_a_profile_without_credentials_fails_cleanly() -> None:
    with pytest.raises(CredentialsError):
        XConnector(throttle()).profile(AccountRef("maple-x", "x", "4400000001", {}))

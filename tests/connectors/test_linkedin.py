"""LinkedIn organization pages against cassettes built from the documented Community Management API
shapes (access needs LinkedIn's approval; no live organization was read)."""
from __future__ import annotations

import httpx
import pytest

from connectors.base import AccountRef, CredentialsError, Profile
from connectors.linkedin import LinkedInConnector
from connectors.ratelimit import Throttle

ACCOUNT = AccountRef("maple-linkedin", "linkedin", "10000001", {"access_token": "AQVfakelinkedintoken"}, {"page_size": 2})


def throttle(waits: list[float] | None = None) -> Throttle:
    return Throttle(sleep=(waits if waits is not None else []).append, rand=lambda: 0.0, now=lambda: 1709650000.0)


def test_first_poll_pages_posts_with_comments_and_replies(cassette):
    sent: list[httpx.Request] = []
    client = httpx.Client(event_hooks={"request": [sent.append]})
    with cassette("linkedin/first_poll.yaml"):
        result = LinkedInConnector(throttle(), client).fetch(ACCOUNT, None)
    assert [i.kind for i in result.items] == ["post", "comment", "reply", "post"]
    post, comment, reply, hiring = result.items
    assert post.platform_id == "urn:li:share:710000000000000002" and post.author.is_account
    assert post.text == "Our robotics team placed second at the regional finals." and post.media[0].alt_text == "Students holding a trophy"
    assert post.permalink == "https://www.linkedin.com/feed/update/urn:li:share:710000000000000002/"
    assert comment.parent_id == post.platform_id and comment.author.name == "urn:li:person:InventedPat01" and not comment.author.is_account
    assert reply.parent_id == comment.platform_id and reply.author.is_account
    assert comment.created_at.isoformat() == "2024-03-05T16:00:00+00:00" and hiring.media == []
    assert result.calls == 5 and result.cursor == "1709658000000"
    assert {r.headers["X-Restli-Protocol-Version"] for r in sent} == {"2.0.0"} and {r.headers["LinkedIn-Version"] for r in sent} == {"202510"}
    assert "author=urn%3Ali%3Aorganization%3A10000001" in str(sent[0].url)  # Rest.li wants the URN encoded whole


def test_empty_poll_adds_nothing(cassette):
    with cassette("linkedin/empty_poll.yaml"):
        result = LinkedInConnector(throttle()).fetch(ACCOUNT, "1709658000000")
    assert result.items == [] and result.cursor == "1709658000000"


def test_429_retry_after_is_waited_for(cassette):
    waits: list[float] = []
    with cassette("linkedin/rate_limited.yaml"):
        result = LinkedInConnector(throttle(waits)).fetch(ACCOUNT, None)
    assert waits == [4.0] and result.items == []


def test_revoked_token(cassette):
    with cassette("linkedin/token_expired.yaml"):
        with pytest.raises(CredentialsError, match="maple-linkedin") as info:
            LinkedInConnector(throttle()).fetch(ACCOUNT, None)
    assert "AQVfake" not in str(info.value)


def test_profile_for_the_governance_audit(cassette):
    with cassette("linkedin/profile.yaml"):
        profile = LinkedInConnector(throttle()).profile(ACCOUNT)
    assert profile == Profile("Maple Grove School", "Maple Grove School, Grades 6 to 8", "https://maplegrove.example-sd.ca")

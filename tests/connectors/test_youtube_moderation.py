"""YouTube moderation with the channel owner's OAuth token, and the quota units each operation costs."""
from __future__ import annotations

import httpx
import pytest

from connectors.base import AccountRef, ConnectorError, CredentialsError, ResponseError
from connectors.ratelimit import Throttle
from connectors.youtube import YouTubeConnector

OWNER = AccountRef(name="maple-yt", platform="youtube", handle="UCinventedChannel0000001", credentials={"access_token": "ya29.invented-owner-token"})
KEY_ONLY = AccountRef(name="maple-yt", platform="youtube", handle="UCinventedChannel0000001", credentials={"api_key": "AIzaFakeKey"})


def connector(sent: list[httpx.Request] | None = None) -> YouTubeConnector:
    client = httpx.Client(timeout=30, event_hooks={"request": [sent.append]} if sent is not None else {})
    return YouTubeConnector(Throttle(sleep=lambda s: None, rand=lambda: 0.0), client)


def test_hide_holds_the_comment_for_review_with_the_owner_token(cassette):
    sent: list[httpx.Request] = []
    yt = connector(sent)
    with cassette("youtube/moderate_held.yaml"):
        yt.hide(OWNER, "UgzInvented1")
    assert sent[0].method == "POST" and sent[0].headers["Authorization"] == "Bearer ya29.invented-owner-token"
    assert sent[0].url.params["moderationStatus"] == "heldForReview" and "banAuthor" not in sent[0].url.params
    assert yt.last_usage == {"youtube_quota_units": 50}


def test_reject_and_ban_the_author(cassette):
    sent: list[httpx.Request] = []
    with cassette("youtube/moderate_rejected_ban.yaml"):
        connector(sent).moderate(OWNER, "UgzInvented1", "rejected", ban_author=True)
    assert sent[0].url.params["banAuthor"] == "true"
    with pytest.raises(ConnectorError, match="only together with rejecting"):
        connector().moderate(OWNER, "UgzInvented1", "heldForReview", ban_author=True)
    with pytest.raises(ConnectorError, match="must be one of"):
        connector().moderate(OWNER, "UgzInvented1", "published")  # type: ignore[arg-type]


def test_moderation_needs_the_oauth_token_and_names_the_failures(cassette):
    with pytest.raises(CredentialsError, match="OAuth token"):
        connector().hide(KEY_ONLY, "UgzInvented1")
    with cassette("youtube/moderate_forbidden.yaml"):
        with pytest.raises(ResponseError, match="HTTP 403"):
            connector().delete(OWNER, "UgzInvented1")
    with cassette("youtube/moderate_token_expired.yaml"):
        with pytest.raises(CredentialsError, match="maple-yt"):
            connector().hide(OWNER, "UgzInvented1")


def test_every_list_call_is_one_quota_unit(cassette):
    with cassette("youtube/first_poll.yaml"):
        result = YouTubeConnector(Throttle(sleep=lambda s: None, rand=lambda: 0.0)).fetch(KEY_ONLY, None)
    assert result.usage == {"youtube_quota_units": result.calls} and result.calls == 4

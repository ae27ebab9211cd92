from __future__ import annotations

import json

import httpx
import pytest

from connectors.base import AccountRef, CredentialsError
from connectors.blog import BlogConnector
from connectors.instagram import InstagramConnector
from connectors.ratelimit import Throttle
from connectors.youtube import YouTubeConnector


def throttle(waits: list[float]) -> Throttle:
    return Throttle(sleep=waits.append, rand=lambda: 0.0, now=lambda: 1709650000.0)


IG = AccountRef(name="maple-ig", platform="instagram", handle="maple_grove_school", credentials={"access_token": "IGQfaketoken"}, options={"ig_user_id": "17841400000000001"})
YT = AccountRef(name="maple-yt", platform="youtube", handle="UCinventedChannel0000001", credentials={"api_key": "AIzaFakeKey"})
BLOG = AccountRef(name="grade4-blog", platform="blog", handle="grade4", options={"feed_url": "https://blogs.maple-grove.example/grade4/feed/"})


def test_instagram_first_poll_then_empty_poll(cassette):
    with cassette("instagram/first_poll.yaml"):
        first = InstagramConnector(throttle([])).fetch(IG, None)
    kinds = sorted(i.kind for i in first.items)
    assert kinds == ["comment", "comment", "comment", "post", "post", "reply"]
    reply = next(i for i in first.items if i.kind == "reply")
    assert reply.author.is_account and reply.parent_id == "179000010001"
    assert first.calls == 3 and first.cursor == "1709651220"
    with cassette("instagram/empty_poll.yaml"):
        second = InstagramConnector(throttle([])).fetch(IG, first.cursor)
    assert second.items == [] and second.calls == 1 and second.cursor == first.cursor


def test_instagram_rate_limit_then_success(cassette):
    waits: list[float] = []
    with cassette("instagram/rate_limited.yaml"):
        result = InstagramConnector(throttle(waits)).fetch(IG, "1709651220")
    assert result.items == [] and 2.0 in waits
    assert any("rate limited" in e for e in result.events)


def test_instagram_expired_token_and_hide(cassette):
    with cassette("instagram/token_expired.yaml"):
        with pytest.raises(CredentialsError, match="maple-ig"):
            InstagramConnector(throttle([])).fetch(IG, None)
    with cassette("instagram/hide_comment.yaml") as cas:
        InstagramConnector(throttle([])).hide(IG, "179000010001")
    assert cas.requests[0].method == "POST"


def test_youtube_first_poll_then_empty_poll(cassette):
    with cassette("youtube/first_poll.yaml"):
        first = YouTubeConnector(throttle([])).fetch(YT, None)
    assert [i.kind for i in first.items] == ["post", "post", "comment", "reply"]
    assert first.items[3].author.is_account and first.items[3].parent_id == "UgzInvented1"
    assert first.calls == 4
    with cassette("youtube/empty_poll.yaml"):
        second = YouTubeConnector(throttle([])).fetch(YT, first.cursor)
    assert second.items == [] and second.calls == 2  # one per endpoint; the uploads id is in the cursor
    assert json.loads(second.cursor) == json.loads(first.cursor)


def test_youtube_429_and_quota_back_off(cassette):
    waits: list[float] = []
    with cassette("youtube/rate_limited.yaml"):
        result = YouTubeConnector(throttle(waits)).fetch(YT, None)
    assert waits == [3.0, 4.0]  # Retry-After 3 s, then the 4 s backoff of the second try
    assert len([e for e in result.events if "rate limited" in e]) == 2


def test_youtube_expired_token(cassette):
    with cassette("youtube/token_expired.yaml"):
        with pytest.raises(CredentialsError, match="maple-yt") as info:
            YouTubeConnector(throttle([])).fetch(YT, None)
    assert "AIza" not in str(info.value)


def test_blog_posts_and_comment_feed_then_304(cassette):
    with cassette("blog/first_poll.yaml"):
        first = BlogConnector(throttle([])).fetch(BLOG, None)
    assert [i.kind for i in first.items] == ["post", "comment", "post"]
    post, comment = first.items[0], first.items[1]
    assert post.text.startswith("Our field trip") and "museum" in post.text and post.media[0].type == "photo"
    assert comment.parent_id == post.platform_id and comment.author.name == "A Parent"
    assert first.calls == 2  # the welcome post has 0 comments: its feed is not read
    with cassette("blog/empty_poll.yaml") as cas:
        second = BlogConnector(throttle([])).fetch(BLOG, first.cursor)
    assert second.items == [] and second.calls == 1 and second.cursor == first.cursor
    assert cas.requests[0].uri.endswith("/grade4/feed/")  # the 304 answered the conditional GET


def test_blog_429_waits_as_long_as_retry_after_says(cassette):
    waits: list[float] = []
    with cassette("blog/rate_limited.yaml"):
        result = BlogConnector(throttle(waits)).fetch(BLOG, json.dumps({"etag": '"feed-v1"'}))
    assert result.items == [] and waits == [5.0]  # the recorded Retry-After: 5 (zero jitter)
    assert result.events == ["blog: rate limited (try 1/4); waited 5.0s"]


def test_blog_sends_conditional_headers_from_the_cursor():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(304)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    cursor = json.dumps({"etag": '"feed-v1"', "modified": "Tue, 05 Mar 2024 18:00:00 GMT", "since": 1.0})
    result = BlogConnector(throttle([]), client=client).fetch(BLOG, cursor)
    assert result.items == [] and result.cursor == cursor and result.calls == 1
    assert seen[0].headers["If-None-Match"] == '"feed-v1"'
    assert seen[0].headers["If-Modified-Since"] == "Tue, 05 Mar 2024 18:00:00 GMT"

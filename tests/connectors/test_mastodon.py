"""Mastodon through Mastodon.py against the cassettes: statuses, mentions, replies, paging, limits."""
from __future__ import annotations

import json

import pytest

from connectors.base import AccountRef, ConnectorError, CredentialsError
from connectors.mastodon import MastodonConnector, html_to_text
from connectors.ratelimit import Throttle

ME = "109000000000000001"
MD = AccountRef(name="maple-md", platform="mastodon", handle=ME, credentials={"access_token": "md-fake-token"}, options={"base_url": "https://mastodon.maple-grove.example"})
NOW = 1709650000.0  # 2024-03-05T14:46:40Z


def throttle(waits: list[float]) -> Throttle:
    return Throttle(sleep=waits.append, rand=lambda: 0.0, now=lambda: NOW)


def test_first_poll_reads_statuses_mentions_and_replies_then_empty_poll(cassette):
    with cassette("mastodon/first_poll.yaml"):
        first = MastodonConnector(throttle([])).fetch(MD, None)
    by_id = {i.platform_id: i for i in first.items}
    assert sorted((i.platform_id[-2:], i.kind) for i in first.items) == [("10", "post"), ("15", "comment"), ("20", "post"), ("21", "reply"), ("22", "reply")]
    post = by_id["111000000000000020"]
    assert post.text == "Science fair today! & thanks to our volunteers.\nDoors open at 9."
    assert post.author.is_account and post.media[0].type == "photo"
    assert post.media[0].alt_text == "Students at the science fair tables"
    reply = by_id["111000000000000021"]
    assert reply.parent_id == "111000000000000020" and not reply.author.is_account and reply.text == "Great pictures\nthank you!"
    assert by_id["111000000000000022"].author.is_account
    assert by_id["111000000000000015"].text == "@maplegrove is the bus late today?"
    assert first.calls == 4
    state = json.loads(first.cursor)
    assert state["statuses"] == "111000000000000020" and state["mentions"] == "900001" and state["replies"] == "111000000000000022"
    json.dumps([i.raw for i in first.items])  # the raw payload is plain JSON (datetimes as text)
    with cassette("mastodon/empty_poll.yaml"):
        second = MastodonConnector(throttle([])).fetch(MD, first.cursor)
    assert second.items == [] and second.calls == 4 and json.loads(second.cursor) == state


def test_pages_forward_with_min_id_until_a_short_page(cassette):
    cursor = json.dumps({"statuses": "111000000000000020", "mentions": "900001", "replies": None, "watch": []})
    with cassette("mastodon/paging.yaml") as cas:
        result = MastodonConnector(throttle([])).fetch(MD, cursor)
    assert len(result.items) == 43 and {i.kind for i in result.items} == {"post"}
    assert "min_id=111000000000000140" in cas.requests[1].uri
    assert json.loads(result.cursor)["statuses"] == "111000000000000143"
    assert len(json.loads(result.cursor)["watch"]) == 5


def test_429_waits_until_x_ratelimit_reset(cassette):
    waits: list[float] = []
    cursor = json.dumps({"statuses": "111000000000000020", "mentions": "900001", "replies": None, "watch": []})
    with cassette("mastodon/rate_limited.yaml"):
        result = MastodonConnector(throttle(waits)).fetch(MD, cursor)
    assert result.items == [] and waits == [30.0]  # the reset is 30 s after now; no jitter with rand=0
    assert any("rate limited" in e for e in result.events)


def test_expired_token_is_a_credentials_error(cassette):
    with cassette("mastodon/token_expired.yaml"):
        with pytest.raises(CredentialsError, match="maple-md"):
            MastodonConnector(throttle([])).fetch(MD, None)
    with pytest.raises(CredentialsError, match="no Mastodon access token"):
        MastodonConnector(throttle([])).fetch(AccountRef("m", "mastodon", ME, options=MD.options), None)
    with pytest.raises(ConnectorError, match="base_url"):
        MastodonConnector(throttle([])).fetch(AccountRef("m", "mastodon", ME, credentials={"access_token": "x"}), None)


def test_html_to_text_drops_tags_and_scripts_and_decodes_entities():
    assert html_to_text("<p>a &lt;b&gt; <script>alert(1)</script>c</p><p>d<br/>e</p>") == "a <b> c\nd\ne"
    assert html_to_text("") == "" and html_to_text("<p>unclosed <a href='x'>link") == "unclosed link"

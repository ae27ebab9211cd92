from __future__ import annotations

import json

import pytest

from connectors.base import AccountRef, CredentialsError, ResponseError
from connectors.ratelimit import Throttle
from connectors.x import XConnector, conversation_queries, page_items
from tests.connectors.conftest import RECORDINGS

ACCOUNT = AccountRef(name="maple-x", platform="x", handle="4400000001", credentials={"bearer_token": "AAAAfakebearer"})


def connector(waits: list[float]) -> XConnector:
    return XConnector(throttle=Throttle(sleep=waits.append, rand=lambda: 0.0, now=lambda: 1709649990.0))


def test_first_poll_reads_posts_mentions_and_replies_with_includes(cassette):
    with cassette("x/first_poll.yaml"):
        result = connector([]).fetch(ACCOUNT, None)
    by_id = {i.platform_id: i for i in result.items}
    assert by_id["1800000000000000200"].kind == "post" and by_id["1800000000000000200"].author.is_account
    assert by_id["1800000000000000200"].media[0].alt_text == "Projects on tables"
    assert by_id["1800000000000000300"].kind == "comment"
    assert by_id["1800000000000000300"].author.name == "Pat Neighbour"
    reply = by_id["1800000000000000400"]
    assert reply.kind == "reply" and reply.parent_id == "1800000000000000200"
    assert result.calls == 4
    state = json.loads(result.cursor)
    assert state["posts"] == "1800000000000000200" and state["mentions"] == "1800000000000000300"
    assert state["replies"] == "1800000000000000400"


def test_rerun_with_cursor_adds_nothing_one_call_per_endpoint(cassette):
    with cassette("x/first_poll.yaml"):
        first = connector([]).fetch(ACCOUNT, None)
    with cassette("x/empty_poll.yaml"):
        second = connector([]).fetch(ACCOUNT, first.cursor)
    assert second.items == []
    assert second.calls == 3
    assert json.loads(second.cursor)["posts"] == json.loads(first.cursor)["posts"]


def test_429_backs_off_then_succeeds(cassette):
    waits: list[float] = []
    with cassette("x/rate_limited.yaml"):
        result = connector(waits).fetch(ACCOUNT, None)
    assert result.items == []
    # the 429's reset header is 10 s away: waits at least that (plus the zero-jitter backoff floor)
    assert waits == [10.0]
    assert any("rate limited (try 1/4)" in e for e in result.events)


def test_401_raises_credentials_error_naming_account(cassette):
    with cassette("x/token_expired.yaml"):
        with pytest.raises(CredentialsError) as info:
            connector([]).fetch(ACCOUNT, None)
    assert "maple-x" in str(info.value) and "AAAAfake" not in str(info.value)


def test_hide_reply(cassette):
    with cassette("x/hide_reply.yaml") as cas:
        connector([]).hide(ACCOUNT, "1800000000000000400")
    assert cas.requests[0].method == "PUT" and cas.requests[0].path.endswith("/1800000000000000400/hidden")


def test_conversation_queries_stay_under_the_limit():
    ids = [str(1800000000000000000 + i) for i in range(40)]
    queries = conversation_queries(ids)
    assert len(queries) > 1 and all(len(q) <= 512 for q in queries)
    assert sum(q.count("conversation_id:") for q in queries) == 40


def test_real_v2_shapes_parse():
    for name in ("test_client_get_users_tweets", "test_client_get_users_mentions", "test_client_search_recent_tweets"):
        recorded = json.loads((RECORDINGS / "tweepy_cassettes/decoded" / f"{name}.json").read_text())
        for entry in recorded:
            body = entry["body"]
            items = page_items(ACCOUNT, body)
            assert len(items) == len(body.get("data", []))
            assert all(i.text for i in items)
    for path in (RECORDINGS / "tweepy_cassettes/python-twitter_testdata/timeline").glob("*.json"):
        body = json.loads(path.read_text())
        items = page_items(ACCOUNT, body)
        users = {u["id"] for u in (body.get("includes") or {}).get("users", [])}
        assert items and all(i.author.name for i in items if i.author.platform_id in users)


def test_real_includes_media_and_cjworkbench_pages_parse():
    body = json.loads((RECORDINGS / "tweepy_cassettes/python-twitter_testdata/tweet/tweet_resp.json").read_text())
    if isinstance(body["data"], dict):  # a single-tweet lookup: same shape, one object
        body = {**body, "data": [body["data"]]}
    items = page_items(ACCOUNT, body)
    keyed = [t for t in body["data"] if (t.get("attachments") or {}).get("media_keys")]
    media_known = {m["media_key"] for m in body.get("includes", {}).get("media", [])}
    expected = sum(1 for t in keyed for k in t["attachments"]["media_keys"] if k in media_known)
    assert expected and sum(len(i.media) for i in items) == expected
    for n in (1, 2):
        page = json.loads((RECORDINGS / f"tweepy_cassettes/cjworkbench_twitter_files/2_tweets_search_recent_page_{n}.json").read_text())
        parsed = page_items(ACCOUNT, page)
        assert len(parsed) == len(page["data"])
        assert any(i.kind == "reply" for i in parsed) == any(
            r.get("type") == "replied_to" for t in page["data"] for r in t.get("referenced_tweets", []))


def test_503_with_retry_after_is_waited_for_and_one_without_fails_the_account(cassette):
    waits: list[float] = []
    with cassette("x/unavailable_retry_after.yaml"):
        result = connector(waits).fetch(ACCOUNT, None)
    assert result.items == [] and waits == [7.0]  # as long as Retry-After says (zero jitter)
    with cassette("x/unavailable.yaml") as cas:
        with pytest.raises(ResponseError, match=r"account maple-x: X API unavailable \(HTTP 503 without Retry-After\)"):
            connector(waits).fetch(ACCOUNT, None)
    assert len(cas.requests) == 1 and waits == [7.0]  # not retried

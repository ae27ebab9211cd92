"""Threads against its cassettes (built from the documented Threads API shapes): threads, replies, hide."""
from __future__ import annotations

import pytest

from connectors.base import AccountRef, CredentialsError
from connectors.ratelimit import Throttle
from connectors.threads import ThreadsConnector
from monitor.actions import ALLOWED

ACCOUNT = AccountRef("maple-threads", "threads", "27000000000000001", {"access_token": "THfakethreadstoken"})


def throttle(waits: list[float] | None = None) -> Throttle:
    return Throttle(sleep=(waits if waits is not None else []).append, rand=lambda: 0.0, now=lambda: 1709650000.0)


def test_first_poll_pages_threads_and_reads_each_conversation(cassette):
    with cassette("threads/first_poll.yaml"):
        result = ThreadsConnector(throttle()).fetch(ACCOUNT, None)
    assert [(i.kind, i.platform_id) for i in result.items] == [
        ("post", "18100000000000002"), ("comment", "18200000000000001"), ("reply", "18200000000000002"), ("post", "18100000000000001")]
    thread, comment, reply, text_only = result.items
    assert thread.media[0].url == "https://scontent.cdninstagram.example/t2.jpg" and thread.media[0].alt_text == "Projects on tables in the gym"
    assert text_only.media == [] and thread.author.is_account
    assert comment.parent_id == thread.platform_id and comment.author.name == "pat_neighbour" and not comment.author.is_account
    assert reply.parent_id == comment.platform_id and reply.author.is_account
    assert reply.created_at.isoformat() == "2024-03-05T15:20:00+00:00"
    assert result.calls == 4 and result.cursor == "1709652000"


def test_empty_poll_rereads_the_lookback_window_and_adds_nothing(cassette):
    with cassette("threads/empty_poll.yaml"):
        result = ThreadsConnector(throttle()).fetch(ACCOUNT, "1709652000")
    assert result.items == [] and result.calls == 3 and result.cursor == "1709652000"


def test_graph_rate_limit_code_is_backed_off(cassette):
    waits: list[float] = []
    with cassette("threads/rate_limited.yaml"):
        result = ThreadsConnector(throttle(waits)).fetch(ACCOUNT, "1709652000")
    assert waits == [2.0] and result.items == []


def test_expired_token(cassette):
    with cassette("threads/token_expired.yaml"):
        with pytest.raises(CredentialsError, match="maple-threads") as info:
            ThreadsConnector(throttle()).fetch(ACCOUNT, None)
    assert "THfake" not in str(info.value)


def test_hide_reply_posts_manage_reply(cassette):
    with cassette("threads/hide_reply.yaml") as cas:
        ThreadsConnector(throttle()).hide(ACCOUNT, "18200000000000001")
    assert cas.play_count == 1 and cas.requests[0].method == "POST"
    # the queue's hide action reaches it for comments and replies alike
    assert "hide" in ALLOWED["comment"] and "hide" in ALLOWED["reply"]

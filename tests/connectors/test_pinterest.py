"""Pinterest API v5 against its cassettes (built from the documented shapes): boards and pins."""
from __future__ import annotations

import httpx
import pytest

from connectors.base import AccountRef, CredentialsError, Profile
from connectors.pinterest import PinterestConnector
from connectors.ratelimit import Throttle

ACCOUNT = AccountRef("maple-pinterest", "pinterest", "maplegroveschool", {"access_token": "pina_fakepinteresttoken"})


def throttle(waits: list[float] | None = None) -> Throttle:
    return Throttle(sleep=(waits if waits is not None else []).append, rand=lambda: 0.0, now=lambda: 1709650000.0)


def test_first_poll_reads_boards_and_pages_pins(cassette):
    sent: list[str] = []
    client = httpx.Client(event_hooks={"request": [lambda request: sent.append(request.headers.get("authorization", ""))]})
    with cassette("pinterest/first_poll.yaml"):
        result = PinterestConnector(throttle(), client).fetch(ACCOUNT, None)
    assert [i.platform_id for i in result.items] == ["board-900000000000000001", "1000000000000003", "1000000000000002"]
    board, murals, pots = result.items
    assert board.kind == murals.kind == "post" and board.text == "Art class\nWork from the grade 5 art class"
    assert murals.text == "Spring murals\nGrade 5 painted the hallway.\nhttps://maplegrove.example-sd.ca/news"
    assert murals.media[0].url == "https://i.pinimg.example/1200x/1000000000000003.jpg"  # the largest size
    assert murals.media[0].alt_text == "Murals of flowers on a hallway wall" and pots.media[0].alt_text is None
    assert murals.permalink == "https://www.pinterest.com/pin/1000000000000003/" and murals.author.is_account
    assert murals.created_at.isoformat() == "2024-03-05T15:00:00+00:00"
    assert result.calls == 3 and result.cursor == "2024-03-05T15:00:00+00:00"
    assert sent == ["Bearer pina_fakepinteresttoken"] * 3


def test_empty_poll_is_one_call_per_endpoint(cassette):
    with cassette("pinterest/empty_poll.yaml"):
        result = PinterestConnector(throttle()).fetch(ACCOUNT, "2024-03-05T15:00:00+00:00")
    # the pins page reaches back past the cursor, so its bookmark is not followed
    assert result.items == [] and result.calls == 2 and result.cursor == "2024-03-05T15:00:00+00:00"


def test_429_retry_after_is_waited_for(cassette):
    waits: list[float] = []
    with cassette("pinterest/rate_limited.yaml"):
        result = PinterestConnector(throttle(waits)).fetch(ACCOUNT, None)
    assert waits == [2.0] and result.items == [] and result.cursor is None


def test_expired_token(cassette):
    with cassette("pinterest/token_expired.yaml"):
        with pytest.raises(CredentialsError, match="maple-pinterest") as info:
            PinterestConnector(throttle()).fetch(ACCOUNT, None)
    assert "pina_" not in str(info.value)


def test_no_token_is_a_credentials_error_before_any_call():
    with pytest.raises(CredentialsError, match="no Pinterest access token"):
        PinterestConnector(throttle()).fetch(AccountRef("p", "pinterest", "maplegroveschool"), None)


def test_profile_for_the_governance_audit(cassette):
    with cassette("pinterest/profile.yaml"):
        profile = PinterestConnector(throttle()).profile(ACCOUNT)
    assert profile == Profile("Maple Grove School", "Art from Maple Grove School", "https://maplegrove.example-sd.ca/art")

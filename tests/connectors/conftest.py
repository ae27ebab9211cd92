"""Shared vcrpy config for the connector tests: play back only, secrets filtered, subset query match."""
from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import pytest
import vcr

REPO = Path(__file__).resolve().parents[2]
CASSETTES = REPO / "cassettes"
# the shared data beside the checkout, or where HALLWATCH_SHARED says (as in tests/conftest.py)
RECORDINGS = Path(os.environ.get("HALLWATCH_SHARED", REPO.parent / "shared")) / "data" / "api-recordings"


def query_subset(r1, r2) -> None:
    """The recorded query's parameters must all be in the request with the same values.

    Cassettes list only what decides the answer (paging, since, ids); the long `fields` strings
    may change without re-recording.
    """
    sent = dict(parse_qsl(urlparse(r1.uri).query, keep_blank_values=True))
    recorded = dict(parse_qsl(urlparse(r2.uri).query, keep_blank_values=True))
    missing = {k: v for k, v in recorded.items() if sent.get(k) != v}
    assert not missing, f"query differs: {missing}"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


# what a recorded session token becomes: JWT-shaped (the atproto SDK reads its `exp`), signed by no one.
# vcrpy applies the response filter on playback too, so the placeholder must still work as a token.
PLACEHOLDER_JWT = f"{_b64({'typ': 'at+jwt', 'alg': 'none'})}.{_b64({'scope': 'filtered', 'sub': 'did:plc:filtered', 'exp': 4102444800})}.{_b64({'filtered': True})}"


def drop_response_cookies(response: dict) -> dict:
    """vcrpy's filter_headers only touches requests; a response's Set-Cookie must go too."""
    headers = response.get("headers") or {}
    response["headers"] = {k: v for k, v in headers.items() if k.lower() not in ("set-cookie", "cookie")}
    body = (response.get("body") or {}).get("string")
    if body and (b"Jwt" in body if isinstance(body, bytes) else "Jwt" in body):
        # an AT Protocol session (createSession/refreshSession) answers with its tokens in the body
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return response
        if isinstance(data, dict):
            data = {k: (PLACEHOLDER_JWT if k in ("accessJwt", "refreshJwt") else v) for k, v in data.items()}
            response["body"]["string"] = json.dumps(data).encode()
    return response


def drop_json_secrets(request):
    """AT Protocol logins send the app password in a JSON body, which filter_post_data_parameters does not read."""
    body = request.body
    if body and (request.headers.get("Content-Type") or request.headers.get("content-type") or "").startswith("application/json"):
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return request
        if isinstance(data, dict) and data.keys() & {"password", "refreshJwt", "accessJwt"}:
            request.body = json.dumps({k: ("FILTERED" if k in ("password", "refreshJwt", "accessJwt") else v) for k, v in data.items()})
    return request


def make_vcr(record_mode: str = "none") -> vcr.VCR:
    config = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=record_mode,
        # YouTube Data API keys travel as ?key=, Flickr's as ?api_key= with OAuth 1.0a's signature
        filter_query_parameters=["access_token", "appsecret_proof", "key", "api_key", "oauth_consumer_key", "oauth_token", "oauth_signature", "oauth_nonce"],
        filter_post_data_parameters=["access_token"],
        filter_headers=["Authorization", "Cookie", "Set-Cookie"],
        match_on=["method", "scheme", "host", "port", "path", "query_subset"],
        decode_compressed_response=True,
        before_record_response=drop_response_cookies,
        before_record_request=drop_json_secrets,
    )
    config.register_matcher("query_subset", query_subset)
    return config


VCR = make_vcr()


@pytest.fixture
def cassette():
    """`with cassette("facebook/feed_first_poll.yaml") as cas:`; asserts every interaction was played."""
    from contextlib import contextmanager

    @contextmanager
    def use(name: str, *, all_played: bool = True, match_body: bool = False):
        # match_body: the (filtered) request body must equal the recorded one, e.g. for actions
        match_on = list(VCR.match_on) + (["body"] if match_body else [])
        with VCR.use_cassette(name, allow_playback_repeats=False, match_on=match_on) as cas:
            yield cas
        if all_played:
            assert cas.all_played, f"{name}: not every recorded call was made"

    return use


@pytest.fixture
def no_sleep():
    """A sleep that records instead of waiting, and a fixed random source."""
    waits: list[float] = []
    return waits

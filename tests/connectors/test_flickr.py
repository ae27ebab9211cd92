"""Flickr against its cassettes (built from the documented REST shapes): photos, people tags, comments."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from connectors.base import AccountRef, CredentialsError, Profile, ResponseError
from connectors.flickr import FlickrConnector
from connectors.ratelimit import Throttle
from tests.connectors.conftest import make_vcr

ACCOUNT = AccountRef("maple-flickr", "flickr", "12345678@N01", {"api_key": "flickrfakekey0001"})
OAUTH = AccountRef("maple-flickr", "flickr", "12345678@N01", {"api_key": "flickrfakekey0001", "consumer_secret": "fakeconsumersecret",
                                                                  "access_token": "72157fakeoauthtoken", "access_token_secret": "fakeoauthsecret"})


def throttle(waits: list[float] | None = None) -> Throttle:
    return Throttle(sleep=(waits if waits is not None else []).append, rand=lambda: 0.0, now=lambda: 1709650000.0)


def test_first_poll_pages_photos_with_people_tags_and_comments(cassette):
    with cassette("flickr/first_poll.yaml"):
        result = FlickrConnector(throttle()).fetch(ACCOUNT, None)
    assert [(i.kind, i.platform_id) for i in result.items] == [
        ("post", "53500000002"), ("comment", "72157700000000000-53500000002-1"), ("comment", "72157700000000000-53500000002-2"), ("post", "53500000001")]
    photo, parent_comment, own_comment, older = result.items
    assert photo.text == "Science fair\nProjects on the tables in the gym."
    assert photo.media[0].url.endswith("_b.jpg") and photo.media[0].tagged == ("Tagged Student",)
    assert photo.author.is_account and photo.permalink == "https://www.flickr.com/photos/12345678@N01/53500000002/"
    assert photo.created_at.isoformat() == "2024-03-05T15:00:00+00:00"
    assert parent_comment.parent_id == "53500000002" and parent_comment.author.name == "Pat Neighbour" and not parent_comment.author.is_account
    assert own_comment.author.is_account and older.media[0].tagged == ()
    assert result.calls == 6 and result.cursor == "1709658000"


def test_empty_poll_reads_only_the_lookback_window(cassette):
    with cassette("flickr/empty_poll.yaml"):
        result = FlickrConnector(throttle()).fetch(ACCOUNT, "1709658000")
    # one photos call, one comments call per photo of the window, no people tags for old photos
    assert result.items == [] and result.calls == 3 and result.cursor == "1709658000"


def test_429_with_retry_after_is_waited_for(cassette):
    waits: list[float] = []
    with cassette("flickr/rate_limited.yaml"):
        result = FlickrConnector(throttle(waits)).fetch(ACCOUNT, "1709658000")
    assert waits == [3.0] and result.items == [] and any("rate limited" in e for e in result.events)


@pytest.mark.parametrize("name,code", [("token_expired", 98), ("invalid_key", 100)])
def test_stat_fail_auth_codes_are_credentials_errors(cassette, name, code):
    with cassette(f"flickr/{name}.yaml"):
        with pytest.raises(CredentialsError, match=f"maple-flickr.*code {code}") as info:
            FlickrConnector(throttle()).fetch(ACCOUNT, None)
    assert "flickrfakekey" not in str(info.value)


def test_service_unavailable_is_a_response_error(cassette):
    with cassette("flickr/unavailable.yaml"):
        with pytest.raises(ResponseError, match="code 105"):
            FlickrConnector(throttle()).fetch(ACCOUNT, None)


def test_oauth_signs_every_request_for_private_photos(cassette):
    sent: list[httpx.URL] = []
    client = httpx.Client(event_hooks={"request": [lambda request: sent.append(request.url)]})
    with cassette("flickr/private_photos.yaml"):
        result = FlickrConnector(throttle(), client).fetch(OAUTH, None)
    assert [i.platform_id for i in result.items] == ["53500000003"]
    assert len(sent) == 3
    for url in sent:
        params = parse_qs(url.query.decode())
        assert params["oauth_token"] == ["72157fakeoauthtoken"] and params["oauth_signature_method"] == ["HMAC-SHA1"] and params["oauth_signature"]


def test_oauth_needs_all_three_secrets():
    half = AccountRef("maple-flickr", "flickr", "12345678@N01", {"api_key": "k", "access_token": "t"})
    with pytest.raises(CredentialsError, match="consumer_secret"):
        FlickrConnector(throttle()).fetch(half, None)


def test_recording_filters_the_api_key_and_oauth_secrets(tmp_path):
    """Re-recording through the shared config keeps the key and the OAuth token and signature out."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = b'{"photos": {"page": 1, "pages": 1, "photo": []}, "stat": "ok"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = make_vcr(record_mode="all")
        config.cassette_library_dir = str(tmp_path)
        local = AccountRef(OAUTH.name, "flickr", OAUTH.handle, OAUTH.credentials, {"base_url": f"http://127.0.0.1:{server.server_port}"})
        with config.use_cassette("rec.yaml"):
            FlickrConnector(throttle()).fetch(local, None)
    finally:
        server.shutdown()
        server.server_close()
    text = (tmp_path / "rec.yaml").read_text()
    assert "flickr.people.getPhotos" in text
    for secret in ("flickrfakekey0001", "72157fakeoauthtoken", "oauth_signature="):
        assert secret not in text
    assert urlsplit(text.split("uri: ")[1].split()[0]).path == "/services/rest/"


def test_profile_for_the_governance_audit(cassette):
    with cassette("flickr/profile.yaml"):
        profile = FlickrConnector(throttle()).profile(ACCOUNT)
    assert profile == Profile("Maple Grove School", "Photos from Maple Grove School", "https://maplegrove.example-sd.ca")

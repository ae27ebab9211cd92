"""The photo fetcher against a real local HTTP server: what it accepts, what it refuses, and what it never sends."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.sample import SAMPLE_IMAGES
from monitor.media.fetch import MediaFetchError, fetch_image, sniff
from tests.media.image_server import IMAGE, ImageServer, closed_port

TOKEN = "EAAGsecretTOKEN123"


@pytest.fixture(scope="module")
def server() -> Iterator[ImageServer]:
    with ImageServer() as s:
        yield s


def refused(url: str, **kwargs) -> str:  # noqa: ANN003
    with pytest.raises(MediaFetchError) as caught:
        fetch_image(url, **kwargs)
    message = str(caught.value)
    assert "127.0.0.1" not in message and TOKEN not in message and "http://" not in message, message
    return message


def test_an_image_is_fetched_with_its_sniffed_type_and_size(server: ImageServer) -> None:
    got = fetch_image(server.url("/ok.png"))
    assert got.data == IMAGE and got.content_type == "image/png" and (got.width, got.height) == (640, 480)
    # a CDN's generic type is fine: the bytes decide
    assert fetch_image(server.url("/octet.png")).content_type == "image/png"
    assert fetch_image(server.url("/to-ok")).data == IMAGE


def test_no_token_or_cookie_goes_to_the_media_host(server: ImageServer) -> None:
    fetch_image(server.url(f"/ok.png?access_token={TOKEN}"))
    _, headers = server.requests[-1]
    assert "authorization" not in headers and "cookie" not in headers
    assert all(TOKEN not in v for v in headers.values())


@pytest.mark.parametrize(("path", "why"), [
    ("/big", "larger than 10 MiB"),
    ("/big-stream", "larger than 10 MiB"),        # no Content-Length: the streamed cap refuses it
    ("/html-as-jpeg", "not an image"),            # the header lies; the bytes are HTML
    ("/html", "text/html, not an image"),
    ("/broken.png", "not a readable image"),      # PNG magic, then garbage
    ("/missing", "HTTP 404"),
    ("/to-file", "not http or https"),            # a redirect may not reach the server's own files
])
def test_what_is_not_a_fetchable_image_is_refused_with_a_clear_reason(server: ImageServer, path: str, why: str) -> None:
    assert why in refused(server.url(path) + f"?access_token={TOKEN}")


def test_a_trickling_body_ends_at_the_whole_fetch_deadline(server: ImageServer) -> None:
    # each byte comes well within any read timeout; only a deadline over the whole fetch stops it
    assert "did not send the photo within 1 s" in refused(server.url("/slow"), deadline=1.0)


def test_a_refused_connection_is_a_clear_error() -> None:
    assert refused(f"http://127.0.0.1:{closed_port()}/x.png?access_token={TOKEN}") == "could not connect to the media host"


@pytest.mark.parametrize("url", ["ftp://example.org/x.png", "javascript:alert(1)", "/etc/passwd", "", "data:image/png;base64,AAAA"])
def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(MediaFetchError) as caught:
        fetch_image(url)
    assert caught.value.permanent


def test_file_urls_only_inside_the_given_roots(tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(IMAGE)
    with pytest.raises(MediaFetchError, match="only from the bundled demo images"):
        fetch_image(outside.as_uri(), local_roots=(SAMPLE_IMAGES,))
    # .. cannot climb out of the root either
    sneaky = (SAMPLE_IMAGES / ".." / ".." / "pyproject.toml").as_uri().replace("/connectors/sample_images/../../", "/connectors/sample_images/%2e%2e/%2e%2e/")
    with pytest.raises(MediaFetchError):
        fetch_image(sneaky, local_roots=(SAMPLE_IMAGES,))
    got = fetch_image((SAMPLE_IMAGES / "wcfb-2.png").as_uri(), local_roots=(SAMPLE_IMAGES,))
    assert got.content_type == "image/png"


def test_too_many_pixels_is_refused(server: ImageServer) -> None:
    assert "too many pixels" in refused(server.url("/ok.png"), max_pixels=10_000)


def test_sniff_knows_the_four_types_and_nothing_else() -> None:
    assert sniff(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert sniff(b"GIF89a....") == "image/gif"
    assert sniff(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert sniff(IMAGE) == "image/png"
    assert sniff(b"<html>") is None and sniff(b"") is None

"""Fetching one photo from a platform's media URL, with every limit a stranger's post could push.

Why each limit: the URL and the bytes behind it come from whoever posted, so
- only http and https are fetched (a `file://` URL only inside the directories the caller names,
  the package's demo images: a post must never make the monitor read the server's own files);
- the body is streamed and cut at `max_bytes` (10 MiB by default), whatever Content-Length says;
- the whole fetch, redirects and a trickling body included, ends at `deadline` seconds;
- the type is taken from the magic bytes (JPEG, PNG, GIF, WebP), not the Content-Type header: an
  HTML page served as image/jpeg is refused; Pillow must then read the image's size, and an
  image of more than `max_pixels` (a decompression bomb) is refused too;
- no access token or cookie goes with the request: the media host gets a bare GET.

Errors are MediaFetchError with a short message that names neither the URL nor any token, so it
can be stored and shown as it is.
"""
from __future__ import annotations

import io
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from monitor.errors import HallwatchError

MAX_BYTES = 10 * 1024 * 1024
DEADLINE_SECONDS = 20.0
MAX_PIXELS = 40_000_000
MAX_REDIRECTS = 3
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# headers a CDN may send for an image; anything else (text/html, application/json) is refused at once
_ACCEPTED_HEADERS = {*IMAGE_TYPES, "image/jpg", "image/pjpeg", "application/octet-stream", "binary/octet-stream", ""}
USER_AGENT = "hallwatch-media/1 (school division social media monitor)"


class MediaFetchError(HallwatchError):
    """A photo that could not be fetched or is not an image; the message holds no URL.

    `permanent`: trying again cannot help (no URL, a scheme never fetched), so it is not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class FetchedImage:
    data: bytes
    content_type: str
    width: int
    height: int


def sniff(data: bytes) -> str | None:
    """The image type the first bytes say, or None: the only type this module believes."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_size(data: bytes, max_pixels: int = MAX_PIXELS) -> tuple[int, int]:
    """(width, height) as Pillow reads them; MediaFetchError for what is not a whole, sane image."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaFetchError(f"the image has too many pixels (more than {max_pixels:,})") from None
    except Exception:  # noqa: BLE001  (whatever Pillow says of hostile bytes, they are not an image)
        raise MediaFetchError("the bytes are not a readable image") from None
    if width * height > max_pixels:
        raise MediaFetchError(f"the image has too many pixels ({width}x{height}, more than {max_pixels:,})")
    return width, height


def checked(data: bytes, max_pixels: int = MAX_PIXELS) -> FetchedImage:
    kind = sniff(data)
    if kind is None:
        raise MediaFetchError("not an image: the bytes are not JPEG, PNG, GIF or WebP")
    width, height = image_size(data, max_pixels)
    return FetchedImage(data, kind, width, height)


def fetch_image(
    url: str,
    *,
    client: httpx.Client | None = None,
    max_bytes: int = MAX_BYTES,
    deadline: float = DEADLINE_SECONDS,
    max_pixels: int = MAX_PIXELS,
    local_roots: Sequence[Path] = (),
) -> FetchedImage:
    """The image at `url`, checked; MediaFetchError (no URL in it) for anything else."""
    if not isinstance(url, str) or not url.strip():
        raise MediaFetchError("the platform gave no URL for this photo", permanent=True)
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise MediaFetchError("the photo's URL cannot be parsed", permanent=True) from None
    scheme = parts.scheme.lower()
    if scheme == "file":
        return checked(_read_local(parts.path, local_roots, max_bytes), max_pixels)
    if scheme not in ("http", "https") or not parts.hostname:
        raise MediaFetchError(f"only http and https photo URLs are fetched, not {scheme[:20] or 'a relative URL'}", permanent=True)
    own = client is None
    http = client or new_client(deadline)
    try:
        return checked(_download(http, url.strip(), max_bytes, deadline), max_pixels)
    finally:
        if own:
            http.close()


def new_client(deadline: float = DEADLINE_SECONDS) -> httpx.Client:
    """A client of its own for media hosts: no auth, no cookies kept, redirects followed by hand."""
    return httpx.Client(timeout=httpx.Timeout(deadline), follow_redirects=False, headers={"User-Agent": USER_AGENT},
                        trust_env=False)


def _download(client: httpx.Client, url: str, max_bytes: int, deadline: float) -> bytes:
    end = time.monotonic() + deadline
    for _ in range(MAX_REDIRECTS + 1):
        left = end - time.monotonic()
        if left <= 0:
            raise MediaFetchError(f"the media host did not send the photo within {deadline:g} s")
        try:
            # each wait gets only what is left of the whole deadline, so redirects cannot stretch it
            with client.stream("GET", url, headers={"Accept": ", ".join(IMAGE_TYPES)}, timeout=httpx.Timeout(left)) as response:
                if response.is_redirect:
                    target = response.headers.get("location", "")
                    url = str(response.url.join(target))
                    if urlsplit(url).scheme not in ("http", "https"):
                        raise MediaFetchError("the media host redirected to a URL that is not http or https")
                    continue
                if response.status_code != 200:
                    raise MediaFetchError(f"the media host answered HTTP {response.status_code}")
                declared = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if declared not in _ACCEPTED_HEADERS:
                    raise MediaFetchError(f"the media host sent {declared[:40]}, not an image")
                length = response.headers.get("content-length", "")
                if length.isdigit() and int(length) > max_bytes:
                    raise MediaFetchError(f"the photo is larger than {_mib(max_bytes)}")
                body = bytearray()
                for chunk in response.iter_bytes():  # as the bytes arrive, so the deadline is checked as they trickle
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise MediaFetchError(f"the photo is larger than {_mib(max_bytes)}")
                    if time.monotonic() > end:
                        raise MediaFetchError(f"the media host did not send the photo within {deadline:g} s")
                return bytes(body)
        except httpx.TimeoutException:
            raise MediaFetchError(f"the media host did not send the photo within {deadline:g} s") from None
        except httpx.ConnectError:
            raise MediaFetchError("could not connect to the media host") from None
        except httpx.HTTPError as exc:
            raise MediaFetchError(f"the fetch failed ({type(exc).__name__})") from None
    raise MediaFetchError(f"the media host redirected more than {MAX_REDIRECTS} times")


def _read_local(path_part: str, roots: Sequence[Path], max_bytes: int) -> bytes:
    path = Path(unquote(path_part)).resolve()
    if not any(path.is_relative_to(root.resolve()) for root in roots):
        raise MediaFetchError("file URLs are read only from the bundled demo images", permanent=True)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError:
        raise MediaFetchError("the demo image cannot be read") from None
    if len(data) > max_bytes:
        raise MediaFetchError(f"the photo is larger than {_mib(max_bytes)}")
    return data


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"

"""Sample files of items in the `hallwatch classify` input shape, for the demo and for tests.

The cursor is the number of lines already taken, so a second run over the same file adds nothing
and lines appended later are picked up.

Demo photos: a media `url` of `sample-image:NAME` names an image the package ships in
`connectors/sample_images/` (drawn by the project, see its README); the connector turns it into
that file's `file://` URL. The monitor's photo fetcher reads file URLs only inside that folder, so
the demo's photos are fetched, stored and face-counted like a platform's, with no network.
"""
from __future__ import annotations

import json
from pathlib import Path

from connectors.base import AccountRef, ExportFileError, FetchResult
from dataclasses import replace

from connectors.items import Author, Item, Media, parse_time

SAMPLE_IMAGES = Path(__file__).resolve().parent / "sample_images"
SAMPLE_IMAGE_SCHEME = "sample-image:"


class SampleFileConnector:
    platform = "sample"

    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        path = Path(account.options["sample_file"])
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ExportFileError(f"{path}: cannot read sample file ({exc.strerror})") from exc
        start = int(cursor or 0)
        items = [item_from_line(path, number, line, account) for number, line in enumerate(lines[start:], start + 1) if line.strip()]
        return FetchResult(items=items, cursor=str(len(lines)), calls=1)


def item_from_line(path: Path, number: int, line: str, account: AccountRef) -> Item:
    try:
        data = json.loads(line)
        item = item_from_dict(data, default_account=account.name, default_platform=account.platform)
    except (ValueError, KeyError, TypeError) as exc:
        raise ExportFileError(f"{path}:{number}: {exc}") from exc
    if any(m.url and m.url.startswith(SAMPLE_IMAGE_SCHEME) for m in item.media):
        item.media = [replace(m, url=sample_image_url(path, number, m.url)) for m in item.media]
    return item


def sample_image_url(path: Path, number: int, url: str | None) -> str | None:
    """`sample-image:NAME` as the file:// URL of the shipped image; other URLs unchanged."""
    if not url or not url.startswith(SAMPLE_IMAGE_SCHEME):
        return url
    name = url[len(SAMPLE_IMAGE_SCHEME):]
    image = SAMPLE_IMAGES / name
    if not name or "/" in name or "\\" in name or name.startswith(".") or not image.is_file():
        raise ExportFileError(f"{path}:{number}: media url {url[:80]!r}: no such image in {SAMPLE_IMAGES}")
    return image.as_uri()


def item_from_dict(data: dict, *, default_account: str = "", default_platform: str = "") -> Item:
    """An item from the contract's JSON shape (DESIGN.md); raises ValueError naming the field."""
    if not isinstance(data, dict):
        raise ValueError("line is not a JSON object")
    for key in ("id", "text"):
        if key not in data:
            raise ValueError(f"missing field {key!r}")
    if not isinstance(data["text"], str):
        raise ValueError("field 'text' must be a string")
    author = data.get("author") or {}
    if not isinstance(author, dict):
        raise ValueError("field 'author' must be an object")
    media = data.get("media") or []
    if not isinstance(media, list):
        raise ValueError("field 'media' must be a list")
    try:
        created = parse_time(data.get("created_at"))
    except ValueError as exc:
        raise ValueError(f"field 'created_at': {exc}") from exc
    kind = data.get("kind", "post")
    if kind not in ("post", "comment", "reply"):
        raise ValueError(f"field 'kind' must be post, comment or reply, not {kind!r}")
    return Item(
        platform=data.get("platform") or default_platform,
        platform_id=str(data["id"]),
        account=data.get("account") or default_account,
        kind=kind,
        text=data["text"],
        author=Author(name=str(author.get("name", "")), platform_id=author.get("id"), is_account=bool(author.get("is_account", False))),
        created_at=created,
        parent_id=data.get("parent_id"),
        permalink=data.get("permalink"),
        media=[Media.from_dict(m) for m in media],
        consent_tag=data.get("consent_tag"),
        raw=data,
    )

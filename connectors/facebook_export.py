"""Importer for Facebook "Download your information" JSON (posts and comments).

Facebook writes these files as UTF-8 bytes escaped one by one as latin-1 code points
(`"\u00c3\u00b8"` for "ø"); `repair_text` turns them back. Posts (`your_posts*.json`, a list with
`data[].post` and `attachments[].data[].media`) become `post` items; `comments.json`
(`comments_v2[].data[].comment`) become `comment` items. The export has no platform ids, so a
stable id is derived from timestamp and text: importing the same file twice adds nothing.
Malformed input raises ExportFileError naming the file and line/column or the entry.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from connectors.base import AccountRef, ExportFileError
from connectors.items import Author, Item, Media


def repair_text(value: str) -> str:
    """Undo Facebook's latin-1 escaping of UTF-8; leave text that was not mangled alone."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _repair(node: Any) -> Any:
    if isinstance(node, str):
        return repair_text(node)
    if isinstance(node, list):
        return [_repair(v) for v in node]
    if isinstance(node, dict):
        return {repair_text(k): _repair(v) for k, v in node.items()}
    return node


def export_files(path: Path) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    files = sorted(path.rglob("your_posts*.json")) + sorted(path.rglob("comments.json"))
    if not files:
        raise ExportFileError(f"{path}: no your_posts*.json or comments.json in this folder")
    return files


def read_export(path: Path, account: AccountRef) -> Iterator[Item]:
    for file in export_files(path):
        yield from read_file(file, account)


def read_file(path: Path, account: AccountRef) -> Iterator[Item]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ExportFileError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON ({exc.msg})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportFileError(f"{path}: cannot read Facebook export file ({exc})") from exc
    data = _repair(data)
    if isinstance(data, dict) and "comments_v2" in data:
        for number, entry in enumerate(data["comments_v2"], 1):
            yield from _comments(path, number, entry, account)
    elif isinstance(data, list):
        for number, entry in enumerate(data, 1):
            item = _post(path, number, entry, account)
            if item is not None:
                yield item
    else:
        raise ExportFileError(f"{path}: neither a list of posts nor a 'comments_v2' object")


def _when(path: Path, number: int, value: Any) -> datetime:
    if not isinstance(value, (int, float)):
        raise ExportFileError(f"{path}: entry {number}: missing or non-numeric 'timestamp'")
    return datetime.fromtimestamp(value, tz=timezone.utc)


def _stable_id(kind: str, when: datetime, text: str) -> str:
    digest = hashlib.sha256(f"{kind}|{when.isoformat()}|{text}".encode()).hexdigest()[:20]
    return f"fbexport:{digest}"


def _post(path: Path, number: int, entry: Any, account: AccountRef) -> Item | None:
    if not isinstance(entry, dict):
        raise ExportFileError(f"{path}: entry {number}: not an object")
    when = _when(path, number, entry.get("timestamp"))
    text = " ".join(d["post"] for d in entry.get("data", []) if isinstance(d, dict) and isinstance(d.get("post"), str))
    media = []
    for att in entry.get("attachments", []):
        for part in att.get("data", []) if isinstance(att, dict) else []:
            m = part.get("media") if isinstance(part, dict) else None
            if isinstance(m, dict):
                tags = [t.get("name", "") for t in m.get("tags", []) if isinstance(t, dict)]
                is_video = str(m.get("uri", "")).lower().endswith((".mp4", ".mov"))
                media.append(Media(type="video" if is_video else "photo", url=m.get("uri"), alt_text=m.get("description"), tagged=tuple(tags)))
    if not text and not media:
        return None  # link shares and status updates without text: nothing to review
    return Item(
        platform="facebook", platform_id=_stable_id("post", when, text), account=account.name, kind="post",
        text=text, author=Author(name=account.name, is_account=True), created_at=when, media=media, raw=entry,
    )


def _comments(path: Path, number: int, entry: Any, account: AccountRef) -> Iterator[Item]:
    if not isinstance(entry, dict):
        raise ExportFileError(f"{path}: comments_v2 entry {number}: not an object")
    for part in entry.get("data", []):
        c = part.get("comment") if isinstance(part, dict) else None
        if not isinstance(c, dict) or not isinstance(c.get("comment"), str):
            raise ExportFileError(f"{path}: comments_v2 entry {number}: comment without text")
        when = _when(path, number, c.get("timestamp", entry.get("timestamp")))
        yield Item(
            platform="facebook", platform_id=_stable_id("comment", when, c["comment"]), account=account.name, kind="comment",
            text=c["comment"], author=Author(name=str(c.get("author", "")), is_account=True), created_at=when, raw=entry,
        )

"""Importer for the X account archive's `data/tweets.js` (`window.YTD.tweets.part0 = [...]`).

For back-audits of past years without API access. Every tweet in the archive is the account's own:
replies (`in_reply_to_status_id_str`) become `reply` items, everything else `post`. Photos and videos
come from `extended_entities.media`. Malformed input raises ExportFileError naming the file and the
line/column (bad JSON) or the entry number (a tweet without id or text).
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Iterator

from connectors.base import AccountRef, ExportFileError
from connectors.items import Author, Item, Media

ARCHIVE_TIME = "%a %b %d %H:%M:%S %z %Y"  # "Sat Oct 11 17:05:52 +0000 2025"


def read_archive(path: Path, account: AccountRef) -> Iterator[Item]:
    path = Path(path)
    if path.is_dir():
        path = path / "data" / "tweets.js" if (path / "data" / "tweets.js").exists() else path / "tweets.js"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportFileError(f"{path}: cannot read X archive file ({exc})") from exc
    start = text.find("=")
    if not text.lstrip().startswith("window.YTD.") or start < 0:
        raise ExportFileError(f"{path}:1: not an X archive tweets file (expected 'window.YTD.tweets.part0 = [')")
    body = text[start + 1:]
    try:
        entries = json.loads(body)
    except json.JSONDecodeError as exc:
        # the JSON starts on line 1 after the assignment, so only the first line's column shifts
        column = exc.colno + (start + 1 if exc.lineno == 1 else 0)
        raise ExportFileError(f"{path}:{exc.lineno}:{column}: invalid JSON ({exc.msg})") from None
    if not isinstance(entries, list):
        raise ExportFileError(f"{path}: expected a list of tweets after the assignment")
    for number, entry in enumerate(entries, 1):
        yield tweet_item(path, number, entry, account)


def tweet_item(path: Path, number: int, entry: object, account: AccountRef) -> Item:
    tweet = entry.get("tweet") if isinstance(entry, dict) else None
    if not isinstance(tweet, dict):
        raise ExportFileError(f"{path}: entry {number}: no 'tweet' object")
    tid = tweet.get("id_str") or tweet.get("id")
    text = tweet.get("full_text", tweet.get("text"))
    if not tid or not isinstance(text, str):
        raise ExportFileError(f"{path}: entry {number}: tweet without 'id_str' or 'full_text'")
    try:
        created = datetime.strptime(tweet["created_at"], ARCHIVE_TIME) if tweet.get("created_at") else None
    except ValueError:
        raise ExportFileError(f"{path}: entry {number}: unreadable created_at {tweet.get('created_at')!r}") from None
    parent = tweet.get("in_reply_to_status_id_str")
    media = [
        Media(type="photo" if m.get("type") == "photo" else "video", url=m.get("media_url_https") or m.get("media_url"), alt_text=m.get("ext_alt_text"))
        for m in (tweet.get("extended_entities") or {}).get("media", [])
    ]
    return Item(
        platform="x", platform_id=str(tid), account=account.name, kind="reply" if parent else "post",
        text=text, author=Author(name=account.handle or account.name, platform_id=None, is_account=True),
        created_at=created, parent_id=parent, permalink=f"https://x.com/i/status/{tid}", media=media, raw=tweet,
    )

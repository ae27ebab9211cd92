"""The normalized item: the vocabulary every connector produces and everything else consumes.

An item is a post, comment or reply on one registered account. Connectors build these from the
platforms' own shapes; the monitor stores them; the classifiers read them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

Kind = Literal["post", "comment", "reply"]
MediaType = Literal["photo", "video"]


@dataclass(frozen=True)
class Media:
    type: MediaType
    url: str | None = None
    alt_text: str | None = None
    tagged: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "url": self.url, "alt_text": self.alt_text, "tagged": list(self.tagged)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Media":
        kind = data.get("type", "photo")
        if kind not in ("photo", "video"):
            raise ValueError(f"media type must be 'photo' or 'video', not {kind!r}")
        tagged = data.get("tagged") or []
        if not isinstance(tagged, list) or not all(isinstance(t, str) for t in tagged):
            raise ValueError("media 'tagged' must be a list of names")
        return cls(type=kind, url=data.get("url"), alt_text=data.get("alt_text"), tagged=tuple(tagged))


@dataclass(frozen=True)
class Author:
    name: str
    platform_id: str | None = None
    is_account: bool = False


@dataclass
class Item:
    platform: str
    platform_id: str
    account: str
    kind: Kind
    text: str
    author: Author
    created_at: datetime | None = None
    parent_id: str | None = None
    permalink: str | None = None
    media: list[Media] = field(default_factory=list)
    # "on-file" when the poster asserted that media consent is on file for the people shown
    consent_tag: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def created_at_utc(self) -> datetime:
        """When it was posted, or now when unknown (consent is judged as of this moment)."""
        if self.created_at is None:
            return datetime.now(timezone.utc)
        if self.created_at.tzinfo is None:
            return self.created_at.replace(tzinfo=timezone.utc)
        return self.created_at


def parse_time(value: str | None) -> datetime | None:
    """ISO 8601 as the platforms write it (`Z`, `+0000` or `+00:00`), always timezone-aware."""
    if value is None or value == "":
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-2] + ":" + text[-2:]
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)

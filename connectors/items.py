"""The normalized item: the vocabulary every connector produces and everything else consumes.

An item is a post, comment or reply on one registered account. Connectors build these from the
platforms' own shapes; the monitor stores them; the classifiers read them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Literal

Kind = Literal["post", "comment", "reply"]
MediaType = Literal["photo", "video"]

# What no database column or JSON document can hold: NUL (PostgreSQL refuses it in text and JSON)
# and UTF-16 surrogates (a cut emoji such as "\ud83d" from a platform's JSON cannot be encoded
# as UTF-8 at all). Anything a stranger can post passes through clean_text before it is stored.
_UNSAFE = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean_text(value: str) -> str:
    """`value` with lone surrogates and NUL replaced by U+FFFD; a valid surrogate pair becomes its character."""
    if not _UNSAFE.search(value):
        return value
    # UTF-16 round trip: a pair that is whole joins into one character, a lone half is replaced
    value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return value.replace("\x00", REPLACEMENT)


def clean_optional(value: str | None) -> str | None:
    """None stays None; anything else becomes clean text (an id a platform sent as a number, too)."""
    return None if value is None else clean_text(value if isinstance(value, str) else str(value))


def clean_json(value: Any, depth: int = 0) -> Any:
    """A JSON-shaped value (the raw payload) with every string, keys too, made safe by clean_text.

    Deeper than 200 levels is not a platform payload: that part is replaced by a marker rather
    than walked, so a hostile document cannot exhaust the stack.
    """
    if isinstance(value, str):
        return clean_text(value)
    if depth > 200:
        return "[nested too deeply]"
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: clean_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_json(v, depth + 1) for v in value]
    return value


@dataclass(frozen=True)
class Media:
    type: MediaType
    url: str | None = None
    alt_text: str | None = None
    tagged: tuple[str, ...] = ()
    # the monitor's stored copy of this photo (monitor.media), set only for the classifier: never
    # read from platform data, never stored (to_dict leaves it out)
    local_path: str | None = None

    def cleaned(self) -> "Media":
        alt, tagged, url = clean_optional(self.alt_text), tuple(clean_text(t) for t in self.tagged), clean_optional(self.url)
        if alt == self.alt_text and tagged == self.tagged and url == self.url:
            return self
        return replace(self, url=url, alt_text=alt, tagged=tagged)

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

    def cleaned(self) -> "Author":
        name, platform_id = clean_text(str(self.name)), clean_optional(self.platform_id)
        return self if (name, platform_id) == (self.name, self.platform_id) else replace(self, name=name, platform_id=platform_id)


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

    def __post_init__(self) -> None:
        # made safe once, at the connector boundary: every connector builds its items here, and
        # the monitor, the database and the classifiers then never meet NUL or a lone surrogate
        self.platform_id = clean_text(str(self.platform_id))
        self.text = clean_text(self.text)
        self.author = self.author.cleaned()
        self.parent_id = clean_optional(self.parent_id)
        self.permalink = clean_optional(self.permalink)
        self.consent_tag = clean_optional(self.consent_tag)
        self.media = [m.cleaned() for m in self.media]
        self.raw = clean_json(self.raw)

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

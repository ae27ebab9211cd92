"""The `hallwatch classify` contract (DESIGN.md): read items JSONL, write findings JSONL.

Every input line is hostile: a bad one (not UTF-8, not JSON, nested too deeply, a text too long,
a field of the wrong type, no id/text) is reported as `PATH:LINE: reason` and skipped; the rest are
still read. The file is read as a stream (`iter_items`, `batches`), so memory stays flat
whatever its length; a single line is read at most MAX_LINE_BYTES at a time.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, TextIO

from classifiers.findings import Finding
from connectors.items import Item
from connectors.sample import item_from_dict

# How much of an item's text the classifiers read: a post longer than this is not one a person
# wrote to be read, and spaCy refuses a text over 1,000,000 characters. The whole text is still
# stored for the record; only classification stops here.
MAX_CLASSIFIED_CHARS = 20_000
# the contract's own limits on one input line: beyond them the line is reported and skipped
MAX_TEXT_CHARS = 1_000_000
MAX_LINE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 32
BATCH = 512
_OPTIONAL_STRINGS = ("platform", "account", "kind", "parent_id", "permalink", "consent_tag", "created_at")


@dataclass
class ContractInput:
    items: list[Item] = field(default_factory=list)
    # the raw JSON object of each item, for labelled files (labels, spans)
    records: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Line:
    """One input line: its number and either the item (with its JSON object) or why it was skipped."""

    number: int
    item: Item | None = None
    record: dict[str, Any] | None = None
    error: str | None = None


class BadLine(ValueError):
    pass


def read_items(path: Path) -> ContractInput:
    """The whole file at once (for `eval`, whose labelled sets are small)."""
    result = ContractInput()
    for line in iter_items(path):
        if line.error is not None:
            result.errors.append(line.error)
        else:
            assert line.item is not None and line.record is not None
            result.items.append(line.item)
            result.records.append(line.record)
    return result


def iter_items(path: Path) -> Iterator[Line]:
    """Each non-blank line of `path`, parsed and checked, one at a time."""
    with open(path, "rb") as fh:
        number = 0
        while True:
            raw = fh.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while (rest := fh.readline(1024 * 1024)) and not rest.endswith(b"\n"):
                    pass  # skip the rest of the over-long line without holding it
                yield Line(number, error=f"{path}:{number}: line longer than {MAX_LINE_BYTES} bytes; skipped")
                continue
            if not raw.strip():
                continue
            try:
                item, record = parse_line(raw)
            except BadLine as exc:
                yield Line(number, error=f"{path}:{number}: {exc}")
                continue
            yield Line(number, item=item, record=record)


def parse_line(raw: bytes) -> tuple[Item, dict[str, Any]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadLine(f"not valid UTF-8 (byte {exc.start + 1} of the line)") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise BadLine(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise BadLine(f"not valid JSON ({getattr(exc, 'msg', 'cannot parse')})") from None
    check_record(data)
    try:
        item = item_from_dict(data)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise BadLine(str(exc)) from None
    return item, data


def check_record(data: Any) -> None:
    """The shapes item_from_dict relies on, with the field named; raises BadLine."""
    if not isinstance(data, dict):
        raise BadLine("line is not a JSON object")
    if _depth(data) > MAX_DEPTH:
        raise BadLine(f"nested deeper than {MAX_DEPTH} levels")
    for key in ("id", "text"):
        if key not in data:
            raise BadLine(f"missing field {key!r}")
    if isinstance(data["id"], bool) or not isinstance(data["id"], (str, int)):
        raise BadLine("field 'id' must be a string or a number")
    if not isinstance(data["text"], str):
        raise BadLine("field 'text' must be a string")
    if len(data["text"]) > MAX_TEXT_CHARS:
        raise BadLine(f"field 'text' is {len(data['text'])} characters; at most {MAX_TEXT_CHARS} are accepted")
    for key in _OPTIONAL_STRINGS:
        if data.get(key) is not None and not isinstance(data[key], str):
            raise BadLine(f"field {key!r} must be a string")
    author = data.get("author")
    if author is not None:
        if not isinstance(author, dict):
            raise BadLine("field 'author' must be an object")
        if author.get("name") is not None and not isinstance(author["name"], str):
            raise BadLine("field 'author.name' must be a string")
    media = data.get("media")
    if media is not None:
        if not isinstance(media, list):
            raise BadLine("field 'media' must be a list")
        for index, entry in enumerate(media):
            if not isinstance(entry, dict):
                raise BadLine(f"field 'media[{index}]' must be an object")
            for key in ("type", "url", "alt_text"):
                if entry.get(key) is not None and not isinstance(entry[key], str):
                    raise BadLine(f"field 'media[{index}].{key}' must be a string")


def _depth(value: Any) -> int:
    """How deeply a parsed JSON value nests, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def batches(lines: Iterable[Line], size: int = BATCH) -> Iterator[list[Line]]:
    batch: list[Line] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def finding_json(finding: Finding) -> dict[str, Any]:
    return finding.to_contract()


def write_findings(out: TextIO, items: Iterable[Item], findings: Iterable[list[Finding]]) -> int:
    count = 0
    for item, found in zip(items, findings):
        out.write(json.dumps({"id": item.raw.get("id", item.platform_id), "findings": [finding_json(f) for f in found]}, ensure_ascii=False) + "\n")
        count += 1
    return count

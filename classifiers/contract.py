"""The `hallwatch classify` contract (DESIGN.md): read items JSONL, write findings JSONL.

A bad line (not JSON, or no id/text) is reported as `PATH:LINE: reason` and skipped; the rest
are still read.
"""
from __future__ import annotations

import json
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


@dataclass
class ContractInput:
    items: list[Item] = field(default_factory=list)
    # the raw JSON object of each item, for labelled files (labels, spans)
    records: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_items(path: Path) -> ContractInput:
    result = ContractInput()
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError as exc:
                result.errors.append(f"{path}:{number}: not valid JSON ({exc.msg})")
                continue
            try:
                item = item_from_dict(data)
            except (ValueError, TypeError, KeyError) as exc:
                result.errors.append(f"{path}:{number}: {exc}")
                continue
            result.items.append(item)
            result.records.append(data)
    return result


def finding_json(finding: Finding) -> dict[str, Any]:
    return finding.to_contract()


def write_findings(out: TextIO, items: Iterable[Item], findings: Iterable[list[Finding]]) -> int:
    count = 0
    for item, found in zip(items, findings):
        out.write(json.dumps({"id": item.raw.get("id", item.platform_id), "findings": [finding_json(f) for f in found]}, ensure_ascii=False) + "\n")
        count += 1
    return count

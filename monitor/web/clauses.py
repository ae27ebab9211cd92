"""The words of the procedure clauses findings cite, from clauses.json (shipped with the package).

A finding names its clauses the way the procedures do ("AP1311 1.3.6", "AP1311 1.3.5; AP146 2b",
"AP80-SM Establishing; AP193 1.2, 3.1, 3.2"). School staff working the queue need the words, not
the number: `quote()` turns such a reference into the quoted clauses, each with its policy title.
A clause the file does not hold is still listed (with no words) rather than dropped.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

CLAUSES_FILE = Path(__file__).with_name("clauses.json")


@dataclass(frozen=True)
class Clause:
    policy: str  # "AP1311"
    number: str  # "1.3.6", "2b", or a section name such as "Account Management"
    title: str  # the policy's title; "" when the policy is unknown
    words: str | None  # the clause quoted; None when clauses.json does not hold it

    @property
    def ref(self) -> str:
        return f"{self.policy} {self.number}"


@lru_cache(maxsize=1)
def _policies() -> dict[str, Any]:
    data = json.loads(CLAUSES_FILE.read_text(encoding="utf-8"))
    policies = data.get("policies")
    if not isinstance(policies, dict):
        raise ValueError(f"{CLAUSES_FILE}: no 'policies' object")
    return policies


def parse(reference: str) -> list[tuple[str, str]]:
    """("AP193", "1.2"), ... from "AP80-SM Establishing; AP193 1.2, 3.1"; a bare "3.1" keeps the last policy."""
    out: list[tuple[str, str]] = []
    for part in (reference or "").split(";"):
        part = part.strip()
        if not part:
            continue
        policy, _, rest = part.partition(" ")
        numbers = [n.strip() for n in rest.split(",")] if rest.strip() else [""]
        # a section name may itself hold no comma; numbered clauses are comma-separated
        out.extend((policy, n) for n in numbers if n or not rest.strip())
    return out


def quote(reference: str) -> list[Clause]:
    """Each clause `reference` names, with its words; unknown clauses keep their reference, words None."""
    policies = _policies()
    clauses: list[Clause] = []
    for policy, number in parse(reference):
        entry = policies.get(policy) or {}
        words = (entry.get("clauses") or {}).get(number)
        clause = Clause(policy, number, str(entry.get("title", "")), words if isinstance(words, str) else None)
        if clause not in clauses:
            clauses.append(clause)
    return clauses

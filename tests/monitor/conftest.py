from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from classifiers.findings import Finding
from connectors.items import Item

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "example"


class KeywordAnalyzer:
    """A stand-in classifier for tests of the run mechanics: flags the word 'password' (the real
    pipeline is tested in tests/classifiers and end to end in test_demo.py)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, items: Sequence[Item]) -> list[list[Finding]]:
        self.seen.extend(item.platform_id for item in items)
        results = []
        for item in items:
            at = item.text.lower().find("password")
            results.append([Finding("confidential", 0.9, at, at + 8, None, "AP146 2a", "medium")] if at >= 0 else [])
        return results


@pytest.fixture
def analyzer() -> KeywordAnalyzer:
    return KeywordAnalyzer()


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A copy of the example division that a test may edit."""
    target = tmp_path / "config"
    shutil.copytree(EXAMPLE, target)
    return target

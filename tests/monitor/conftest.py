from __future__ import annotations

import shutil
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "example"


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A copy of the example division that a test may edit."""
    target = tmp_path / "config"
    shutil.copytree(EXAMPLE, target)
    return target

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from monitor.config import load_division

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "example"


def test_the_credentials_file_systemd_hands_over_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "own.env"
    own.write_text("X_DIVISION_BEARER=from-the-config\n")
    base = load_division(EXAMPLE)
    division = dataclasses.replace(base, settings=base.settings.model_copy(update={"credentials_file": str(own)}))
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    assert division.secret("file:X_DIVISION_BEARER") == "from-the-config"

    handed = tmp_path / "credentials"
    handed.mkdir()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(handed))
    # set, but this service was given no credentials.env: the configured file still counts
    assert division.secret("file:X_DIVISION_BEARER") == "from-the-config"
    (handed / "credentials.env").write_text("X_DIVISION_BEARER=from-systemd\n")
    assert division.secret("file:X_DIVISION_BEARER") == "from-systemd"
    # a division with no credentials_file of its own reads systemd's too
    bare = dataclasses.replace(base, settings=base.settings.model_copy(update={"credentials_file": None}))
    assert bare.secret("file:X_DIVISION_BEARER") == "from-systemd"
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    assert bare.secret("file:X_DIVISION_BEARER") is None

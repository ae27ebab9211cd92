from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from monitor.config import load_division
from monitor.scheduler import LiveConfig

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "example"


def test_a_bad_roster_row_is_logged_by_line_and_field_without_its_values(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = tmp_path / "config"
    shutil.copytree(EXAMPLE, config)
    live = LiveConfig(load_division(config), config)
    assert live.reload() is live.division  # unchanged files: the same division, not read again
    students = (config / "students.csv").read_text().splitlines()
    # a row shifted by one column: a student's name lands in the grade column
    students[2] = students[2].replace(",Willow Creek Elementary,4,", ",Willow Creek Elementary,Oliver Mbeki,")
    (config / "students.csv").write_text("\n".join(students) + "\n")
    kept = live.division
    with caplog.at_level(logging.INFO, logger="hallwatch.scheduler"):
        assert live.reload("c1") is kept
    record = next(r for r in caplog.records if getattr(r, "event", None) == "config_invalid")
    assert record.problems == ["students.csv:3: grade: invalid value (run hallwatch check-config for details)"]
    assert "Oliver" not in json.dumps(record.__dict__, default=str)
    (config / "students.csv").write_text((EXAMPLE / "students.csv").read_text())
    with caplog.at_level(logging.INFO, logger="hallwatch.scheduler"):
        assert live.reload("c2") is kept  # back as it was: the last good division, said so
    assert any(getattr(r, "event", None) == "config_reloaded" for r in caplog.records)


def test_an_unreadable_division_file_keeps_the_last_good_one(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = tmp_path / "config"
    shutil.copytree(EXAMPLE, config)
    live = LiveConfig(load_division(config), config)
    kept = live.division
    (config / "division.yaml").write_bytes(b"division:\n  name: \xff\xfe broken\n")  # not UTF-8
    with caplog.at_level(logging.INFO, logger="hallwatch.scheduler"):
        assert live.reload("c1") is kept
    assert live.problems and any(getattr(r, "event", None) == "config_invalid" for r in caplog.records)

"""`make demo`'s commands end to end, in a real process, with the real classifier pipeline."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HALLWATCH = Path(sys.executable).with_name("hallwatch")


def hallwatch(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(HALLWATCH), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLWATCH_")}
    data = tmp_path_factory.mktemp("demo")
    for args in (["check-config", "config/example"], ["init", "--config", "config/example", "--data-dir", str(data)]):
        result = hallwatch(*args, env=env)
        assert result.returncode == 0, result.stderr
    run = hallwatch("run", "--config", "config/example", "--data-dir", str(data), env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    return env, data


def findings(demo: tuple[dict[str, str], Path], category: str) -> str:
    env, data = demo
    result = hallwatch("findings", "--config", "config/example", "--data-dir", str(data), "--category", category, "--limit", "500", env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_demo_reports_every_account(demo) -> None:
    env, data = demo
    report = hallwatch("report", "--config", "config/example", "--data-dir", str(data), env=env)
    assert report.returncode == 0
    for account in ("prairie-hills-sd-fb", "willow-creek-elementary-fb", "cedar-valley-middle-ig", "northgate-high-fb", "dubois-grade2-blog"):
        assert account in report.stdout
    assert "hallwatch findings" in report.stdout
    assert (data / "hallwatch.sqlite3").exists()


@pytest.mark.parametrize(
    ("category", "item"),
    [
        ("media_inquiry", "phfb-1-c2"),      # a reporter asking the division for comment
        ("media_inquiry", "phx-2"),          # a radio producer asking for an interview
        ("student_pii", "wcfb-3-c1"),        # a student's full name, grade and allergy
        ("student_pii", "nhfb-1-c1"),        # a student's phone number
        ("student_tagged", "wcfb-4"),        # students tagged in a photo
        ("photo_no_consent", "wcfb-1"),      # a named student whose consent is "no"
        ("photo_no_consent", "phfb-3"),      # three faces counted in the shipped demo photo; no words say so
        ("harassment", "cvig-2-c1"),         # a threat against a coach
        ("confidential", "dg2-2"),           # a class password posted publicly
        ("confidential", "phx-3"),           # a meeting passcode
        ("personal_info", "nhfb-3-c2"),      # a neighbour's home address and phone
    ],
)
def test_the_demo_finds_what_the_procedures_forbid(demo, category: str, item: str) -> None:
    assert f" {item} " in findings(demo, category)


@pytest.mark.parametrize(
    ("category", "item"),
    [
        ("student_pii", "wcfb-3"),           # the school office's own phone
        ("media_inquiry", "phfb-1-c1"),      # a parent's question
        ("harassment", "phfb-2-c2"),         # criticism without abuse
        ("harassment", "nhfb-3-c1"),
    ],
)
def test_the_demo_leaves_alone_what_is_fine(demo, category: str, item: str) -> None:
    assert f" {item} " not in findings(demo, category)


def test_the_demo_fetches_and_stores_its_shipped_photos(demo) -> None:
    import sqlite3

    _, data = demo
    with sqlite3.connect(data / "hallwatch.sqlite3") as conn:
        rows = conn.execute("SELECT i.platform_id, m.path, m.error FROM stored_media m JOIN items i ON i.id = m.item_id").fetchall()
    assert {pid for pid, _, _ in rows} == {"cvig-1", "cvig-2", "phfb-2", "phfb-3", "wcfb-1", "wcfb-2", "wcfb-3", "wcfb-4"}
    assert all(path and error is None and (data / path).is_file() for _, path, error in rows)

"""`hallwatch classify` against hostile input: every bad line reported by FILE:LINE and skipped,
the good ones still written; the output path checked before the models load; the file streamed."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifiers import contract
from monitor.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "example"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    folder = tmp_path / "division"
    folder.mkdir()
    for name in ("students.csv", "staff.csv"):
        (folder / name).write_bytes((EXAMPLE / name).read_bytes())
    return folder


def classify(config: Path, input_path: Path, output: str):  # noqa: ANN201
    return CliRunner().invoke(main, ["classify", "--config", str(config), "--input", str(input_path), "--output", output])


GOOD = {"id": "g1", "text": "Harper Lindqvist in grade 2 has a peanut allergy"}


def test_every_kind_of_bad_line_is_named_and_skipped_and_the_good_lines_written(config: Path, tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    deep = '{"id": "d", "text": "x", "raw": ' + "[" * 5000 + "]" * 5000 + "}"
    lines = [
        json.dumps(GOOD).encode(),                                                    # 1 good
        json.dumps({"id": "m", "text": "photo", "media": ["a", 1]}).encode(),         # 2 media of non-objects
        b'{"id": "u", "text": "caf\xe9 \xff"}',                                       # 3 invalid UTF-8
        deep.encode(),                                                                # 4 deep nesting (recursion)
        json.dumps({"id": "long", "text": "Oliver " * 200_000}).encode(),            # 5 over-long text
        json.dumps({"id": ["x"], "text": "wrong id type"}).encode(),                  # 6 wrong types
        json.dumps({"id": "t", "text": 5}).encode(),                                  # 7
        json.dumps({"id": "a", "text": "hi", "author": "Harper"}).encode(),           # 8
        json.dumps({"id": "n", "text": "x", "media": [{"type": "photo", "tagged": "Harper"}]}).encode(),  # 9
        b'{"id": "s", "text": "cut \\ud83d emoji and \\u0000 NUL"}',                  # 10 fine: cleaned at the boundary
        b"[1, 2]",                                                                    # 11 not an object
        json.dumps({"id": "g2", "text": "Sunny day for the sports meet"}).encode(),   # 12 good
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "findings.jsonl"
    result = classify(config, path, str(out))
    assert result.exit_code == 1, result.output
    reported = sorted(int(line.split(":")[1]) for line in result.output.splitlines() if line.startswith(f"{path}:"))
    assert reported == [2, 3, 4, 5, 6, 7, 8, 9, 11]
    assert f"{path}:2: field 'media[0]' must be an object" in result.output
    assert f"{path}:3: not valid UTF-8" in result.output
    assert f"{path}:4: nested deeper than" in result.output
    assert f"{path}:5: field 'text' is 1400000 characters; at most 1000000 are accepted" in result.output
    assert "3 item(s) classified" in result.output and "9 bad line(s)" in result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["g1", "s", "g2"]
    assert any(f["category"] == "student_pii" for f in rows[0]["findings"])
    assert "Harper" not in result.output and "Oliver" not in result.output and "peanut" not in result.output
    assert not (tmp_path / "findings.jsonl.tmp").exists()


def test_the_output_path_is_checked_before_anything_loads(config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    monkeypatch.setattr("monitor.commands.classify.get_analyzer", lambda directory: pytest.fail("the models must not load"))
    missing = classify(config, path, str(tmp_path / "no-such-folder" / "out.jsonl"))
    assert missing.exit_code == 1 and f"the folder {tmp_path / 'no-such-folder'} does not exist" in missing.output
    folder = classify(config, path, str(tmp_path))
    assert folder.exit_code != 0
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.geteuid() == 0:
            monkeypatch.setattr("monitor.commands.classify.os.access", lambda p, mode: Path(p) != locked)
        denied = classify(config, path, str(locked / "out.jsonl"))
        assert denied.exit_code == 1 and "cannot write there (permission denied)" in denied.output
    finally:
        locked.chmod(0o700)


def test_classify_streams_in_batches(config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory stays flat: the analyzer never sees more than one batch, and output is written as it goes."""
    path = tmp_path / "items.jsonl"
    total = 2 * contract.BATCH + 7
    path.write_text("".join(json.dumps({"id": f"i{n}", "text": f"post {n}"}) + "\n" for n in range(total)), encoding="utf-8")
    out = tmp_path / "findings.jsonl"
    sizes: list[int] = []
    written_before: list[int] = []

    class Counting:
        def analyze(self, items):  # noqa: ANN001, ANN202
            tmp = out.with_name(out.name + ".tmp")
            written_before.append(len(tmp.read_text().splitlines()) if tmp.exists() else 0)
            sizes.append(len(items))
            return [[] for _ in items]

    monkeypatch.setattr("monitor.commands.classify.get_analyzer", lambda directory: Counting())
    result = classify(config, path, str(out))
    assert result.exit_code == 0, result.output
    assert sizes == [contract.BATCH, contract.BATCH, 7]
    assert written_before == [0, contract.BATCH, 2 * contract.BATCH], "each batch is written before the next is read"
    assert len(out.read_text().splitlines()) == total


def test_an_item_the_classifier_chokes_on_is_reported_and_the_rest_written(config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text("".join(json.dumps({"id": f"i{n}", "text": f"post {n}"}) + "\n" for n in range(5)), encoding="utf-8")

    class Choking:
        def analyze(self, items):  # noqa: ANN001, ANN202
            if any(i.platform_id == "i3" for i in items):
                raise ValueError(f"cannot read {items[0].text!r}")
            return [[] for _ in items]

    monkeypatch.setattr("monitor.commands.classify.get_analyzer", lambda directory: Choking())
    out = tmp_path / "findings.jsonl"
    result = classify(config, path, str(out))
    assert result.exit_code == 1
    assert f"{path}:4: could not be classified (ValueError: cannot read …); skipped" in result.output
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["i0", "i1", "i2", "i4"]

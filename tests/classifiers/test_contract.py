"""The classify contract: bad lines reported with their line number, the rest still processed; eval table."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from classifiers.contract import read_items
from classifiers.evaluate import evaluate
from classifiers.findings import Finding
from monitor.commands.classify import classify_command, eval_command
from tests.classifiers.conftest import make_directory


def write_config(folder: Path) -> Path:
    directory = make_directory()
    with open(folder / "students.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["student_id", "first_name", "last_name", "preferred_name", "school", "grade", "media_consent", "consent_expires"])
        for s in directory.students:
            w.writerow([s.student_id, s.first_name, s.last_name, s.preferred_name, s.school, s.grade, s.media_consent, s.consent_expires or ""])
    with open(folder / "staff.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["staff_id", "first_name", "last_name", "email", "school", "role", "active"])
        for m in directory.staff:
            w.writerow([m.staff_id, m.first_name, m.last_name, m.email, m.school, m.role, "true"])
    return folder


LINES = [
    json.dumps({"id": "a", "account": "lakeside-elementary-fb", "text": "Marisol Quintero in grade 4 forgot her lunch"}),
    "{not json",
    json.dumps({"id": "b"}),
    json.dumps({"id": "c", "text": "Lovely weather for sports day"}),
]


def test_read_items_reports_bad_lines_and_keeps_going(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    parsed = read_items(path)
    assert [i.platform_id for i in parsed.items] == ["a", "c"]
    assert parsed.errors[0].startswith(f"{path}:2: ")
    assert parsed.errors[1].startswith(f"{path}:3: ") and "'text'" in parsed.errors[1]


def test_classify_command_writes_every_good_line_and_exits_1(tmp_path):
    config = write_config(tmp_path)
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    out = tmp_path / "findings.jsonl"
    result = CliRunner().invoke(classify_command, ["--config", str(config), "--input", str(path), "--output", str(out)])
    assert result.exit_code == 1
    assert ":2:" in result.output and ":3:" in result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "c"]
    pii = [f for f in rows[0]["findings"] if f["category"] == "student_pii"]
    assert pii and {"category", "score", "start", "end", "label", "clause"} <= set(pii[0])
    assert rows[1]["findings"] == []
    assert "Marisol" not in result.output  # no student names on the terminal


def test_eval_command_prints_a_table(tmp_path):
    config = write_config(tmp_path)
    path = tmp_path / "labelled.jsonl"
    text = "Marisol Quintero in grade 4 forgot her lunch"
    rows = [
        {"id": "1", "account": "lakeside-elementary-fb", "text": text, "labels": ["student_pii"], "spans": [{"start": 0, "end": 16, "label": "STUDENT_NAME"}]},
        {"id": "2", "text": "Sunny day for sports day", "labels": ["none"], "spans": []},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(eval_command, ["--config", str(config), "--input", str(path)])
    assert result.exit_code == 0, result.output
    line = next(l for l in result.output.splitlines() if l.startswith("student_pii "))
    assert line.split()[1:4] == ["1.000", "1.000", "1.000"]


def test_evaluate_counts_span_overlap_per_label():
    records = [{"labels": ["student_pii"], "spans": [{"start": 0, "end": 5, "label": "STUDENT_NAME"}, {"start": 10, "end": 14, "label": "HEALTH"}]}]
    preds = [[Finding("student_pii", 0.9, 0, 5, "STUDENT_NAME", "AP1311 1.3.6"), Finding("student_pii", 0.9, 10, 14, "PHONE", "AP1311 1.3.6")]]
    scores = evaluate(records, preds)
    assert (scores["student_pii spans"].tp, scores["student_pii spans"].fp, scores["student_pii spans"].fn) == (1, 1, 1)


def test_every_output_finding_carries_its_reason() -> None:
    import io

    from classifiers.contract import write_findings
    from connectors.items import Author, Item

    item = Item("x", "1", "a", "post", "text", Author("n"), raw={"id": "i1"})
    out = io.StringIO()
    write_findings(out, [item], [[Finding("harassment", 0.9, None, None, None, "AP1311 1.3.5", "medium", "insults someone")]])
    line = json.loads(out.getvalue())
    assert line["findings"][0]["reason"] == "insults someone"


def test_classify_with_a_missing_model_file_says_which_file_and_exits_1(tmp_path: Path, monkeypatch) -> None:
    """The real loader on an empty model folder: the CLI prints its message (naming the file), no traceback."""
    import classifiers.pipeline as pipeline
    from classifiers.encoder import Encoder
    from monitor.cli import main

    empty = tmp_path / "models"
    empty.mkdir()
    monkeypatch.setattr(pipeline, "load_encoder", lambda: Encoder(empty))
    monkeypatch.setattr(pipeline, "_ANALYZERS", {})
    config = write_config(tmp_path)
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "a", "text": "hello"}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["classify", "--config", str(config), "--input", str(items), "--output", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 1, result.output
    assert "error:" in result.output and str(empty) in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out.jsonl").exists()

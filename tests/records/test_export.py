"""`hallwatch export`, `export verify` and `export key` through the CLI, on SQLite and PostgreSQL:
the files and the signed manifest, who may export, the export audited, atomic writing, and every
kind of tampering found by verify (a changed byte, a removed file, an added file, a bad signature)."""
from __future__ import annotations

import base64
import csv
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from monitor.cli import Main
from monitor.commands.export import export_group
from monitor.commands.audit import audit_group
from monitor.db import Database
from monitor.models import AuditEntry, User
from monitor.queue import resolve
from monitor.records.signing import KEY_NAME
from monitor.users import require_user, viewer_for
from tests.queue.helpers import COMMS, EXAMPLE, ITS, NOW, NORTHGATE, STUDENT_TEXT, WILLOW, WILLOW_ADMIN, WILLOW_PRINCIPAL, example_division, routed_item


@click.group(cls=Main)
def cli() -> None:
    """The groups as monitor.cli registers them."""


cli.add_command(export_group)
cli.add_command(audit_group)

UNICODE_TEXT = "Bravo à Zoé 🎉 pour le concours ! Ça marche — naïve café ☺"


@pytest.fixture
def creds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The signing key where systemd's LoadCredential= puts it, made by `hallwatch export key`."""
    directory = tmp_path / "credentials"
    directory.mkdir()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(directory))
    result = CliRunner().invoke(cli, ["export", "key", "--credentials-file", str(directory / "credentials.env"),
                                      "--public-key", str(tmp_path / "division.pub")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (directory / "credentials.env").stat().st_mode & 0o777 == 0o600
    return tmp_path / "division.pub"


@pytest.fixture
def run(use_db_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, creds: Path):  # noqa: ANN201
    monkeypatch.setenv("HALLWATCH_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()

    def invoke(*args: str):  # noqa: ANN202
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def records(db: Database) -> dict[str, int]:
    """Two Willow Creek items (one resolved, one with Unicode text) and one of Northgate."""
    division = example_division()
    with db.transaction() as session:
        # no passwords: the CLI names its user with --as, and argon2 would only slow the suite
        for email, role in ((ITS, "its_admin"), (COMMS, "communications_manager"), (WILLOW_ADMIN, "account_admin"), (WILLOW_PRINCIPAL, "principal")):
            session.add(User(email=email, display_name=email.split("@")[0], role=role, password_hash=None, disabled=False))
    first = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    second = routed_item(db, division, WILLOW, [("harassment", "high")], text=UNICODE_TEXT, span=(8, 11))
    other = routed_item(db, division, NORTHGATE, [("student_pii", "medium")])
    with db.sessions() as session:
        viewer = viewer_for(division, require_user(session, WILLOW_ADMIN))
    resolve(db, division, viewer, first.id, "dismissed", "", NOW, None)
    return {"first": first.item_id, "second": second.item_id, "other": other.item_id, "first_review": first.id}


def export(run, out: Path, *extra: str, who: str = ITS, fmt: str = "jsonl"):  # noqa: ANN001, ANN201
    return run("export", "--config", str(EXAMPLE), "--as", who, "--account", WILLOW, "--format", fmt, "--output", str(out), *extra)


def test_a_jsonl_export_holds_each_item_with_its_record_and_a_signed_manifest(run, records, db: Database, tmp_path: Path, creds: Path) -> None:  # noqa: ANN001
    out = tmp_path / "export"
    result = export(run, out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["items.jsonl", "manifest.json"]
    lines = [json.loads(line) for line in (out / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["item"]["id"] for r in lines] == [records["first"], records["second"]], "Willow's items only, in posting order"
    first = lines[0]
    assert first["text"] == STUDENT_TEXT and first["versions"][0]["text"] == STUDENT_TEXT
    assert first["findings"][0]["category"] == "student_pii" and first["findings"][0]["reason"]
    assert first["review"]["outcome"] == "dismissed" and first["review"]["resolved_by"] == WILLOW_ADMIN
    assert [h["action"] for h in first["history"]][-1] == "resolve"
    assert all(h["row_hash"] and h["prev_hash"] for h in first["history"])
    assert lines[1]["text"] == UNICODE_TEXT

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"] == {"account": WILLOW, "format": "jsonl", "item": None, "from": None, "to": None}
    assert manifest["created_by"] == {"email": ITS, "role": "its_admin"} and manifest["items"] == 2
    assert [f["path"] for f in manifest["files"]] == ["items.jsonl"]
    assert manifest["files"][0]["size"] == (out / "items.jsonl").stat().st_size
    assert manifest["public_key"] == creds.read_text().strip()
    assert manifest["audit_head"]["id"] and len(manifest["audit_head"]["row_hash"]) == 64

    verified = run("export", "verify", str(out), "--public-key", str(creds))
    assert verified.exit_code == 0, verified.output
    assert "export intact: 1 file(s)" in verified.output and "from --public-key" in verified.output

    # the export itself is audited, with its parameters and the manifest's hash, and the chain holds
    import hashlib

    with db.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "records_export")).one()
    assert entry.actor == ITS and entry.after["parameters"]["account"] == WILLOW
    assert entry.after["manifest_sha256"] == hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
    assert run("audit", "verify", "--config", str(EXAMPLE)).exit_code == 0


def test_csv_and_pdf_exports_and_their_filters(run, records, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "csv"
    assert export(run, out, "--item", str(records["second"]), fmt="csv").exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "history.csv", "items.csv", "manifest.json", "versions.csv"]
    with (out / "items.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["item_id"]) for r in rows] == [records["second"]] and rows[0]["text"] == UNICODE_TEXT
    assert run("export", "verify", str(out)).exit_code == 0

    pdf = tmp_path / "pdf"
    result = export(run, pdf, "--from", "2026-01-01", "--to", "2030-12-31", fmt="pdf")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in pdf.iterdir()) == ["items.jsonl", "manifest.json", "records.pdf"]
    assert (pdf / "records.pdf").read_bytes().startswith(b"%PDF-")
    assert run("export", "verify", str(pdf)).exit_code == 0

    # a range with nothing in it is an empty export, not an error; an item of another account is refused
    empty = tmp_path / "empty"
    assert export(run, empty, "--from", "2020-01-01", "--to", "2020-01-31").exit_code == 0
    assert (empty / "items.jsonl").read_text() == ""
    wrong = export(run, tmp_path / "wrong", "--item", str(records["other"]))
    assert wrong.exit_code == 1 and f"--item: no item {records['other']} on account {WILLOW}" in wrong.output
    assert not (tmp_path / "wrong").exists()


@pytest.mark.parametrize("who", [WILLOW_ADMIN, WILLOW_PRINCIPAL])
def test_only_its_and_the_communications_manager_may_export(run, records, db: Database, tmp_path: Path, who: str) -> None:  # noqa: ANN001
    refused = export(run, tmp_path / "x", who=who)
    assert refused.exit_code == 1
    assert "only ITS admins and the Communications Manager may export records" in refused.output
    assert not (tmp_path / "x").exists()
    assert export(run, tmp_path / "y", who=COMMS).exit_code == 0
    with db.sessions() as session:
        actors = list(session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "records_export")))
    assert actors == [COMMS]


def test_a_non_empty_output_is_refused_and_a_failed_export_leaves_nothing(run, records, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    refused = export(run, out)
    assert refused.exit_code == 1 and "is not empty" in refused.output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    # an empty folder is fine
    (tmp_path / "empty").mkdir()
    assert export(run, tmp_path / "empty").exit_code == 0

    import monitor.records.export as module

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError("disk full")

    monkeypatch.setattr(module, "file_digest", broken)
    failed = export(run, tmp_path / "half")
    assert failed.exit_code == 1
    assert not (tmp_path / "half").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".half")] == [], "no partial folder left"


def test_no_key_is_a_clear_error(run, records, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path / "nowhere"))
    monkeypatch.delenv(KEY_NAME, raising=False)
    result = export(run, tmp_path / "out")
    assert result.exit_code == 1 and f"{KEY_NAME} is not set" in result.output and "hallwatch export key" in result.output
    monkeypatch.setenv(KEY_NAME, "not base64!")
    result = export(run, tmp_path / "out")
    assert result.exit_code == 1 and "is not base64" in result.output


def test_key_refuses_to_replace_a_key(tmp_path: Path) -> None:
    path = tmp_path / "credentials.env"
    path.write_text("SMTP_PASSWORD=x\nHALLWATCH_EXPORT_KEY=")
    assert CliRunner().invoke(cli, ["export", "key", "--credentials-file", str(path)]).exit_code == 0
    lines = path.read_text().splitlines()
    assert lines[0] == "SMTP_PASSWORD=x" and lines[2].startswith(f"{KEY_NAME}=") and len(lines[2]) > 40, "an empty line from the example is no key"
    again = CliRunner().invoke(cli, ["export", "key", "--credentials-file", str(path)])
    assert again.exit_code == 1 and "holds a HALLWATCH_EXPORT_KEY already" in again.output


# --- tampering, each kind found and named -------------------------------------------------------
# (verify reads files only, so these run on one engine)
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def made(run, records, tmp_path: Path) -> Path:  # noqa: ANN001
    out = tmp_path / "made"
    assert export(run, out, fmt="csv").exit_code == 0
    assert run("export", "verify", str(out)).exit_code == 0
    return out


def _verify(run, out: Path, *extra: str):  # noqa: ANN001, ANN202
    result = run("export", "verify", str(out), *extra)
    assert result.exit_code == 6, result.output
    return result.output


@sqlite_only
def test_a_changed_byte_in_a_file_is_found(run, made: Path) -> None:  # noqa: ANN001
    data = bytearray((made / "findings.csv").read_bytes())
    data[-3] ^= 0x01
    (made / "findings.csv").write_bytes(bytes(data))
    output = _verify(run, made)
    assert "findings.csv: SHA-256" in output and "does not match the manifest" in output
    assert "items.csv" not in output


@sqlite_only
def test_a_removed_file_is_found(run, made: Path) -> None:  # noqa: ANN001
    (made / "versions.csv").unlink()
    assert "versions.csv: missing (listed in the manifest)" in _verify(run, made)


@sqlite_only
def test_an_added_file_is_found(run, made: Path) -> None:  # noqa: ANN001
    (made / "sub").mkdir()
    (made / "sub" / "extra.csv").write_text("item_id\n1\n")
    assert "sub/extra.csv: not listed in the manifest (an added file)" in _verify(run, made)


@sqlite_only
def test_a_changed_manifest_breaks_the_signature(run, made: Path) -> None:  # noqa: ANN001
    manifest = json.loads((made / "manifest.json").read_text())
    manifest["created_by"]["email"] = "someone.else@prairiehills-sd.ca"
    (made / "manifest.json").write_text(json.dumps(manifest, indent=2))
    assert "manifest.json: signature: does not match the manifest" in _verify(run, made)


@sqlite_only
def test_a_file_rehashed_in_the_manifest_still_breaks_the_signature(run, made: Path) -> None:  # noqa: ANN001
    """Changing a file and its line in the manifest is not enough: the signature covers the manifest."""
    import hashlib

    (made / "items.csv").write_text("item_id\n", encoding="utf-8")
    manifest = json.loads((made / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == "items.csv":
            entry["sha256"] = hashlib.sha256(b"item_id\n").hexdigest()
            entry["size"] = 8
    (made / "manifest.json").write_text(json.dumps(manifest, indent=2))
    output = _verify(run, made)
    assert "signature: does not match" in output and "items.csv" not in output


@sqlite_only
def test_a_bad_signature_and_another_key_are_found(run, made: Path, tmp_path: Path) -> None:  # noqa: ANN001
    manifest = json.loads((made / "manifest.json").read_text())
    signature = bytearray(base64.b64decode(manifest["signature"]))
    signature[0] ^= 0xFF
    manifest["signature"] = base64.b64encode(bytes(signature)).decode()
    (made / "manifest.json").write_text(json.dumps(manifest, indent=2))
    assert "signature: does not match" in _verify(run, made)

    # a whole new manifest signed with a stranger's key passes on its own key, fails on the division's
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from monitor.records import signing
    from monitor.records.export import signed_bytes

    stranger = Ed25519PrivateKey.generate()
    manifest["public_key"] = signing.encode_public(stranger.public_key())
    manifest["signature"] = signing.sign(stranger, signed_bytes(manifest))
    (made / "manifest.json").write_text(json.dumps(manifest, indent=2))
    assert run("export", "verify", str(made)).exit_code == 0
    output = _verify(run, made, "--public-key", str(tmp_path / "division.pub"))
    assert "signed with key" in output and "not the key given" in output


@sqlite_only
def test_a_hostile_manifest_is_reported_not_crashed_on(run, made: Path) -> None:  # noqa: ANN001
    (made / "manifest.json").write_text('{"files": [{"path": "../../etc/passwd", "sha256": "x", "size": 1}]}')
    output = _verify(run, made)
    assert "files[0].path: '../../etc/passwd' is not a plain relative path" in output
    (made / "manifest.json").write_text("{not json")
    assert "manifest.json:1: not valid JSON" in _verify(run, made)
    (made / "manifest.json").unlink()
    assert "manifest.json: missing" in _verify(run, made)


@sqlite_only
def test_the_installed_command_exports_verifies_and_checks_the_chain(records, use_db_env: str, tmp_path: Path, creds: Path) -> None:  # noqa: ANN001
    """The real `hallwatch` console script, as an operator runs it: the commands are registered in monitor.cli."""
    import os
    import subprocess
    import sys

    binary = Path(sys.executable).with_name("hallwatch")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLWATCH_")}
    env.update(HALLWATCH_DATABASE_URL=use_db_env, HALLWATCH_DATA_DIR=str(tmp_path / "data"), CREDENTIALS_DIRECTORY=os.environ["CREDENTIALS_DIRECTORY"])

    def hallwatch(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(binary), *args], env=env, capture_output=True, text=True, timeout=240)

    out = tmp_path / "by-subprocess"
    made = hallwatch("export", "--config", str(EXAMPLE), "--as", COMMS, "--account", WILLOW, "--format", "pdf", "--output", str(out))
    assert made.returncode == 0, made.stderr
    assert "exported 2 item(s)" in made.stdout and STUDENT_TEXT not in made.stdout + made.stderr
    checked = hallwatch("export", "verify", str(out), "--public-key", str(creds))
    assert checked.returncode == 0 and "export intact: 2 file(s)" in checked.stdout, checked.stderr
    chain = hallwatch("audit", "verify", "--config", str(EXAMPLE))
    assert chain.returncode == 0 and "audit log intact" in chain.stdout, chain.stderr


def test_rows_cut_from_the_end_are_found_against_an_export(run, records, db: Database, tmp_path: Path) -> None:  # noqa: ANN001
    """The chain alone cannot show its newest rows removed; an export's audit_head can."""
    from sqlalchemy import text

    out = tmp_path / "anchor"
    assert export(run, out).exit_code == 0
    head = json.loads((out / "manifest.json").read_text())["audit_head"]
    good = run("audit", "verify", "--config", str(EXAMPLE), "--export", str(out))
    assert good.exit_code == 0 and f"row {head['id']}, the newest when" in good.output
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        conn.execute(text("DELETE FROM audit_log WHERE id >= :id"), {"id": head["id"]})
    assert run("audit", "verify", "--config", str(EXAMPLE)).exit_code == 0, "what is left is a valid chain"
    cut = run("audit", "verify", "--config", str(EXAMPLE), "--export", str(out))
    assert cut.exit_code == 6 and f"row {head['id']}: anchor missing" in cut.output
    (out / "manifest.json").write_text("[]")
    assert run("audit", "verify", "--config", str(EXAMPLE), "--export", str(out)).exit_code == 1

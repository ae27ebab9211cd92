"""hallwatch audit verify: walk the hash-chained audit log and name the first row that does not match."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from monitor import exitcodes
from monitor.commands.options import config_option, data_dir_option
from monitor.config import Division, load_division
from monitor.errors import HallwatchError
from monitor.notify import local_zone
from monitor.records.audit_chain import Break, check_anchor, verify_chain
from monitor.runs import open_database


def _anchor(export_dir: Path) -> tuple[int, str]:
    """The `audit_head` of an export's manifest.json; HallwatchError naming the file when it has none."""
    path = export_dir / "manifest.json"
    try:
        manifest: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HallwatchError(f"--export: {path}: cannot read the manifest ({type(exc).__name__})") from None
    head = manifest.get("audit_head") if isinstance(manifest, dict) else None
    entry_id, row_hash = (head.get("id"), head.get("row_hash")) if isinstance(head, dict) else (None, None)
    if not isinstance(entry_id, int) or not isinstance(row_hash, str):
        raise HallwatchError(f"--export: {path}: audit_head: missing (an empty log when exported, or not a hallwatch manifest)")
    return entry_id, row_hash


def _say(division: Division, bad: Break) -> str:
    when = f" ({bad.at.astimezone(local_zone(division)):%Y-%m-%d %H:%M:%S %Z})" if bad.at else ""
    return f"row {bad.entry_id}{when}: {bad.kind}: {bad.detail}"


@click.group("audit")
def audit_group() -> None:
    """The audit log (append-only, hash-chained)."""


@audit_group.command("verify")
@config_option
@data_dir_option
@click.option("--export", "exports", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="Also check that the newest row an export recorded (its manifest's audit_head) is still there, unchanged; repeatable.")
def verify_command(config_dir: Path, data_dir: Path | None, exports: tuple[Path, ...]) -> None:
    """Check every row's hash and its link to the row before; exit 6 naming the first row that fails."""
    division = load_division(config_dir)
    anchors = [(path, *_anchor(path)) for path in exports]
    db = open_database(division, data_dir)
    try:
        with db.sessions() as session:
            report = verify_chain(session)
            anchor_breaks = [(path, check_anchor(session, entry_id, row_hash)) for path, entry_id, row_hash in anchors]
    finally:
        db.dispose()
    failed = False
    if report.first_break is not None:
        click.echo(f"audit log NOT intact: {_say(division, report.first_break)}", err=True)
        click.echo(f"{report.checked} row(s) before it match", err=True)
        failed = True
    for path, bad in anchor_breaks:
        if bad is not None:
            click.echo(f"audit log NOT intact against the export {path}: {_say(division, bad)}", err=True)
            failed = True
    if failed:
        sys.exit(exitcodes.VERIFY_FAILED)
    head = f"; the newest is row {report.head_id}, hash {report.head_hash}" if report.head_id else ""
    click.echo(f"audit log intact: {report.checked} row(s) checked{head}")
    for path, entry_id, _ in anchors:
        click.echo(f"row {entry_id}, the newest when {path} was exported, is there unchanged")

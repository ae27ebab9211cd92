"""hallwatch audit verify: walk the hash-chained audit log and name the first row that does not match."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from monitor import exitcodes
from monitor.commands.options import config_option, data_dir_option
from monitor.config import load_division
from monitor.notify import local_zone
from monitor.records.audit_chain import verify_chain
from monitor.runs import open_database


@click.group("audit")
def audit_group() -> None:
    """The audit log (append-only, hash-chained)."""


@audit_group.command("verify")
@config_option
@data_dir_option
def verify_command(config_dir: Path, data_dir: Path | None) -> None:
    """Check every row's hash and its link to the row before; exit 6 naming the first row that fails."""
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    try:
        with db.sessions() as session:
            report = verify_chain(session)
    finally:
        db.dispose()
    if report.first_break is None:
        head = f"; the newest is row {report.head_id}, hash {report.head_hash}" if report.head_id else ""
        click.echo(f"audit log intact: {report.checked} row(s) checked{head}")
        return
    bad = report.first_break
    when = bad.at.astimezone(local_zone(division)).strftime("%Y-%m-%d %H:%M:%S %Z")
    click.echo(f"audit log NOT intact: row {bad.entry_id} ({when}): {bad.kind}: {bad.detail}", err=True)
    click.echo(f"{report.checked} row(s) before it match", err=True)
    sys.exit(exitcodes.VERIFY_FAILED)

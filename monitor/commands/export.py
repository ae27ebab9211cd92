"""hallwatch export [--account A ...] | export verify DIR | export key: the signed records export."""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from monitor import exitcodes
from monitor.commands.options import data_dir_option
from monitor.config import load_division
from monitor.media.store import data_root
from monitor.models import utcnow
from monitor.records import signing
from monitor.records.export import FORMATS, ExportError, ExportRequest, export_records, require_exporter, verify_export
from monitor.runs import open_database, sync_accounts
from monitor.users import require_user

_date = click.DateTime(formats=["%Y-%m-%d"])


@click.group("export", invoke_without_command=True)
@click.option("--config", "config_dir", envvar="HALLWATCH_CONFIG", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder with division.yaml, students.csv and staff.csv (or $HALLWATCH_CONFIG).")
@data_dir_option
@click.option("--as", "acting", envvar="HALLWATCH_USER", default=None, help="E-mail of the acting user (an ITS admin or the Communications Manager).")
@click.option("--account", default=None, help="The account whose records to export.")
@click.option("--from", "date_from", type=_date, default=None, help="Items posted on or after this day (YYYY-MM-DD, division time).")
@click.option("--to", "date_to", type=_date, default=None, help="Items posted on or before this day (YYYY-MM-DD, division time).")
@click.option("--item", "item_id", type=int, default=None, help="Only this stored item (its id).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="pdf (with items.jsonl beside it), jsonl or csv.")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="A new folder for the export (refused if it exists and is not empty).")
@click.pass_context
def export_group(ctx: click.Context, config_dir: Path | None, data_dir: Path | None, acting: str | None, account: str | None,
                 date_from: datetime | None, date_to: datetime | None, item_id: int | None, fmt: str | None, output: Path | None) -> None:
    """Export one account's records, signed; or check an export (`export verify`), or make the key (`export key`)."""
    if ctx.invoked_subcommand is not None:
        return
    missing = [name for name, value in (("--config", config_dir), ("--as", acting), ("--account", account), ("--format", fmt), ("--output", output)) if value is None]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)} (see `hallwatch export --help`)")
    assert config_dir and acting and account and fmt and output
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    try:
        with db.transaction() as session:
            sync_accounts(session, division)
            user = require_user(session, acting)
            exporter = require_exporter(user.email, user.role)
        request = ExportRequest(account=account, fmt=fmt, date_from=date_from.date() if date_from else None,
                                date_to=date_to.date() if date_to else None, item_id=item_id)
        result = export_records(db, division, request, exporter, output, utcnow(), media_root=data_root(db, division, data_dir))
    finally:
        db.dispose()
    click.echo(f"exported {result.items} item(s) of {account} to {result.path}: {', '.join(result.files)} and manifest.json")
    click.echo(f"manifest SHA-256 {result.manifest_sha256}, signed with key {result.fingerprint}; the export is in the audit log")


@export_group.command("verify")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--public-key", "public_key_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The division's public key (from `export key`); without it the manifest's own key is used.")
def verify_command(directory: Path, public_key_file: Path | None) -> None:
    """Check every file's SHA-256 and size, that no file is missing or added, and the signature."""
    public = signing.read_public_key_file(public_key_file) if public_key_file else None
    report = verify_export(directory, public)
    if report.ok:
        click.echo(f"export intact: {report.checked} file(s) match the manifest; signature good (key {report.fingerprint}, from {report.key_source})")
        if public is None:
            click.echo("note: checked against the key in the manifest itself; pass --public-key with the division's key to know who signed it")
        return
    click.echo(f"export NOT intact: {len(report.problems)} problem(s) in {directory}:", err=True)
    for problem in report.problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(exitcodes.VERIFY_FAILED)


@export_group.command("key")
@click.option("--credentials-file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The credentials file to add HALLWATCH_EXPORT_KEY to (created chmod 600).")
@click.option("--public-key", "public_key_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the public key here, to hand to whoever checks exports.")
def key_command(credentials_file: Path, public_key_file: Path | None) -> None:
    """Make the division's Ed25519 export-signing key and add it to the credentials file."""
    key = signing.write_key(credentials_file, public_key_file)
    public = signing.encode_public(key.public_key())
    click.echo(f"added {signing.KEY_NAME} to {credentials_file}")
    click.echo(f"public key (fingerprint {signing.fingerprint(public)}): {public}")
    if public_key_file:
        click.echo(f"public key written to {public_key_file}")


__all__ = ["export_group", "ExportError"]

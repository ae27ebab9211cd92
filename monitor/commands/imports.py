"""import: back-audits from files a school can download without API access.

`hallwatch import x-archive PATH --account NAME --config DIR` reads an X archive's data/tweets.js
(PATH may be the file or the unzipped archive folder); `hallwatch import facebook-export PATH ...`
reads Facebook "Download your information" JSON (a file or the export folder). Items are stored
and classified through monitor.runs.ingest_items; importing the same file twice adds nothing.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import click

from connectors.base import AccountRef, ExportFileError
from connectors.facebook_export import read_export
from connectors.items import Item
from connectors.x_archive import read_archive
from monitor.commands.options import config_option, data_dir_option

path_argument = click.argument("path", type=click.Path(exists=True, path_type=Path))
account_option = click.option("--account", "account_name", required=True, help="Registered account name in division.yaml.")


@click.group("import")
def import_group() -> None:
    """Import items from platform export files (back-audits of past years)."""


def _run(reader: Callable[[Path, AccountRef], Iterable[Item]], platform: str, path: Path, account_name: str, config_dir: Path,
         data_dir: Path | None) -> None:
    from monitor.runs import ingest_items  # the monitor's store-and-classify step

    account = AccountRef(name=account_name, platform=platform, handle=account_name)
    try:
        items = list(reader(path, account))  # read everything first: a bad file stores nothing
    except ExportFileError as exc:
        raise click.ClickException(str(exc)) from None
    unique = list({item.platform_id: item for item in items}.values())  # archives can repeat a tweet
    new, known = ingest_items(config_dir, account_name, unique, data_dir=data_dir)
    repeated = f" ({len(items) - len(unique)} repeated in the file)" if len(unique) < len(items) else ""
    click.echo(f"{path}: {len(unique)} item(s) read{repeated}, {new} new, {known} already known")


@import_group.command("x-archive")
@path_argument
@account_option
@config_option
@data_dir_option
def x_archive_command(path: Path, account_name: str, config_dir: Path, data_dir: Path | None) -> None:
    """Import an X account archive's data/tweets.js."""
    _run(read_archive, "x", path, account_name, config_dir, data_dir)


@import_group.command("facebook-export")
@path_argument
@account_option
@config_option
@data_dir_option
def facebook_export_command(path: Path, account_name: str, config_dir: Path, data_dir: Path | None) -> None:
    """Import Facebook "Download your information" JSON (posts and comments)."""
    _run(read_export, "facebook", path, account_name, config_dir, data_dir)

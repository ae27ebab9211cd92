"""Options every command shares."""
from __future__ import annotations

from pathlib import Path

import click

config_option = click.option(
    "--config", "config_dir", envvar="HALLWATCH_CONFIG", required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder with division.yaml, students.csv and staff.csv (or $HALLWATCH_CONFIG).",
)
data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Where the SQLite database, e-mail files and stored photos live (default: $HALLWATCH_DATA_DIR, division.yaml, ./var).",
)

"""classify and eval: the classifiers' file contract (DESIGN.md) and their measurement.

`hallwatch run` reaches the same code path, classifiers.pipeline.get_analyzer(directory).analyze.
Nothing here prints item text or names: errors name the file and line, eval prints counts.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from classifiers.contract import read_items, write_findings
from classifiers.evaluate import evaluate, format_table
from monitor.config import DIVISION_FILE, load_directory, load_division

_input = click.option("--input", "input_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Items, one JSON object per line.")
_config = click.option("--config", "config_dir", envvar="HALLWATCH_CONFIG", required=True, type=click.Path(file_okay=False, path_type=Path),
                       help="Folder with students.csv and staff.csv (division.yaml optional).")


def get_analyzer(directory):  # noqa: ANN001, ANN201
    # spaCy and the models load only for the commands that classify, not for every CLI start
    from classifiers.pipeline import get_analyzer as load

    return load(directory)


def _directory(config_dir: Path):  # noqa: ANN202
    # a bad CSV raises ConfigError, which monitor.cli reports with every file, line and field
    if (config_dir / DIVISION_FILE).exists():
        # with division.yaml the account -> school map and the offices' own contacts are known too
        return load_division(config_dir).directory
    return load_directory(config_dir)


@click.command("classify")
@_config
@_input
@click.option("--output", "output_path", required=True, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), help="Findings, one line per input item ('-' for stdout).")
def classify_command(config_dir: Path, input_path: Path, output_path: Path) -> None:
    """Classify items in a JSONL file; write one findings line per item.
    A line that is not JSON or lacks id/text is reported with its line number and skipped; the
    exit status is then 1, and every other line is still classified."""
    directory = _directory(config_dir)
    parsed = read_items(input_path)
    for error in parsed.errors:
        click.echo(error, err=True)
    findings = get_analyzer(directory).analyze(parsed.items)
    if str(output_path) == "-":
        write_findings(sys.stdout, parsed.items, findings)
    else:
        # written beside and renamed, so a crash never leaves half a file where the old one was
        tmp = output_path.with_name(output_path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as out:
            write_findings(out, parsed.items, findings)
        tmp.replace(output_path)
    flagged = sum(1 for f in findings if f)
    click.echo(f"{len(parsed.items)} item(s) classified, {flagged} with findings, {len(parsed.errors)} bad line(s)", err=True)
    if parsed.errors:
        sys.exit(1)


@click.command("eval")
@_config
@_input
def eval_command(config_dir: Path, input_path: Path) -> None:
    """Precision, recall and F1 per category (item level) and for student PII spans, on a labelled
    file in the format of the school dev set (`labels`, `spans`)."""
    directory = _directory(config_dir)
    parsed = read_items(input_path)
    for error in parsed.errors:
        click.echo(error, err=True)
    findings = get_analyzer(directory).analyze(parsed.items)
    click.echo(f"{len(parsed.items)} labelled item(s) from {input_path}")
    click.echo(format_table(evaluate(parsed.records, findings)))
    if parsed.errors:
        sys.exit(1)

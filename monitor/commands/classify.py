"""classify and eval: the classifiers' file contract (DESIGN.md) and their measurement.

`hallwatch run` reaches the same code path, classifiers.pipeline.get_analyzer(directory).analyze.
Nothing here prints item text or names: errors name the file and line, eval prints counts.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from classifiers.contract import BATCH, batches, iter_items, read_items, write_findings
from classifiers.evaluate import evaluate, format_table
from monitor.config import DIVISION_FILE, load_directory, load_division
from monitor.errors import HallwatchError
from monitor.redact import safe_message

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
    A bad line (not UTF-8 or JSON, nested too deeply, a text too long, a field of the wrong type,
    no id/text) is reported as FILE:LINE and skipped; the exit status is then 1, and every other
    line is still classified. The file is read, classified and written in batches of 512 lines."""
    to_stdout = str(output_path) == "-"
    if not to_stdout:
        check_output(output_path)  # before the models load: a typo costs a second, not a minute
    directory = _directory(config_dir)
    analyze = get_analyzer(directory).analyze
    counts = {"items": 0, "flagged": 0, "bad": 0}
    if to_stdout:
        _classify_stream(input_path, analyze, sys.stdout, counts)
    else:
        # written beside and renamed, so a crash never leaves half a file where the old one was
        tmp = output_path.with_name(output_path.name + ".tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as out:
                _classify_stream(input_path, analyze, out, counts)
            tmp.replace(output_path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    click.echo(f"{counts['items']} item(s) classified, {counts['flagged']} with findings, {counts['bad']} bad line(s)", err=True)
    if counts["bad"]:
        sys.exit(1)


def check_output(path: Path) -> None:
    """The output's folder exists and can be written, and the output is not a folder."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise HallwatchError(f"--output {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise HallwatchError(f"--output {path}: is a folder; name a file")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise HallwatchError(f"--output {path}: cannot write there (permission denied)")


def _classify_stream(input_path: Path, analyze, out, counts: dict[str, int]) -> None:  # noqa: ANN001
    for batch in batches(iter_items(input_path), BATCH):
        good = []
        for line in batch:
            if line.error is not None:
                click.echo(line.error, err=True)
                counts["bad"] += 1
            else:
                good.append(line)
        if not good:
            continue
        results = _analyze_lines(input_path, analyze, good, counts)
        kept = [(line.item, found) for line, found in zip(good, results) if found is not None]
        write_findings(out, [i for i, _ in kept], [f for _, f in kept])
        out.flush()  # written as it goes: a reader of stdout sees each batch, memory holds one
        counts["items"] += len(kept)
        counts["flagged"] += sum(1 for _, f in kept if f)


def _analyze_lines(input_path: Path, analyze, lines: list, counts: dict[str, int]) -> list:  # noqa: ANN001
    """The batch's findings; when the batch raises, line by line, reporting the ones that fail alone."""
    try:
        return list(analyze([line.item for line in lines]))
    except Exception:  # noqa: BLE001
        pass
    results = []
    for line in lines:
        try:
            results.append(analyze([line.item])[0])
        except Exception as exc:  # noqa: BLE001
            click.echo(f"{input_path}:{line.number}: could not be classified ({safe_message(exc)}); skipped", err=True)
            counts["bad"] += 1
            results.append(None)
    return results


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

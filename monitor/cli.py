"""The `hallwatch` command line. Each job is its own small command; see README.md."""
from __future__ import annotations

import logging
import sys
from typing import Any

import click
from sqlalchemy.exc import OperationalError

from monitor.commands.classify import classify_command, eval_command
from monitor.commands.digest import digest_command
from monitor.commands.core import check_config_command, init_command, run_command, status_command
from monitor.commands.governance import governance_command
from monitor.commands.imports import import_group
from monitor.commands.queue import queue_group
from monitor.commands.report import findings_command, report_command
from monitor.commands.serve import serve_command
from monitor.commands.users import users_group
from monitor.errors import ConfigError, HallwatchError


class Main(click.Group):
    """Turns the monitor's own errors into a clean message and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            click.echo(f"error: the configuration has {len(exc.problems)} problem(s):", err=True)
            for problem in exc.problems:
                click.echo(f"  {problem}", err=True)
            sys.exit(1)
        except HallwatchError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except OperationalError as exc:
            click.echo(f"error: the database cannot be used: {exc.orig}", err=True)
            sys.exit(1)


@click.group(cls=Main)
@click.option("-v", "--verbose", is_flag=True, help="Log what each step does (counts only, never content).")
def main(verbose: bool) -> None:
    """hallwatch: keeps a school division's social media accounts within its procedures."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")


COMMANDS = (
    check_config_command, init_command, run_command, status_command, report_command, findings_command,
    governance_command, digest_command, classify_command, eval_command, import_group, queue_group, users_group, serve_command,
)
for command in COMMANDS:
    main.add_command(command)


if __name__ == "__main__":
    main()

"""The `hallwatch` command line. Each job is its own small command; see README.md."""
from __future__ import annotations

import logging
import sys
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from classifiers.errors import ClassifierError
from monitor import exitcodes
from monitor.commands.audit import audit_group
from monitor.commands.classify import classify_command, eval_command
from monitor.commands.digest import digest_command
from monitor.commands.export import export_group
from monitor.commands.core import check_config_command, init_command, quarantine_group, run_command, status_command
from monitor.commands.governance import governance_command
from monitor.commands.imports import import_group
from monitor.commands.queue import queue_group
from monitor.commands.records import hold_group, purge_command
from monitor.commands.report import findings_command, report_command
from monitor.commands.serve import serve_command
from monitor.commands.users import users_group
from monitor.db import DatabaseUnusable, is_database_gone
from monitor.errors import ConfigError, HallwatchError
from monitor.locks import RunInProgress
from monitor.redact import RedactingFilter, safe_message


class Main(click.Group):
    """Turns every error into a clean message and its exit status (monitor.exitcodes), never a
    traceback: a traceback's last line is the exception's text, and a database error's text holds
    the row it failed on. Anything not the monitor's own is printed through monitor.redact."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except ConfigError as exc:
            click.echo(f"error: the configuration has {len(exc.problems)} problem(s):", err=True)
            for problem in exc.problems:
                click.echo(f"  {problem}", err=True)
            sys.exit(exitcodes.USAGE)
        except RunInProgress as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exitcodes.LOCKED)
        except DatabaseUnusable as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exitcodes.DATABASE)
        except (HallwatchError, ClassifierError) as exc:
            # a ClassifierError names a shipped model file that is missing or corrupt, never text
            click.echo(f"error: {exc}", err=True)
            sys.exit(exitcodes.USAGE)
        except SQLAlchemyError as exc:
            if is_database_gone(exc):
                click.echo(f"error: the database cannot be used: {safe_message(exc)}", err=True)
                sys.exit(exitcodes.DATABASE)
            click.echo(f"error: the database refused the command: {safe_message(exc)}", err=True)
            sys.exit(exitcodes.USAGE)
        except Exception as exc:  # noqa: BLE001
            click.echo(f"error: unexpected failure: {safe_message(exc)}", err=True)
            sys.exit(exitcodes.USAGE)


@click.group(cls=Main)
@click.option("-v", "--verbose", is_flag=True, help="Log what each step does (counts only, never content).")
def main(verbose: bool) -> None:
    """hallwatch: keeps a school division's social media accounts within its procedures."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:
        # a logged exception is reduced to its type and a redacted message, wherever it was logged
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


COMMANDS = (
    check_config_command, init_command, run_command, status_command, report_command, findings_command,
    governance_command, digest_command, classify_command, eval_command, import_group, queue_group, users_group, serve_command, quarantine_group,
    purge_command, hold_group,
    audit_group, export_group,
)
for command in COMMANDS:
    main.add_command(command)


if __name__ == "__main__":
    main()

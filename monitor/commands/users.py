"""hallwatch users add|set-password|disable: who may sign in to the queue."""
from __future__ import annotations

import getpass
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from monitor import users
from monitor.commands.options import config_option, data_dir_option
from monitor.config import load_division
from monitor.models import USER_ROLES
from monitor.runs import open_database

stdin_option = click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise users.UserError("password: nothing on standard input")
        return line
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group("users")
def users_group() -> None:
    """Manage the people who work the queue."""


@users_group.command("add")
@config_option
@data_dir_option
@click.argument("email")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--role", required=True, type=click.Choice(USER_ROLES))
@stdin_option
def add_command(config_dir: Path, data_dir: Path | None, email: str, display_name: str, role: str, password_stdin: bool) -> None:
    """Add a user; the password is asked for (twice) or read from stdin."""
    division = load_division(config_dir)
    password = _password(password_stdin)
    users.check_password(password)
    db = open_database(division, data_dir)
    try:
        with db.transaction() as session:
            user = users.add_user(session, division, email, display_name, role, password, _actor(), datetime.now(timezone.utc))
        if role in ("principal", "account_admin") and not users.visible_accounts(division, user.email, role):
            click.echo(f"note: {user.email} administers no account in division.yaml yet, so their queue is empty")
        click.echo(f"added {user.email} ({role})")
    finally:
        db.dispose()


@users_group.command("set-password")
@config_option
@data_dir_option
@click.argument("email")
@stdin_option
def set_password_command(config_dir: Path, data_dir: Path | None, email: str, password_stdin: bool) -> None:
    """Set a new password (also lifts a lockout)."""
    division = load_division(config_dir)
    password = _password(password_stdin)
    db = open_database(division, data_dir)
    try:
        with db.transaction() as session:
            user = users.set_password(session, email, password, _actor(), datetime.now(timezone.utc))
        click.echo(f"password set for {user.email}")
    finally:
        db.dispose()


@users_group.command("disable")
@config_option
@data_dir_option
@click.argument("email")
def disable_command(config_dir: Path, data_dir: Path | None, email: str) -> None:
    """Disable a user: they can no longer sign in; their history stays."""
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    try:
        with db.transaction() as session:
            user = users.disable_user(session, email, _actor(), datetime.now(timezone.utc))
        click.echo(f"disabled {user.email}")
    finally:
        db.dispose()

"""hallwatch users list|add|set-password|disable|enable: who may sign in to the queue."""
from __future__ import annotations

import getpass
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from monitor import users
from monitor.commands.core import local
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


@users_group.command("list")
@config_option
@data_dir_option
def list_command(config_dir: Path, data_dir: Path | None) -> None:
    """Every user: e-mail, role, school (from staff.csv) and accounts, enabled, last sign-in in local time."""
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    try:
        with db.sessions() as session:
            rows = []
            for user in users.list_users(session):
                staff = division.staff_by_email(user.email)
                school = staff.school if staff else ("external" if user.external else "not in staff.csv")
                seen = users.visible_accounts(division, user.email, user.role)
                accounts = "all accounts" if seen is None else ", ".join(sorted(seen)) or "no accounts"
                enabled = "yes" if not user.disabled else "no"
                if staff is not None and not staff.active:
                    enabled += " (inactive in staff.csv)"
                rows.append((user.email, user.role, f"{school}; {accounts}", enabled, local(division, user.last_sign_in_at)))
    finally:
        db.dispose()
    if not rows:
        click.echo("no users yet; add one with `hallwatch users add`")
        return
    header = ("E-MAIL", "ROLE", "SCHOOL / ACCOUNTS", "ENABLED", "LAST SIGN-IN")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in (header, *rows):
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


@users_group.command("add")
@config_option
@data_dir_option
@click.argument("email")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--role", required=True, type=click.Choice(USER_ROLES))
@click.option("--external", is_flag=True, help="Someone outside staff.csv or the division's domain (a contractor, an auditor).")
@stdin_option
def add_command(config_dir: Path, data_dir: Path | None, email: str, display_name: str, role: str, external: bool, password_stdin: bool) -> None:
    """Add a user; the password is asked for (twice) or read from stdin.

    The address must be the division's and in staff.csv (active) unless --external is given."""
    division = load_division(config_dir)
    password = _password(password_stdin)
    users.check_password(password)
    db = open_database(division, data_dir)
    try:
        with db.transaction() as session:
            user = users.add_user(session, division, email, display_name, role, password, _actor(), datetime.now(timezone.utc), external=external)
        warning = users.role_mismatch(division, user.email, role)
        if warning:
            click.echo(f"warning: {warning}", err=True)
        if role in ("principal", "account_admin") and not users.visible_accounts(division, user.email, role):
            click.echo(f"note: {user.email} administers no account in division.yaml yet, so their queue is empty")
        click.echo(f"added {user.email} ({role}{', external' if external else ''})")
    finally:
        db.dispose()


@users_group.command("set-password")
@config_option
@data_dir_option
@click.argument("email")
@stdin_option
def set_password_command(config_dir: Path, data_dir: Path | None, email: str, password_stdin: bool) -> None:
    """Set a new password: every web session of the user ends, and a sign-in throttle on the account is lifted."""
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
    """Disable a user: every web session ends at once and they can no longer sign in; their history stays."""
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    try:
        with db.transaction() as session:
            user = users.disable_user(session, email, _actor(), datetime.now(timezone.utc))
        click.echo(f"disabled {user.email}")
    finally:
        db.dispose()


@users_group.command("enable")
@config_option
@data_dir_option
@click.option("--external", is_flag=True, help="Also mark them as outside staff.csv (a contractor, an auditor, a user from before the directory check).")
@click.argument("email")
def enable_command(config_dir: Path, data_dir: Path | None, email: str, external: bool) -> None:
    """Enable a disabled user again (they sign in afresh; no old session comes back)."""
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    try:
        with db.transaction() as session:
            user = users.enable_user(session, email, _actor(), datetime.now(timezone.utc), external=external)
        click.echo(f"enabled {user.email}" + (" (external: signs in without a staff.csv row)" if user.external else ""))
    finally:
        db.dispose()

"""check-config, init, run, status: setting up and running the monitor."""
from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import func, select

from monitor.commands.options import config_option, data_dir_option
from monitor.config import load_division
from monitor.models import Account, Run, RunAccount, StoredItem
from monitor.locks import run_lock
from monitor.notify import mail_status
from monitor.routing import rules_for
from monitor.runs import mark_interrupted_runs, open_database, run_cycle, sync_accounts


@click.command("check-config")
@click.argument("config_dir", type=click.Path(path_type=Path))
def check_config_command(config_dir: Path) -> None:
    """Validate division.yaml, students.csv and staff.csv in CONFIG_DIR; list every problem."""
    division = load_division(config_dir)
    rules, _ = rules_for(division)  # routing rules are checked here, not first met mid-run
    by_platform: dict[str, int] = {}
    for account in division.accounts:
        by_platform[account.platform] = by_platform.get(account.platform, 0) + 1
    click.echo(f"{config_dir}: OK")
    click.echo(f"  division   {division.name} (@{division.email_domain})")
    click.echo(f"  schools    {len(division.schools)}")
    click.echo(f"  accounts   {len(division.accounts)} (" + ", ".join(f"{n} {p}" for p, n in sorted(by_platform.items())) + ")")
    click.echo(f"  students   {len(division.directory.students)}")
    click.echo(f"  staff      {len(division.staff)} ({sum(s.active for s in division.staff)} active)")
    click.echo(f"  routing    {len(rules)} rule(s)")
    missing = [f"{a.name}.{key}" for a in division.accounts if not a.sample_file for key, ref in a.credentials.items() if division.secret(ref) is None]
    if missing:
        click.echo(f"  note: {len(missing)} credential(s) not set in the environment or credentials file: {', '.join(missing)}")


@click.command("init")
@config_option
@data_dir_option
def init_command(config_dir: Path, data_dir: Path | None) -> None:
    """Create (or migrate) the database and register the division's accounts in it."""
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    with db.transaction() as session:
        accounts = sync_accounts(session, division)
    click.echo(f"database ready: {db.engine.url.render_as_string(hide_password=True)}")
    click.echo(f"accounts registered: {len(accounts)}")
    db.dispose()


@click.command("run")
@config_option
@data_dir_option
@click.option("--account", "account", default=None, help="Only this account (runs it even if not due).")
@click.option("--all", "everything", is_flag=True, help="Every account, whether due or not.")
def run_command(config_dir: Path, data_dir: Path | None, account: str | None, everything: bool) -> None:
    """One monitoring cycle over the due accounts: fetch, store, classify, file findings."""
    division = load_division(config_dir)
    rules_for(division)
    if account is not None:
        division.account(account)  # an unknown name is an error before anything runs
    with run_lock(division.data_dir(data_dir)):
        db = open_database(division, data_dir)
        try:
            mark_interrupted_runs(db)
            report = run_cycle(db, division, only=account, everything=everything)
        finally:
            db.dispose()
    if not report.accounts:
        click.echo("no account is due; use --all or --account NAME to run anyway")
    for outcome in report.accounts:
        line = f"{outcome.account:<32} {outcome.status:<7} fetched {outcome.fetched:>4}  new {outcome.new_items:>4}  findings {outcome.findings:>3}"
        click.echo(line + (f"  error: {outcome.error}" if outcome.error else ""))
    click.echo(f"run {report.run_id}: {report.status}")
    if report.status != "ok" and report.accounts:
        raise SystemExit(1)


@click.command("status")
@config_option
@data_dir_option
def status_command(config_dir: Path, data_dir: Path | None) -> None:
    """Accounts with their credential state, items stored and last run; the last runs."""
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    with db.sessions() as session:
        sync_accounts(session, division)
        session.commit()
        counts = dict(session.execute(select(StoredItem.account_id, func.count()).group_by(StoredItem.account_id)).all())
        click.echo(f"{'account':<32} {'platform':<10} {'credentials':<12} {'items':>6}  last run")
        for account in session.scalars(select(Account).order_by(Account.name)):
            last = session.scalars(select(RunAccount).where(RunAccount.account_id == account.id).order_by(RunAccount.id.desc()).limit(1)).first()
            when = f"{last.finished_at:%Y-%m-%d %H:%M} {last.status}" if last and last.finished_at else "never"
            click.echo(f"{account.name:<32} {account.platform:<10} {account.credential_status:<12} {counts.get(account.id, 0):>6}  {when}")
            if account.credential_error:
                click.echo(f"{'':<32} credentials: {account.credential_error}")
            if last and last.error and last.error != account.credential_error:
                click.echo(f"{'':<32} last error: {last.error}")
            for note in (last.events if last else [])[-3:]:
                click.echo(f"{'':<32} {note}")
        click.echo("\n" + mail_status(session, division))
        runs = list(session.scalars(select(Run).order_by(Run.id.desc()).limit(5)))
        if runs:
            click.echo("\nlast runs:")
            for run in runs:
                click.echo(f"  run {run.id:<5} {run.started_at:%Y-%m-%d %H:%M}  {run.trigger:<9} {run.status}")
    db.dispose()

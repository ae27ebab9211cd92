"""hallwatch purge, hallwatch hold add|list|release: retention and legal holds (monitor.records).

Both print counts, account names, ids and dates only, never an item's text or author.
"""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import click

from monitor.commands.options import config_option, data_dir_option
from monitor.config import Division, load_division
from monitor.locks import run_lock
from monitor.models import ReviewItem, utcnow
from monitor.records import holds, retention
from monitor.records.holds import HoldError
from monitor.runs import open_database, sync_accounts
from monitor.users import require_user

# who may place or release a hold: the people answerable for the division's records
HOLD_ROLES = ("its_admin", "communications_manager")
as_option = click.option("--as", "acting", required=True, envvar="HALLWATCH_USER",
                         help="E-mail of the acting user, an ITS admin or the Communications Manager (or $HALLWATCH_USER).")


def print_report(report: retention.PurgeReport) -> None:
    verb = "would purge" if report.dry_run else "purged"
    if not report.counts and not report.held:
        click.echo(f"nothing to purge ({'dry run' if report.dry_run else 'done'})")
    for label, count in sorted(report.counts.items()):
        click.echo(f"{verb} {count:>6}  {label}")
    for label, count in sorted(report.held.items()):
        click.echo(f"held   {count:>6}  {label} (under a legal hold: kept)")
    if not report.dry_run:
        click.echo(f"{report.total} item(s) purged in {report.batches} batch(es); {report.files_removed} media file(s) removed")
        if report.files_failed:
            click.echo(f"warning: {report.files_failed} media file(s) could not be removed", err=True)


@click.command("purge")
@config_option
@data_dir_option
@click.option("--dry-run", is_flag=True, help="Count what each rule would purge; change nothing.")
@click.option("--batch-size", type=click.IntRange(1, 10000), default=None, help="Items per transaction (default: retention.batch_size, 200).")
def purge_command(config_dir: Path, data_dir: Path | None, dry_run: bool, batch_size: int | None) -> None:
    """Blank the text and media of items past division.yaml's retention rules (legal holds kept).

    Prints counts per rule, never text. Runs under the run lock, in batches of one transaction each."""
    division = load_division(config_dir)
    db = open_database(division, data_dir, migrate=False)
    try:
        with run_lock(db):
            db.migrate()
            with db.transaction() as session:
                sync_accounts(session, division)
            report = retention.purge(db, division, utcnow(), dry_run=dry_run, data_dir=division.data_dir(data_dir), batch_size=batch_size)
    finally:
        db.dispose()
    print_report(report)


def _actor(session, acting: str) -> str:  # noqa: ANN001
    user = require_user(session, acting)
    if user.role not in HOLD_ROLES:
        raise HoldError(f"--as: {user.email} is {user.role.replace('_', ' ')}; only an ITS admin or the Communications Manager places or releases legal holds")
    return user.email


def _local_day(division: Division, value) -> str:  # noqa: ANN001
    return f"{value.astimezone(ZoneInfo(division.settings.timezone)):%Y-%m-%d}"


@click.group("hold")
def hold_group() -> None:
    """Legal holds: nothing a hold covers is purged until it is released."""


@hold_group.command("add")
@config_option
@data_dir_option
@as_option
@click.option("--account", default=None, help="Hold this account's items (optionally only those posted between --from and --to).")
@click.option("--item", "item_id", type=int, default=None, help="Hold one item: its number in the review queue (web page, `hallwatch queue list`).")
@click.option("--from", "from_day", default=None, help="First day covered, YYYY-MM-DD in the division's time zone (with --account).")
@click.option("--to", "to_day", default=None, help="Last day covered, YYYY-MM-DD, inclusive (with --account).")
@click.option("--reason", required=True, help="Why: the records request or matter it is for.")
def hold_add_command(config_dir: Path, data_dir: Path | None, acting: str, account: str | None, item_id: int | None,
                     from_day: str | None, to_day: str | None, reason: str) -> None:
    """Place a legal hold on an account or one item."""
    division = load_division(config_dir)
    start = holds.parse_day(from_day, "--from") if from_day else None
    end = holds.parse_day(to_day, "--to") if to_day else None
    if account is not None:
        division.account(account)  # an unknown name is an error before the database is opened
    db = open_database(division, data_dir)
    try:
        with db.transaction() as session:
            sync_accounts(session, division)
            actor = _actor(session, acting)
            stored_id = None
            if item_id is not None:
                review = session.get(ReviewItem, item_id)
                if review is None or review.item_id is None:
                    raise HoldError(f"--item: no item {item_id} in the review queue" + (" with a post (a governance gap holds no post)" if review else ""))
                stored_id = review.item_id
            hold = holds.add_hold(session, division, reason=reason, actor=actor, now=utcnow(), account=account, item_id=stored_id, from_day=start, to_day=end)
            covered = holds.covered_count(session, hold)
            hold_id = hold.id
    finally:
        db.dispose()
    click.echo(f"legal hold {hold_id} placed: {covered} item(s) covered now, and any later item it covers")


@hold_group.command("list")
@config_option
@data_dir_option
@click.option("--all", "everything", is_flag=True, help="Released holds too.")
def hold_list_command(config_dir: Path, data_dir: Path | None, everything: bool) -> None:
    """The holds in force (or all), with what each covers."""
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    try:
        with db.sessions() as session:
            rows = holds.list_holds(session, include_released=everything)
            if not rows:
                click.echo("no legal holds" + ("" if everything else " in force"))
            else:
                click.echo(f"dates in {division.settings.timezone}")
            for hold in rows:
                d = holds.describe(hold, division)
                scope = f"stored item {hold.item_id} ({d['account']})" if hold.item_id is not None else f"account {d['account']} {d['from'] or '…'} to {d['to'] or '…'}"
                state = f"released {_local_day(division, hold.released_at)} by {hold.released_by}" if hold.released_at else "in force"
                click.echo(f"{hold.id:>4}  {scope:<50} {holds.covered_count(session, hold):>6} item(s)  placed {_local_day(division, hold.created_at)} by {hold.created_by}  {state}")
                click.echo(f"      reason: {hold.reason}")
    finally:
        db.dispose()


@hold_group.command("release")
@config_option
@data_dir_option
@as_option
@click.argument("hold_id", type=int)
def hold_release_command(config_dir: Path, data_dir: Path | None, acting: str, hold_id: int) -> None:
    """Release a legal hold; its items are purged again as the retention rules allow."""
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    try:
        with db.transaction() as session:
            actor = _actor(session, acting)
            holds.release_hold(session, division, hold_id, actor=actor, now=utcnow())
    finally:
        db.dispose()
    click.echo(f"legal hold {hold_id} released")

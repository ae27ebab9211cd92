"""check-config, init, run, status, quarantine: setting up and running the monitor."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from sqlalchemy import func, select

from monitor import exitcodes
from monitor.commands.options import config_option, data_dir_option
from monitor.config import Division, load_division
from monitor.db import Database
from monitor.locks import lock_is_free, run_lock
from monitor.models import Account, QuarantinedItem, Run, RunAccount, StoredItem, utcnow
from monitor.notify import mail_status, notify_after_run
from monitor.routing import rules_for
from monitor.usage import counters as usage
from monitor import runs
from monitor.runs import (AccountOutcome, classify_pending, mark_interrupted_runs, open_database, retry_quarantined_stores,
                          run_cycle, sync_accounts)


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
    if division.sso.providers:
        click.echo("  sign-in    " + ", ".join(f"{p.name} ({p.kind}) at {division.base_url}/auth/{p.name}/callback" for p in division.sso.providers))
        missing += [f"sso.{p.name}.client_secret" for p in division.sso.providers if division.secret(p.client_secret) is None]
    if missing:
        click.echo(f"  note: {len(missing)} credential(s) not set in the environment or credentials file: {', '.join(missing)}")


@click.command("init")
@config_option
@data_dir_option
def init_command(config_dir: Path, data_dir: Path | None) -> None:
    """Create (or migrate) the database and register the division's accounts in it.

    The only command that creates a database: every other one refuses a missing one."""
    division = load_division(config_dir)
    db = open_database(division, data_dir, create=True, migrate=False)
    try:
        with run_lock(db):  # never migrate under a running cycle
            db.migrate()
            with db.transaction() as session:
                accounts = sync_accounts(session, division)
        click.echo(f"database ready: {db.display}")
        click.echo(f"accounts registered: {len(accounts)}")
    finally:
        db.dispose()


@click.command("run")
@config_option
@data_dir_option
@click.option("--account", "account", default=None, help="Only this account (runs it even if not due).")
@click.option("--all", "everything", is_flag=True, help="Every account, whether due or not.")
def run_command(config_dir: Path, data_dir: Path | None, account: str | None, everything: bool) -> None:
    """One monitoring cycle over the due accounts: fetch, store, classify, file findings.

    Exit status: 0 done, 3 another run holds the lock, 4 some accounts failed, 5 the database cannot be used."""
    division = load_division(config_dir)
    rules_for(division)
    if account is not None:
        division.account(account)  # an unknown name is an error before anything runs
    db = open_database(division, data_dir, migrate=False)
    try:
        with run_lock(db):
            db.migrate()
            mark_interrupted_runs(db)
            report = run_cycle(db, division, only=account, everything=everything, data_dir=data_dir)
    finally:
        db.dispose()
    if not report.accounts:
        click.echo("no account is due; use --all or --account NAME to run anyway")
    for outcome in report.accounts:
        line = (f"{outcome.account:<32} {outcome.status:<7} fetched {outcome.fetched:>4}  new {outcome.new_items:>4}  "
                f"{flagged(outcome.flagged_items, outcome.findings)}")
        if outcome.photos_fetched or outcome.photos_failed:
            line += f"  photos {outcome.photos_fetched} stored" + (f", {outcome.photos_failed} not fetched" if outcome.photos_failed else "")
        if outcome.deleted:
            line += f"  deleted on the platform {outcome.deleted}"
        if outcome.quarantined:
            line += f"  quarantined {outcome.quarantined} (hallwatch quarantine list)"
        click.echo(line + (f"  error: {outcome.error}" if outcome.error else ""))
    total = flagged(sum(o.flagged_items for o in report.accounts), sum(o.findings for o in report.accounts))
    click.echo(f"run {report.run_id}: {report.status}; {total} new this run")
    if report.status != "ok" and report.accounts:
        raise SystemExit(exitcodes.ACCOUNTS_FAILED)


def flagged(items: int, findings: int) -> str:
    """The one unit `run` and `report` count in: items with findings, then the findings on them."""
    return f"{items} item{'s' if items != 1 else ''} with findings ({findings} finding{'s' if findings != 1 else ''})"


def local(division: Division, moment: datetime | None) -> str:
    """A stored UTC time as the division's staff read it (division.timezone)."""
    if moment is None:
        return "never"
    return f"{moment.astimezone(ZoneInfo(division.settings.timezone)):%Y-%m-%d %H:%M %Z}"


def lag(since: datetime | None, now: datetime) -> str:
    if since is None:
        return "-"
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    return f"{days}d {hours:02d}h" if days else f"{hours}h {mins:02d}m"


@click.command("status")
@config_option
@data_dir_option
def status_command(config_dir: Path, data_dir: Path | None) -> None:
    """Each account's credentials, items, last success and lag, last error and quarantined items; the last runs."""
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    now = utcnow()
    try:
        with db.sessions() as session:
            sync_accounts(session, division)
            session.commit()
            counts = dict(session.execute(select(StoredItem.account_id, func.count()).group_by(StoredItem.account_id)).all())
            successes = dict(session.execute(
                select(RunAccount.account_id, func.max(RunAccount.finished_at)).where(RunAccount.status == "ok").group_by(RunAccount.account_id)).all())
            held: dict[int, list[QuarantinedItem]] = defaultdict(list)
            for q in session.scalars(select(QuarantinedItem).where(QuarantinedItem.resolved_at.is_(None)).order_by(QuarantinedItem.id)):
                held[q.account_id].append(q)
            not_read = {a.name for a in division.accounts if not a.fetch}
            click.echo(f"times in {division.settings.timezone}")
            click.echo(f"{'account':<32} {'platform':<10} {'credentials':<12} {'items':>6}  {'last success':<22} {'lag':>8}  last run")
            for account in session.scalars(select(Account).order_by(Account.name)):
                last = session.scalars(select(RunAccount).where(RunAccount.account_id == account.id).order_by(RunAccount.id.desc()).limit(1)).first()
                when = f"{local(division, last.finished_at)} {last.status}" if last and last.finished_at else "never"
                success = successes.get(account.id)
                if account.name in not_read:
                    click.echo(f"{account.name:<32} {account.platform:<10} registered, not monitored (no API)")
                    continue
                click.echo(f"{account.name:<32} {account.platform:<10} {account.credential_status:<12} {counts.get(account.id, 0):>6}  "
                           f"{local(division, success):<22} {lag(success, now):>8}  {when}")
                if account.credential_error:
                    click.echo(f"{'':<32} credentials: {account.credential_error}")
                if last and last.error and last.error != account.credential_error:
                    click.echo(f"{'':<32} last error: {last.error}")
                config = next((a for a in division.accounts if a.name == account.name), None)
                for line in usage.status_lines(session, division, config, account.id, now) if config else []:
                    click.echo(f"{'':<32} {line}")
                for note in (last.events if last else [])[-3:]:
                    click.echo(f"{'':<32} {note}")
                if held.get(account.id):
                    items = held[account.id]
                    click.echo(f"{'':<32} quarantined: {len(items)} item(s) (hallwatch quarantine list); latest: {items[-1].stage}: {items[-1].reason}")
            click.echo("\n" + mail_status(session, division))
            recent = list(session.scalars(select(Run).order_by(Run.id.desc()).limit(5)))
            dead = any(r.status == "running" for r in recent) and lock_is_free(db)
            if recent:
                click.echo("\nlast runs:")
                for run in recent:
                    state = run.status
                    if run.status == "running":
                        state = "dead (left running by a process that was killed; the next run marks it interrupted)" if dead else "running now"
                    click.echo(f"  run {run.id:<5} {local(division, run.started_at)}  {run.trigger:<9} {state}")
    finally:
        db.dispose()


@click.group("quarantine")
def quarantine_group() -> None:
    """Items set aside because they could not be stored or classified."""


def _quarantined(session, only_open: bool = True):  # noqa: ANN001, ANN202
    query = select(QuarantinedItem, Account.name).join(Account, QuarantinedItem.account_id == Account.id).order_by(QuarantinedItem.id)
    if only_open:
        query = query.where(QuarantinedItem.resolved_at.is_(None))
    return list(session.execute(query).all())


@quarantine_group.command("list")
@config_option
@data_dir_option
@click.option("--all", "show_all", is_flag=True, help="Also the items that were stored or classified on a later try.")
def quarantine_list_command(config_dir: Path, data_dir: Path | None, show_all: bool) -> None:
    """The items set aside: account, stage, platform id, attempts, next try and why (never their text)."""
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    try:
        with db.sessions() as session:
            rows = _quarantined(session, only_open=not show_all)
            if not rows:
                click.echo("no item is quarantined")
                return
            click.echo(f"{'id':>5}  {'account':<28} {'stage':<8} {'item':<24} {'tries':>5}  {'next try':<22} reason")
            for q, account in rows:
                nxt = f"resolved {local(division, q.resolved_at)}" if q.resolved_at else local(division, q.next_retry_at)
                item = q.platform_id if len(q.platform_id) <= 24 else q.platform_id[:23] + "…"
                click.echo(f"{q.id:>5}  {account:<28} {q.stage:<8} {item:<24} {q.attempts:>5}  {nxt:<22} {q.reason}")
    finally:
        db.dispose()


@quarantine_group.command("retry")
@config_option
@data_dir_option
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "retry_all", is_flag=True, help="Every quarantined item.")
def quarantine_retry_command(config_dir: Path, data_dir: Path | None, ids: tuple[int, ...], retry_all: bool) -> None:
    """Try the given quarantined items (or --all) again now, after a fix, under the run lock.
    Exit status 4 when some still fail (they keep waiting with a longer back-off)."""
    if not ids and not retry_all:
        raise click.UsageError("name the quarantine ids to retry (see `hallwatch quarantine list`) or pass --all")
    division = load_division(config_dir)
    db = open_database(division, data_dir, migrate=False)
    try:
        with run_lock(db):
            db.migrate()
            failed = _retry(db, division, set(ids), retry_all, data_dir)
    finally:
        db.dispose()
    if failed:
        raise SystemExit(exitcodes.ACCOUNTS_FAILED)


def _retry(db: Database, division: Division, ids: set[int], retry_all: bool, data_dir: Path | None) -> int:
    now = utcnow()
    with db.transaction() as session:
        sync_accounts(session, division)
        chosen = [(q, name) for q, name in _quarantined(session) if retry_all or q.id in ids]
        unknown = ids - {q.id for q, _ in chosen}
        if unknown:
            raise click.UsageError(f"no open quarantine entry with id {', '.join(map(str, sorted(unknown)))}")
        for q, _ in chosen:
            q.next_retry_at = now  # due now: the run's own retry paths take them
        by_account = {q.account_id: name for q, name in chosen}
    names = {a.name for a in division.accounts}
    analyze = None
    for account_id, name in sorted(by_account.items(), key=lambda kv: kv[1]):
        if name not in names:
            click.echo(f"{name}: no longer in division.yaml; skipped")
            continue
        outcome = AccountOutcome(name)
        retry_quarantined_stores(db, account_id, None, outcome, lambda: now)
        analyze = analyze or runs.lazy_analyzer(division)
        classify_pending(db, division, account_id, None, analyze, outcome, lambda: now + timedelta(microseconds=1))
        click.echo(f"{name}: {outcome.new_items} stored, {outcome.classified} classified, {outcome.findings} finding(s), {outcome.quarantined} still failing")
    notify_after_run(db, division, utcnow(), data_dir)
    with db.sessions() as session:
        still = sum(1 for q, _ in _quarantined(session) if q.id in {c.id for c, _ in chosen})
    click.echo(f"{len(chosen)} item(s) retried, {len(chosen) - still} recovered, {still} still quarantined")
    return still

"""governance: the account registry against the procedures' rules."""
from __future__ import annotations

from pathlib import Path

import click

from monitor.commands.options import config_option, data_dir_option
from monitor.config import load_division
from monitor.governance import audit
from monitor.runs import open_database, sync_accounts


@click.command("governance")
@config_option
@data_dir_option
def governance_command(config_dir: Path, data_dir: Path | None) -> None:
    """Audit every account: registration, two admins with the principal, departed admins,
    yearly password resets, a content manager, stale accounts, comments monitored daily.
    Exits 1 when any account has a gap (for a daily cron job that mails its output)."""
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    with db.transaction() as session:
        sync_accounts(session, division)
        gaps = audit(session, division)
    db.dispose()
    if not gaps:
        click.echo(f"all {len(division.accounts)} accounts meet the governance rules")
        return
    for gap in gaps:
        click.echo(f"{gap.account:<32} {gap.rule:<19} {gap.message}  [{gap.clause}]")
    click.echo(f"\n{len(gaps)} gap(s) on {len({g.account for g in gaps})} of {len(division.accounts)} accounts")
    raise SystemExit(1)

"""governance: the account registry against the procedures' rules, filed in the review queue."""
from __future__ import annotations

from pathlib import Path

import click

from monitor.commands.options import config_option, data_dir_option
from monitor.config import load_division
from monitor.governance import run_governance
from monitor.models import utcnow
from monitor.runs import open_database


@click.command("governance")
@config_option
@data_dir_option
def governance_command(config_dir: Path, data_dir: Path | None) -> None:
    """Audit every account: registration, two admins with the principal, departed admins,
    yearly password resets and one after an administrator left, a work login e-mail, a content
    manager, stale accounts, comments monitored daily and reviewed within 24 hours, a profile
    that names the school and links to its website, no student followed. Each gap becomes a
    review item for the account's administrators and ITS, and closes itself once the rule is met.
    Exits 1 when any account has a gap (for a daily cron job that mails its output)."""
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    try:
        gaps, filing = run_governance(db, division, utcnow())
    finally:
        db.dispose()
    queue_line = f"review queue: {len(filing.opened)} new, {len(filing.still_open)} still open, {len(filing.closed)} closed"
    if not gaps:
        click.echo(f"all {len(division.accounts)} accounts meet the governance rules")
        click.echo(queue_line)
        return
    for gap in gaps:
        click.echo(f"{gap.account:<32} {gap.rule:<24} {gap.message}  [{gap.clause}]")
    click.echo(f"\n{len(gaps)} gap(s) on {len({g.account for g in gaps})} of {len(division.accounts)} accounts")
    click.echo(queue_line)
    raise SystemExit(1)

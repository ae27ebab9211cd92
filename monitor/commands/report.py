"""report and findings: what the monitor has found, by account and category."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import click
from sqlalchemy import func, select

from classifiers.findings import CATEGORIES
from monitor.commands.core import flagged
from monitor.commands.options import config_option, data_dir_option
from monitor.config import load_division
from monitor.models import Account, Finding, StoredItem
from monitor.runs import open_database


@click.command("report")
@config_option
@data_dir_option
def report_command(config_dir: Path, data_dir: Path | None) -> None:
    """Items with findings per account and category, and in all (counts only, no content)."""
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    with db.sessions() as session:
        rows = session.execute(
            select(Account.name, Finding.category, func.count(func.distinct(Finding.item_id)))
            .join(Account, Finding.account_id == Account.id)
            .group_by(Account.name, Finding.category)
        ).all()
        items = dict(session.execute(select(Account.name, func.count(StoredItem.id)).join(StoredItem, StoredItem.account_id == Account.id).group_by(Account.name)).all())
        flagged_items = session.scalar(select(func.count(func.distinct(Finding.item_id)))) or 0
        findings_total = session.scalar(select(func.count(Finding.id))) or 0
    db.dispose()
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for account, category, count in rows:
        table[account][category] = count
    used = [c for c in CATEGORIES if any(c in row for row in table.values())]
    short = {c: c.replace("_", " ") for c in used}
    click.echo(f"{'account':<30} {'items':>5}  " + "  ".join(f"{short[c]:>{max(len(short[c]), 3)}}" for c in used))
    for account in sorted(set(items) | set(table)):
        cells = "  ".join(f"{table[account].get(c, 0) or '-':>{max(len(short[c]), 3)}}" for c in used)
        click.echo(f"{account:<30} {items.get(account, 0):>5}  {cells}")
    click.echo(f"\nEach category column counts items with findings of that category. In all: {flagged(flagged_items, findings_total)}.")
    click.echo("Look further with:")
    where = f"--config {config_dir}" + (f" --data-dir {data_dir}" if data_dir else "")
    click.echo(f"  hallwatch findings {where} --account NAME [--category CATEGORY] [--show-text]")
    click.echo(f"  hallwatch queue list {where} --as EMAIL   (review items, for a user added with `hallwatch users add`)")


@click.command("findings")
@config_option
@data_dir_option
@click.option("--account", default=None, help="Only this account.")
@click.option("--category", type=click.Choice(CATEGORIES), default=None, help="Only this category.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--show-text", is_flag=True, help="Print the flagged text with the evidence marked [[like this]]. It may hold student information: use on the server only.")
def findings_command(config_dir: Path, data_dir: Path | None, account: str | None, category: str | None, limit: int, show_text: bool) -> None:
    """List findings, newest first, with score, clause and a link to the post."""
    division = load_division(config_dir)
    if account is not None:
        division.account(account)
    db = open_database(division, data_dir)
    query = select(Finding, StoredItem, Account).join(StoredItem, Finding.item_id == StoredItem.id).join(Account, Finding.account_id == Account.id)
    if account:
        query = query.where(Account.name == account)
    if category:
        query = query.where(Finding.category == category)
    with db.sessions() as session:
        rows = session.execute(query.order_by(Finding.id.desc()).limit(limit)).all()
    db.dispose()
    if not rows:
        click.echo("no findings")
    for finding, item, acct in rows:
        label = f" {finding.label}" if finding.label else ""
        click.echo(f"#{finding.id:<5} {acct.name:<28} {finding.category:<17} {finding.severity:<6} {finding.score:.2f}{label}  {finding.clause}")
        click.echo(f"       {item.kind} {item.platform_id}  {item.permalink or ''}")
        if finding.reason:
            # the reason holds no name and no flagged text (the classify contract): safe without --show-text
            click.echo(f"       why: {finding.reason}")
        if show_text:
            text = item.text
            if finding.start is not None and finding.end is not None:
                text = text[:finding.start] + "[[" + text[finding.start:finding.end] + "]]" + text[finding.end:]
            click.echo("       " + text.replace("\n", " "))

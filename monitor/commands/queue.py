"""hallwatch queue list|show|claim|release|resolve|escalate|escalate-overdue: the queue in a terminal.

Same functions as the web page (monitor.queue), so the same rules, scopes and audit entries.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from monitor import queue
from monitor.commands.options import config_option, data_dir_option
from monitor.config import Division, load_division
from monitor.db import Database
from monitor.models import OUTCOMES, REVIEW_STATES, ReviewItem, utcnow
from monitor.notify import outbox_for, send_pending
from monitor.runs import open_database, sync_accounts
from monitor.users import Viewer, require_user, viewer_for

as_option = click.option("--as", "acting", required=True, envvar="HALLWATCH_USER", help="E-mail of the acting user (or $HALLWATCH_USER).")
version_option = click.option("--version", "version", type=int, default=None, help="Fail unless the item is still at this version (as shown by `show`).")


def _open(config_dir: Path, data_dir: Path | None) -> tuple[Division, Database]:
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    with db.transaction() as session:
        sync_accounts(session, division)
    return division, db


def _viewer(db: Database, division: Division, acting: str) -> Viewer:
    with db.sessions() as session:
        return viewer_for(division, require_user(session, acting))


def _due(item: ReviewItem) -> str:
    return f"{item.due_at:%Y-%m-%d %H:%M}"


@click.group("queue")
def queue_group() -> None:
    """Work the review queue from the command line."""


@queue_group.command("list")
@config_option
@data_dir_option
@as_option
@click.option("--account", default=None, help="Only this account.")
@click.option("--category", default=None, help="Only items with this category (e.g. media_inquiry).")
@click.option("--state", type=click.Choice(REVIEW_STATES), default=None, help="Only this state (default: open, claimed and escalated).")
@click.option("--after", default=None, help="The cursor printed at the end of the previous page.")
@click.option("--limit", type=click.IntRange(1, 500), default=queue.PAGE_SIZE, show_default=True)
def list_command(config_dir: Path, data_dir: Path | None, acting: str, account: str | None, category: str | None, state: str | None, after: str | None, limit: int) -> None:
    """Items you may see, soonest due first, most severe first among equals."""
    division, db = _open(config_dir, data_dir)
    try:
        viewer = _viewer(db, division, acting)
        with db.sessions() as session:
            page = queue.list_items(session, viewer, account=account, category=category, state=state, after=after, limit=limit)
            click.echo(f"{'id':>7}  {'due (UTC)':<16}  {'sev':<6}  {'state':<9}  {'account':<28}  {'categories':<32}  claimed by")
            for item in page.items:
                click.echo(f"{item.id:>7}  {_due(item):<16}  {item.severity:<6}  {item.state:<9}  {item.account.name:<28}  {','.join(item.category_list):<32}  {item.claimed_by or ''}")
            if not page.items:
                click.echo("(nothing in your queue)")
            if page.next_cursor:
                click.echo(f"more: --after {page.next_cursor}")
    finally:
        db.dispose()


@queue_group.command("show")
@config_option
@data_dir_option
@as_option
@click.argument("item_id", type=int)
def show_command(config_dir: Path, data_dir: Path | None, acting: str, item_id: int) -> None:
    """One item: its text with the evidence marked [[like this]], findings and history."""
    division, db = _open(config_dir, data_dir)
    try:
        viewer = _viewer(db, division, acting)
        with db.sessions() as session:
            item = queue.get_item(session, viewer, item_id)
            findings = queue.findings_of(session, item)
            click.echo(f"item {item.id} (version {item.version}): {item.state}, {item.severity}, due {_due(item)} UTC")
            gap = item.governance
            if item.item is not None:
                click.echo(f"account:    {item.account.name} ({item.account.platform}), {item.item.kind} {item.item.platform_id}")
                click.echo(f"link:       {item.item.permalink or '-'}")
                if (gone := queue.deleted_label(item)) is not None:
                    click.echo(f"platform:   {gone} (noticed {item.item.deleted_at:%Y-%m-%d %H:%M} UTC, {item.item.deleted_how})")
            else:
                click.echo(f"account:    {item.account.name} ({item.account.platform}), the account itself (a governance gap)")
            click.echo(f"assigned:   {', '.join(item.assignee_roles)} ({', '.join(item.assignee_emails)})")
            if item.claimed_by:
                click.echo(f"claimed by: {item.claimed_by}")
            if item.outcome:
                click.echo(f"outcome:    {item.outcome} by {item.resolved_by}: {item.note or ''}")
            if item.last_error:
                click.echo(f"last error: {item.last_error}")
            if gap is not None:
                click.echo(f"rule:       {gap.rule}")
                click.echo(f"clause:     {gap.clause}")
                click.echo(f"reason:     {gap.reason}")
                click.echo(f"what to do: {gap.action}")
                click.echo("            (closes itself when the next audit finds the rule met)")
            elif item.item is not None:
                click.echo("text:       " + marked_text(item.item.text, findings, "[[", "]]"))
            for f in findings:
                click.echo(f"  finding: {f.category} ({f.severity}, {f.score:.2f}) {f.clause} {f.label or ''}".rstrip()
                           + (f": {f.reason}" if f.reason else ""))
            click.echo("history:")
            for entry in queue.history(session, item):
                click.echo(f"  {entry.at:%Y-%m-%d %H:%M} {entry.actor:<36} {entry.action}")
    finally:
        db.dispose()


def marked_text(text: str, findings: list, open_mark: str, close_mark: str, escape: Callable[[str], str] = lambda s: s) -> str:  # type: ignore[type-arg]
    """The text with evidence spans wrapped in marks; overlapping spans are merged. `escape` applies to the text only."""
    spans = sorted((f.start, f.end) for f in findings if f.start is not None and f.end is not None and 0 <= f.start < f.end <= len(text))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out.append(escape(text[at:start]))
        out.append(open_mark + escape(text[start:end]) + close_mark)
        at = end
    out.append(escape(text[at:]))
    return "".join(out)


def _report(item: ReviewItem, what: str) -> None:
    click.echo(f"item {item.id}: {what} (now {item.state}, version {item.version})")


@queue_group.command("claim")
@config_option
@data_dir_option
@as_option
@version_option
@click.argument("item_id", type=int)
def claim_command(config_dir: Path, data_dir: Path | None, acting: str, version: int | None, item_id: int) -> None:
    """Claim an item so no one else works it unknowingly."""
    division, db = _open(config_dir, data_dir)
    try:
        _report(queue.claim(db, _viewer(db, division, acting), item_id, utcnow(), version), "claimed")
    finally:
        db.dispose()


@queue_group.command("release")
@config_option
@data_dir_option
@as_option
@version_option
@click.argument("item_id", type=int)
def release_command(config_dir: Path, data_dir: Path | None, acting: str, version: int | None, item_id: int) -> None:
    """Give a claimed item back to the queue."""
    division, db = _open(config_dir, data_dir)
    try:
        _report(queue.release(db, _viewer(db, division, acting), item_id, utcnow(), version), "released")
    finally:
        db.dispose()


@queue_group.command("resolve")
@config_option
@data_dir_option
@as_option
@version_option
@click.argument("item_id", type=int)
@click.option("--outcome", required=True, type=click.Choice(OUTCOMES), help="dismissed, or what was done about it.")
@click.option("--note", default=None, help="What was done and by whom (required unless dismissed).")
def resolve_command(config_dir: Path, data_dir: Path | None, acting: str, version: int | None, item_id: int, outcome: str, note: str | None) -> None:
    """Resolve an item; confirmed_hidden / confirmed_deleted act on the platform first."""
    division, db = _open(config_dir, data_dir)
    try:
        _report(queue.resolve(db, division, _viewer(db, division, acting), item_id, outcome, note, utcnow(), version), f"resolved as {outcome}")
    finally:
        db.dispose()


@queue_group.command("escalate")
@config_option
@data_dir_option
@as_option
@version_option
@click.argument("item_id", type=int)
@click.option("--note", default=None, help="Why it is escalated.")
def escalate_command(config_dir: Path, data_dir: Path | None, acting: str, version: int | None, item_id: int, note: str | None) -> None:
    """Hand an item to the principal and the Communications Manager."""
    division, db = _open(config_dir, data_dir)
    try:
        _report(queue.escalate(db, division, _viewer(db, division, acting), item_id, utcnow(), note, version), "escalated")
        mail = send_pending(db, division, utcnow(), outbox_for(db, division, data_dir))
        if mail.error:  # the escalation stands; its e-mail waits in the outbox for the next run
            click.echo(f"warning: e-mail not sent yet ({mail.waiting} waiting, retried by every run): {mail.error}", err=True)
    finally:
        db.dispose()


@queue_group.command("escalate-overdue")
@config_option
@data_dir_option
def escalate_overdue_command(config_dir: Path, data_dir: Path | None) -> None:
    """Escalate every item past its due time (run it from cron, e.g. every 15 minutes)."""
    division, db = _open(config_dir, data_dir)
    try:
        count = len(queue.escalate_and_notify(db, division, utcnow(), outbox_for(db, division, data_dir)))
        click.echo(f"escalated {count} overdue item(s)")
    finally:
        db.dispose()

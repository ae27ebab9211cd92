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
from monitor.media.store import data_root
from monitor.models import OUTCOMES, REVIEW_STATES, SEVERITY_RANK, ReviewItem, utcnow
from monitor.notify import CATEGORY_NAMES, outbox_for, send_pending
from monitor.runs import open_database, sync_accounts
from monitor.users import Viewer, require_user, viewer_for
from monitor.web.clauses import quote
from monitor.web.context import WHAT_TO_DO, item_context, reasons
from monitor.web.times import due_phrase, local

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


def _due(item: ReviewItem, division: Division) -> str:
    return local(item.due_at, division.settings.timezone)


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
@click.option("--severity", type=click.Choice(list(SEVERITY_RANK)), default=None, help="Only this severity.")
@click.option("--search", default=None, help="Only items whose text or author holds this (within your accounts).")
@click.option("--mine", is_flag=True, help="Only items claimed by or assigned to you.")
@click.option("--after", default=None, help="The cursor printed at the end of the previous page.")
@click.option("--limit", type=click.IntRange(1, 500), default=queue.PAGE_SIZE, show_default=True)
def list_command(
    config_dir: Path, data_dir: Path | None, acting: str, account: str | None, category: str | None, state: str | None,
    severity: str | None, search: str | None, mine: bool, after: str | None, limit: int,
) -> None:
    """Items you may see, soonest due first, most severe first among equals (times in the division's zone)."""
    division, db = _open(config_dir, data_dir)
    try:
        viewer = _viewer(db, division, acting)
        now = utcnow()
        with db.sessions() as session:
            page = queue.list_items(session, viewer, account=account, category=category, state=state, severity=severity, search=search,
                                    assigned_to=viewer.email if mine else None, after=after, limit=limit)
            click.echo(f"{'id':>7}  {'due':<21}  {'':<16}  {'sev':<6}  {'state':<9}  {'account':<28}  {'categories':<32}  claimed by")
            findings = queue.findings_by_item(session, page.items)
            for item in page.items:
                click.echo(f"{item.id:>7}  {_due(item, division):<21}  {due_phrase(item.due_at, now, item.active):<16}  {item.severity:<6}  {item.state:<9}  "
                           f"{item.account.name:<28}  {','.join(item.category_list):<32}  {item.claimed_by or ''}")
                current = [f for f in findings.get(item.item_id, []) if item.item is not None and f.item_version == item.item.version]
                why = item.governance.reason if item.governance is not None else queue.reasons_line(current)
                if why:
                    click.echo(f"{'':>7}  why: {why}")
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
    """One item as its web page shows it: who posted it and when, the post it answers, its photos,
    the named or tagged students' consent as of posting, each finding's reason and clause words,
    and the history. Evidence is marked [[like this]]; times are in the division's time zone."""
    division, db = _open(config_dir, data_dir)
    zone = division.settings.timezone
    try:
        viewer = _viewer(db, division, acting)
        with db.sessions() as session:
            item = queue.get_item(session, viewer, item_id)
            findings = queue.findings_of(session, item)
            phrase = due_phrase(item.due_at, utcnow(), item.active)
            click.echo(f"item {item.id} (version {item.version}): {item.state}, {item.severity}, due {_due(item, division)}" + (f" ({phrase})" if phrase else ""))
            gap = item.governance
            context = item_context(session, division, item, findings, data_root(db, division, data_dir))
            entries = queue.history(session, item)
            if item.item is not None:
                click.echo(f"account:    {item.account.name} ({item.account.platform}), {item.item.kind} {item.item.platform_id}")
                click.echo(f"link:       {item.item.permalink or '-'}")
                if (gone := queue.deleted_label(item)) is not None:
                    click.echo(f"platform:   {gone} (noticed {local(item.item.deleted_at, zone)}, {item.item.deleted_how})")
            if context is not None:
                click.echo(f"author:     {context.author or 'unknown'} ({'the account itself' if context.author_is_account else 'not the account'})")
                click.echo(f"posted:     {local(context.posted_at, zone) or 'unknown'}")
                for label, above in (("post", context.grandparent), ("answers", context.parent)):
                    if above is not None:
                        click.echo(f"{label + ':':<11} {above.kind} by {above.author or 'unknown'}{' (the account)' if above.author_is_account else ''}, "
                                   f"{local(above.posted_at, zone) or 'unknown'}: {above.text}")
                for photo in context.photos:
                    tags = f"; tagged: {', '.join(photo.tagged)}" if photo.tagged else ""
                    click.echo(f"{photo.type} {photo.position + 1}:    alt text: {photo.alt_text or '(none)'}{tags}")
                    if photo.type == "photo":
                        # the same words as the item page: a photo is on it, or why not
                        click.echo("            " + ("stored: shown on the item page" if photo.stored else photo.missing
                                                     + (" Open it on the platform (link above)." if item.item is not None and item.item.permalink else "")))
                for person in context.people:
                    click.echo(f"student:    {person.name} ({person.how}): consent when posted: {person.words}")
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
                for clause in quote(gap.clause):
                    if clause.words:
                        click.echo(f"  {clause.ref}: \"{clause.words}\"")
                click.echo(f"reason:     {gap.reason}")
                click.echo(f"what to do: {gap.action}")
                click.echo("            (closes itself when the next audit finds the rule met)")
            elif item.item is not None:
                click.echo("text:       " + marked_text(item.item.text, findings, "[[", "]]"))
            for note in queue.escalation_notes(entries):
                click.echo(f"escalated:  {note}")
            for x in reasons(findings, CATEGORY_NAMES):
                f = x.finding
                click.echo(f"finding:    {x.category}" + (f": {x.reason}" if x.reason else ""))
                if f.category in WHAT_TO_DO:
                    click.echo(f"  what to do: {WHAT_TO_DO[f.category]}")
                for clause in x.clauses:
                    click.echo(f"  {clause.ref}" + (f" ({clause.title})" if clause.title else "") + (f": \"{clause.words}\"" if clause.words else ""))
                click.echo(f"  (severity {f.severity}, score {f.score:.2f}{', ' + f.label if f.label else ''})")
            click.echo(f"history ({zone}):")
            for entry in entries:
                note = (entry.after or {}).get("note")
                changed = f": {note}" if note and note != (entry.before or {}).get("note") else ""
                click.echo(f"  {local(entry.at, zone, with_zone=False)} {entry.actor:<36} {entry.action}{changed}")
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


@queue_group.command("undo")
@config_option
@data_dir_option
@as_option
@version_option
@click.argument("item_id", type=int)
def undo_command(config_dir: Path, data_dir: Path | None, acting: str, version: int | None, item_id: int) -> None:
    """Take back a dismissal you made in the last few minutes (a slip of the key or the click)."""
    division, db = _open(config_dir, data_dir)
    try:
        _report(queue.undo_dismiss(db, _viewer(db, division, acting), item_id, utcnow(), version), "dismissal undone")
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

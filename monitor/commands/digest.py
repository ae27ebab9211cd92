"""digest: the weekly digest, previewed in a browser or sent (each recipient once per week)."""
from __future__ import annotations

from pathlib import Path

import click

from monitor.commands.options import config_option, data_dir_option
from monitor.config import load_division
from monitor.digest import DIVISION_SCOPE, DigestError, build_content, last_complete_week, parse_week, preview_html, render, send_digests
from monitor.models import utcnow
from monitor.notify import outbox_for
from monitor.runs import open_database, sync_accounts


@click.command("digest")
@config_option
@data_dir_option
@click.option("--preview", "school", default=None, metavar="SCHOOL", help="Write one school's digest (its name as in division.yaml) to --output.")
@click.option("--division", "division_wide", is_flag=True, help="With --output: the division-wide summary instead of a school's digest.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The HTML file a preview is written to (the text part goes beside it as .txt).")
@click.option("--send", is_flag=True, help="Send the week's digests not yet sent: each principal's, and the summary to the Communications Manager and ITS.")
@click.option("--week", default=None, metavar="YYYY-Www", help="The ISO week covered (default: the last complete week in the division's time zone).")
def digest_command(config_dir: Path, data_dir: Path | None, school: str | None, division_wide: bool, output: Path | None, send: bool, week: str | None) -> None:
    """Preview a digest as HTML, or send the week's digests. Sending is safe to repeat: a digest
    already sent is not sent again, one the mail server refused goes out on the next run.
    Exits 1 when any digest could not be sent."""
    previewing = school is not None or division_wide
    if previewing == send:
        raise click.UsageError("give either --preview SCHOOL (or --division) with --output FILE.html, or --send")
    if week is not None:
        parse_week(week)
    division = load_division(config_dir)
    db = open_database(division, data_dir)
    try:
        now = utcnow()
        if send:
            result = send_digests(db, division, now, outbox_for(db, division, data_dir), week)
            click.echo(f"digests for {result.week}: {len(result.sent)} sent, {result.already} already sent or being sent, {len(result.failed)} not sent")
            for (scope, to), error in sorted(result.failed.items()):
                click.echo(f"  not sent to {to} ({scope}): {error}; it is retried on the next run", err=True)
            if result.failed:
                raise SystemExit(1)
            return
        if output is None:
            raise click.UsageError("--preview needs --output FILE.html")
        scope = DIVISION_SCOPE if division_wide else school
        if scope != DIVISION_SCOPE and scope not in {s.name for s in division.schools}:
            raise DigestError(f"--preview: no school {scope!r} in division.yaml (schools: {', '.join(s.name for s in division.schools)})")
        label = week or last_complete_week(division, now)
        with db.transaction() as session:
            sync_accounts(session, division)
        with db.sessions() as session:
            content = build_content(session, division, scope, label, now)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(preview_html(content), encoding="utf-8")
        output.with_suffix(".txt").write_text(render(content, "")[1], encoding="utf-8")
        click.echo(f"wrote {output} and {output.with_suffix('.txt')} ({content.title}, {label})")
    finally:
        db.dispose()

"""`hallwatch queue show` and `list` match the web page: context, consent as posted, reasons with
clause words, local times; a manual escalation's note stays in the history after resolving."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from monitor.cli import Main
from monitor.commands.queue import queue_group
from monitor.db import Database
from tests.queue.helpers import EXAMPLE, NORTHGATE, WILLOW, WILLOW_ADMIN, example_division, make_user, photo_thread, routed_item, store_photo


@click.group(cls=Main)
def cli() -> None:
    """The queue group as monitor.cli registers it."""


cli.add_command(queue_group)


@pytest.fixture
def run(use_db_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("HALLWATCH_DATA_DIR", str(tmp_path / "data"))

    def invoke(*args: str):  # noqa: ANN202
        return CliRunner().invoke(cli, [*args[:2], "--config", str(EXAMPLE), *args[2:]], catch_exceptions=False)

    return invoke


def test_show_gives_the_whole_context_and_the_clause_words(run, db: Database) -> None:  # noqa: ANN001
    division = example_division()
    make_user(db, division, WILLOW_ADMIN, "account_admin")
    thread = photo_thread(db, division)
    store_photo(db, division, thread["post"].item_id, 0)  # where the run keeps it; the second photo not fetched yet
    out = run("queue", "show", str(thread["post"].id), "--as", WILLOW_ADMIN)
    assert out.exit_code == 0, out.output
    text = out.output
    assert "author:     Willow Creek Elementary (the account itself)" in text
    assert "posted:     2026-11-20 09:00 MST" in text
    # each photo, and whether the item page can show it, in the page's words
    assert ("photo 1:    alt text: Two students holding their paintings in the gym; tagged: Harper Lindqvist, Noah Fairweather, Zed Quillfeather\n"
            "            stored: shown on the item page\n") in text
    assert ("photo 2:    alt text: (none)\n"
            "            Photo not stored yet: hallwatch fetches it on its next run. Open it on the platform (link above).\n") in text
    assert "link:       https://example.invalid/photo" in text
    assert "student:    Oliver Mbeki (Ollie) (named in the text): consent when posted: no: media consent refused" in text
    assert "student:    Noah Fairweather (tagged in photo 1): consent when posted: lapsed on 2025-06-30" in text
    assert "student:    Zed Quillfeather (tagged in photo 1): consent when posted: not on the roster" in text
    assert "finding:    photo without media consent: names a student whose media consent is refused" in text
    assert 'AP1311 2.2.3 (AP 1311 Social Media for Learning): "District employees will not “tag” photos of any students."' in text
    assert "UTC" not in text
    reply = run("queue", "show", str(thread["reply"].id), "--as", WILLOW_ADMIN).output
    assert "post:       post by Willow Creek Elementary (the account), 2026-11-20 09:00 MST: Art show winners!" in reply
    assert "answers:    comment by Pat Neighbour, 2026-11-20 09:00 MST: you are all losers" in reply


def test_list_shows_local_due_times_and_filters(run, db: Database) -> None:  # noqa: ANN001
    division = example_division()
    make_user(db, division, WILLOW_ADMIN, "account_admin")
    now = datetime.now(timezone.utc)
    late = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post", now=now - timedelta(hours=75))
    high = routed_item(db, division, WILLOW, [("harassment", "high")], kind="post", text="some other words entirely", span=(0, 4), now=now)
    routed_item(db, division, NORTHGATE, [("student_pii", "medium")], kind="post", now=now)
    listed = run("queue", "list", "--as", WILLOW_ADMIN)
    assert listed.exit_code == 0, listed.output
    rows = {line.split()[0]: line for line in listed.output.splitlines()[1:] if line.strip() and line.split()[0].isdigit()}
    assert set(rows) == {str(late.id), str(high.id)}
    assert "overdue 3 h" in rows[str(late.id)] and ("MST" in rows[str(late.id)] or "MDT" in rows[str(late.id)])
    assert "UTC" not in listed.output
    # each row's reason on the line under it, so the list tells why without opening the item
    lines = listed.output.splitlines()
    for review in (late, high):
        row = next(i for i, line in enumerate(lines) if line.split() and line.split()[0] == str(review.id))
        assert lines[row + 1].split() == ["why:", "a", "student's", "full", "name", "from", "the", "roster"]
    searched = run("queue", "list", "--as", WILLOW_ADMIN, "--search", "other WORDS").output
    assert f"\n{high.id:>7}  " in searched and f"\n{late.id:>7}  " not in searched
    severe = run("queue", "list", "--as", WILLOW_ADMIN, "--severity", "high").output
    assert f"\n{high.id:>7}  " in severe and f"\n{late.id:>7}  " not in severe


def test_escalation_note_survives_resolution_in_the_history(run, db: Database) -> None:  # noqa: ANN001
    division = example_division()
    make_user(db, division, WILLOW_ADMIN, "account_admin")
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    escalated = run("queue", "escalate", str(review.id), "--as", WILLOW_ADMIN, "--note", "the parent asked for it down")
    assert escalated.exit_code == 0, escalated.output
    resolved = run("queue", "resolve", str(review.id), "--as", WILLOW_ADMIN, "--outcome", "confirmed_edited", "--note", "the name was removed")
    assert resolved.exit_code == 0, resolved.output
    shown = run("queue", "show", str(review.id), "--as", WILLOW_ADMIN).output
    assert "escalated:  the parent asked for it down" in shown
    assert "escalate: the parent asked for it down" in shown and "resolve: the name was removed" in shown
    # the e-mail went through the outbox (the example division has no SMTP host: an .eml file per message)
    from email import message_from_bytes, policy

    from monitor.notify import outbox_for
    mails = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in outbox_for(db, division).glob("*.eml")]
    assert len(mails) == 1 and "helena.vasquez@prairiehills-sd.ca" in mails[0]["To"] and "marcus.delacroix@prairiehills-sd.ca" in mails[0]["To"]


def test_undo_from_the_command_line(run, db: Database) -> None:  # noqa: ANN001
    division = example_division()
    make_user(db, division, WILLOW_ADMIN, "account_admin")
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    nothing = run("queue", "undo", str(review.id), "--as", WILLOW_ADMIN)
    assert nothing.exit_code == 1 and "is not dismissed; there is nothing to undo" in nothing.output
    assert run("queue", "resolve", str(review.id), "--as", WILLOW_ADMIN, "--outcome", "dismissed").exit_code == 0
    undone = run("queue", "undo", str(review.id), "--as", WILLOW_ADMIN)
    assert undone.exit_code == 0 and "dismissal undone (now open" in undone.output
    with db.sessions() as session:
        from monitor.models import ReviewItem
        assert session.get(ReviewItem, review.id).active

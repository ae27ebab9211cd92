"""Issue 13 over HTTP: the item's whole context, clause words, local times, search scoped to the
viewer, filters kept after actions, pages back and forth, no default outcome, bulk-dismiss
confirmation, undo of a dismissal, and a manual escalation e-mailed through a real SMTP server."""
from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, select
from starlette.testclient import TestClient

from monitor.config import Division
from monitor.db import Database
from monitor.media.store import MAX_ATTEMPTS
from monitor.models import AuditEntry, ReviewItem, StoredMedia
from monitor.web.app import create_app
from tests.queue.helpers import (
    COMMS, NORTHGATE, NORTHGATE_ADMIN, NOW, PHOTO_ALT, STUDENT_NAME, WILLOW, WILLOW_ADMIN, WILLOW_PRINCIPAL, make_user, photo_thread, routed_item, store_photo,
)
from tests.queue.test_notify import body_text, division_with_smtp, smtp_server  # noqa: F401  (the fixture)
from tests.web.conftest import SECRET, csrf_of, sign_in


@pytest.fixture
def people(db: Database, division: Division) -> None:
    for email, role in ((WILLOW_ADMIN, "account_admin"), (WILLOW_PRINCIPAL, "principal"), (NORTHGATE_ADMIN, "account_admin"), (COMMS, "communications_manager")):
        make_user(db, division, email, role)


def text_of(page: str) -> str:
    """The page's visible words, tags removed and entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def figures(page: str) -> list[str]:
    return re.findall(r'<figure class="photo">.*?</figure>', page, re.S)


def test_photo_item_shows_its_whole_context_and_the_clause_words(client: TestClient, db: Database, division: Division, people: None) -> None:
    thread = photo_thread(db, division)
    item_id = thread["post"].item_id
    store_photo(db, division, item_id, 0)  # the first photo fetched and stored; the second not yet
    sign_in(client, WILLOW_PRINCIPAL)
    page = client.get(f"/items/{thread['post'].id}").text
    words = text_of(page)
    # the photos, by position in the item's media list, with their alt text and tags
    first, second = figures(page)
    assert f'<img src="/item/{item_id}/media/0" alt="{PHOTO_ALT}"' in first
    assert client.get(f"/item/{item_id}/media/0").status_code == 200, "the <img> the page draws is served"
    # the photo not stored yet: a note in its place and the post on the platform, never an <img> that 404s
    assert "<img" not in second and f"/item/{item_id}/media/1" not in page
    assert client.get(f"/item/{item_id}/media/1").status_code == 404
    assert "Photo not stored yet: hallwatch fetches it on its next run. You can open it on the platform" in text_of(second)
    assert '<a href="https://example.invalid/photo" rel="noopener noreferrer" target="_blank">open it on the platform</a>' in second
    assert "Alt text: none" in text_of(second)
    assert "Tagged: Harper Lindqvist, Noah Fairweather, Zed Quillfeather" in text_of(first)
    # author and posting time, in the division's time zone (16:00 UTC is 09:00 MST)
    assert "Willow Creek Elementary the account itself" in words
    assert "Posted 2026-11-20 09:00 MST" in words
    # each student named or tagged, with their consent as of the posting day
    assert "Oliver Mbeki (Ollie) (named in the text): no: media consent refused" in words
    assert "Sofia Castellanos (named in the text): limited: the image may be used, never with the name (until 2027-06-30)" in words
    assert "Harper Lindqvist (tagged in photo 1): yes, until 2027-06-30" in words
    assert "Noah Fairweather (tagged in photo 1): lapsed on 2025-06-30 (was yes)" in words
    assert "Zed Quillfeather (tagged in photo 1): not on the roster" in words
    # the reason, what to do, and the words of the clause (not only its number)
    assert "names a student whose media consent is refused" in words
    assert "AP1311 2.2.3, AP 1311 Social Media for Learning" in words
    assert "District employees will not “tag” photos of any students." in words
    assert "What to do: Remove the tag" in words
    assert "UTC" not in words


def test_the_list_gives_each_row_its_reasons(client: TestClient, db: Database, division: Division, people: None) -> None:
    thread = photo_thread(db, division)
    sign_in(client, WILLOW_PRINCIPAL)
    page = client.get("/").text
    row = re.search(rf'<tr class="item[^"]*" data-id="{thread["post"].id}".*?</tr>', page, re.S)
    assert row, "the photo post is listed"
    why = re.search(r'<small class="why">(.*?)</small>', row.group(0), re.S)
    assert why, "the row carries its findings' reasons"
    reasons = html.unescape(why.group(1)).split("; ")
    assert "names a student whose media consent is refused" in reasons
    assert len(reasons) == len(set(reasons)), "each reason once"


def test_a_photo_without_a_file_to_serve_says_why_in_one_query(client: TestClient, db: Database, division: Division, people: None) -> None:
    thread = photo_thread(db, division)
    item_id = thread["post"].item_id
    store_photo(db, division, item_id, 0).unlink()  # stored once, its file gone since (a restore without the data directory)
    with db.transaction() as session:
        session.add(StoredMedia(item_id=item_id, position=1, source_url="https://example.invalid/art2.jpg", error="the media host answered HTTP 404",
                                attempts=MAX_ATTEMPTS))
    sign_in(client, WILLOW_PRINCIPAL)
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:  # noqa: ANN001, ANN002
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        page = client.get(f"/items/{thread['post'].id}").text
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len([s for s in statements if "stored_media" in s]) == 1, "one query for all the item's photos"
    first, second = figures(page)
    assert "<img" not in page and f"/item/{item_id}/media/" not in page
    assert "Photo not shown: its stored file is missing from the data directory." in text_of(first)
    assert "Photo not stored: fetching it failed (the media host answered HTTP 404), and hallwatch does not try again." in text_of(second)
    assert "Alt text: " + PHOTO_ALT in text_of(first) and "Tagged: Harper Lindqvist" in text_of(first)
    with db.transaction() as session:  # a failure that will be retried says so
        row = session.scalar(select(StoredMedia).where(StoredMedia.item_id == item_id, StoredMedia.position == 1))
        row.attempts = 1
    again = figures(client.get(f"/items/{thread['post'].id}").text)[1]
    assert "Photo not stored yet: the last fetch failed (the media host answered HTTP 404); hallwatch tries again on its next run." in text_of(again)


def test_comment_and_reply_show_the_posts_above_them(client: TestClient, db: Database, division: Division, people: None) -> None:
    thread = photo_thread(db, division)
    sign_in(client, WILLOW_ADMIN)
    comment = text_of(client.get(f"/items/{thread['comment'].id}").text)
    assert "The post it answers post by Willow Creek Elementary (the account), 2026-11-20 09:00 MST" in comment
    assert "Pat Neighbour not the account" in comment
    assert "prohibitions on the use of harassing, obscene, discriminatory, defamatory or threatening language" in comment
    assert "Users will not use electronic social media sites to be defamatory or harassing towards any person" in comment  # AP146 2b
    reply = text_of(client.get(f"/items/{thread['reply'].id}").text)
    assert "The comment it answers comment by Pat Neighbour" in reply and "you are all losers" in reply
    assert "The post post by Willow Creek Elementary" in reply and "Art show winners!" in reply


def test_queue_shows_local_times_and_due_phrases(client: TestClient, db: Database, division: Division, people: None) -> None:
    soon = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")  # due NOW + 72 h
    late = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post", now=NOW - timedelta(hours=74, minutes=30))
    sign_in(client, WILLOW_ADMIN)
    words = text_of(client.get("/").text)
    assert "due in 3 d 2026-11-26 02:00 MST" in words  # 09:00 UTC is 02:00 in Edmonton
    assert "overdue 2 h 2026-11-22 23:30 MST" in words  # rounded down to the minute
    assert words.index("overdue 2 h") < words.index("due in 3 d"), "soonest due first"
    item = text_of(client.get(f"/items/{late.id}").text)
    assert "Due overdue 2 h , 2026-11-22 23:30 MST" in item and "UTC" not in item
    assert soon.id != late.id


def test_resolve_form_selects_no_outcome_and_refuses_none(client: TestClient, db: Database, division: Division, people: None) -> None:
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    sign_in(client, WILLOW_ADMIN)
    page = client.get(f"/items/{review.id}").text
    form = page[page.index('id="resolve-form"'):page.index("</form>", page.index('id="resolve-form"'))]
    assert form.count('name="outcome"') == 5 and "checked" not in form
    response = client.post(f"/items/{review.id}/resolve", data={"csrf_token": csrf_of(page), "version": str(review.version)})
    assert response.status_code == 400 and "outcome: choose what was done" in response.text
    with db.sessions() as session:
        assert session.get(ReviewItem, review.id).active


def test_search_covers_text_and_author_within_the_viewers_accounts_only(client: TestClient, db: Database, division: Division, people: None) -> None:
    willow = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    northgate = routed_item(db, division, NORTHGATE, [("student_pii", "medium")], kind="post")  # the same text
    thread = photo_thread(db, division)
    sign_in(client, WILLOW_ADMIN)
    page = client.get("/", params={"q": "oliver MBEKI"}).text
    assert f'data-id="{willow.id}"' in page and f'data-id="{northgate.id}"' not in page, "never an item outside the viewer's accounts"
    by_author = client.get("/", params={"q": "pat neighbour"}).text
    assert f'data-id="{thread["comment"].id}"' in by_author and f'data-id="{willow.id}"' not in by_author
    assert 'data-id=' not in client.get("/", params={"q": "%"}).text, "LIKE wildcards are searched literally"
    assert client.get("/", params={"q": "x" * 201}).status_code == 400
    assert client.get("/", params={"q": "a\x00b"}).status_code == 400
    sign_in(client, COMMS)
    both = client.get("/", params={"q": "Oliver Mbeki"}).text
    assert f'data-id="{willow.id}"' in both and f'data-id="{northgate.id}"' in both


def test_filters_counts_and_pages(db: Database, division: Division, people: None) -> None:
    high = routed_item(db, division, WILLOW, [("harassment", "high")], kind="post", now=NOW - timedelta(hours=3))
    others = [routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post", now=NOW + timedelta(minutes=i)) for i in range(4)]
    app = create_app(db, division, secret_key=SECRET, now=lambda: NOW, page_size=2)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        sign_in(client, COMMS)
        first = client.get("/").text
        words = text_of(first)
        assert "open 5" in words and "harassment or threat 1" in words and "student personal information 4" in words
        assert 'rel="prev"' not in first
        seen = re.findall(r'data-id="(\d+)"', first)
        url = re.search(r'href="([^"]+)" rel="next"', first).group(1)
        while url:
            page = client.get(html.unescape(url)).text
            seen += re.findall(r'data-id="(\d+)"', page)
            back = re.search(r'href="([^"]+)" rel="prev"', page)
            assert back, "every later page links back"
            found = re.search(r'href="([^"]+)" rel="next"', page)
            url = found.group(1) if found else None
        assert seen == [str(i) for i in [high.id, *(o.id for o in others)]]
        previous = client.get(html.unescape(back.group(1))).text  # from the last page, one page back
        assert re.findall(r'data-id="(\d+)"', previous) == [str(others[1].id), str(others[2].id)]
        only_high = client.get("/", params={"severity": "high", "platform": "facebook"}).text
        assert re.findall(r'data-id="(\d+)"', only_high) == [str(high.id)]
        assert client.get("/", params={"severity": "bogus"}).status_code == 400
        assert 'data-id=' not in client.get("/", params={"platform": "youtube"}).text
        # "assigned to me": the Communications Manager is no assignee of a medium finding, until it is escalated
        assert f'data-id="{others[0].id}"' not in client.get("/", params={"mine": "1"}).text
        assert f'data-id="{others[0].id}"' in client.get("/").text
        page = client.get(f"/items/{others[0].id}").text
        client.post(f"/items/{others[0].id}/escalate", data={"csrf_token": csrf_of(page), "note": "parent called"})
        assert f'data-id="{others[0].id}"' in client.get("/", params={"mine": "1"}).text
        assert f'data-id="{others[1].id}"' not in client.get("/", params={"mine": "1"}).text


def test_actions_keep_the_filters_and_a_dismissal_can_be_undone(db: Database, division: Division, people: None) -> None:
    clock = [NOW]
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    app = create_app(db, division, secret_key=SECRET, now=lambda: clock[0])
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        sign_in(client, WILLOW_ADMIN)
        here = "/?q=Oliver&severity=medium"
        page = client.get(here).text
        assert f'name="back" value="{html.escape(here)}"' in page
        dismissed = client.post(f"/items/{review.id}/resolve", data={"csrf_token": csrf_of(page), "version": str(review.version), "outcome": "dismissed", "back": here})
        assert dismissed.status_code == 303 and dismissed.headers["location"] == here
        after = client.get(here).text
        assert "You can undo this for 10 minutes." in after and 'id="undo-form"' in after
        undone = client.post("/undo", data={"csrf_token": csrf_of(after), "back": here})
        assert undone.status_code == 303 and undone.headers["location"] == here
        assert f"Dismissal undone: item(s) {review.id} back in the queue." in client.get(here).text
        with db.sessions() as session:
            row = session.get(ReviewItem, review.id)
            assert row.active and row.state == "open" and row.outcome is None
            actions = [a.action for a in session.scalars(select(AuditEntry).where(AuditEntry.entity_id == str(review.id)).order_by(AuditEntry.id))]
            assert actions[-2:] == ["resolve", "undo_dismiss"]
        # dismissed again; eleven minutes later the undo is gone, and the dismissal stands
        page = client.get(f"/items/{review.id}").text
        client.post(f"/items/{review.id}/resolve", data={"csrf_token": csrf_of(page), "outcome": "dismissed"})
        clock[0] = NOW + timedelta(minutes=11)
        later = client.get("/").text
        assert 'id="undo-form"' not in later
        refused = client.post("/undo", data={"csrf_token": csrf_of(later)})
        assert refused.status_code == 303 and "Nothing to undo" in client.get("/").text
        with db.sessions() as session:
            assert session.get(ReviewItem, review.id).outcome == "dismissed"
        assert client.post("/undo", data={"csrf_token": "forged"}).status_code == 403


def test_bulk_dismiss_names_the_items_first_and_never_touches_anothers(client: TestClient, db: Database, division: Division, people: None) -> None:
    mine = [routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post") for _ in range(3)]
    theirs = routed_item(db, division, NORTHGATE, [("student_pii", "medium")], kind="post")
    sign_in(client, WILLOW_ADMIN)
    token = csrf_of(client.get("/").text)
    ids = [str(r.id) for r in mine] + [str(theirs.id)]
    confirm = client.post("/bulk-dismiss", data={"csrf_token": token, "ids": ids, "back": "/?severity=medium"})
    assert confirm.status_code == 200
    words = text_of(confirm.text)
    assert "Dismiss 3 item(s)?" in words and "Yes, dismiss 3 item(s)" in words and f"Item {theirs.id}:" not in words
    with db.sessions() as session:
        assert all(session.get(ReviewItem, r.id).active for r in mine)
    done = client.post("/bulk-dismiss", data={"csrf_token": token, "ids": ids, "confirm": "yes", "back": "/?severity=medium"})
    assert done.status_code == 303 and done.headers["location"] == "/?severity=medium"
    with db.sessions() as session:
        assert not any(session.get(ReviewItem, r.id).active for r in mine)
        assert session.get(ReviewItem, theirs.id).active
    page = client.get("/").text
    assert "Dismissed 3 item(s)." in page and "3 item(s) dismissed." in page
    client.post("/undo", data={"csrf_token": csrf_of(page)})
    with db.sessions() as session:
        assert all(session.get(ReviewItem, r.id).active for r in mine)


def test_manual_escalation_mails_principal_and_communications_and_its_note_stays(
    db: Database, smtp_server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,  # noqa: ANN001, F811
) -> None:
    controller, inbox, _ = smtp_server
    division = division_with_smtp(controller.port, monkeypatch)
    for email, role in ((WILLOW_ADMIN, "account_admin"), (WILLOW_PRINCIPAL, "principal"), (COMMS, "communications_manager")):
        make_user(db, division, email, role)
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    app = create_app(db, division, secret_key=SECRET, now=lambda: NOW, outbox=tmp_path / "outbox")
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        sign_in(client, WILLOW_ADMIN)
        page = client.get(f"/items/{review.id}").text
        response = client.post(f"/items/{review.id}/escalate", data={"csrf_token": csrf_of(page), "version": str(review.version), "note": "parent called the office"})
        assert response.status_code == 303
        assert len(inbox.messages) == 1
        rcpt, message = inbox.messages[0]
        assert set(rcpt) == {WILLOW_PRINCIPAL, COMMS}
        body = body_text(message)
        assert f"/items/{review.id}" in body and STUDENT_NAME not in body and "parent called" not in body
        page = client.get(f"/items/{review.id}").text
        assert "They have been e-mailed." in page
        assert text_of(page).count("parent called the office") == 2  # the facts and the history
        client.post(f"/items/{review.id}/resolve", data={"csrf_token": csrf_of(page), "outcome": "confirmed_edited", "note": "the post was edited"})
        words = text_of(client.get(f"/items/{review.id}").text)
        assert "Escalated parent called the office" in words and "the post was edited" in words


def test_favicon(client: TestClient) -> None:
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    legacy = client.get("/favicon.ico")
    assert legacy.status_code == 301 and urlsplit(legacy.headers["location"]).path == "/static/favicon.svg"


def test_an_action_never_returns_off_site(client: TestClient, db: Database, division: Division, people: None) -> None:
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    sign_in(client, WILLOW_ADMIN)
    token = csrf_of(client.get("/").text)
    for back in ("//evil.example/", "/\t/evil.example/", "https://evil.example/", "/\\evil.example", "/\n/evil.example"):
        response = client.post(f"/items/{review.id}/claim", data={"csrf_token": token, "back": back})
        assert response.status_code == 303 and response.headers["location"] == f"/items/{review.id}", back
    assert client.get("/", params={"before": "not-a-cursor"}).status_code == 400

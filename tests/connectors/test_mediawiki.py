"""MediaWiki against its cassettes (built from the documented Action API shapes): edits as items."""
from __future__ import annotations

import json

import pytest

from connectors.base import AccountRef, ConnectorError, CredentialsError
from connectors.mediawiki import MediaWikiConnector, added_text, edit_item, file_media
from connectors.ratelimit import Throttle

API = "https://wiki.maple-grove.example/w/api.php"
ACCOUNT = AccountRef("grade4-wiki", "mediawiki", "grade4", options={"api_url": API, "account_user": "MsTeacher"})
CURSOR = json.dumps({"rcid": 603, "since": "2024-03-05T16:00:00Z"}, sort_keys=True)


def throttle(waits: list[float] | None = None) -> Throttle:
    return Throttle(sleep=(waits if waits is not None else []).append, rand=lambda: 0.0, now=lambda: 1709650000.0)


def test_first_poll_pages_recentchanges_and_diffs_the_revisions(cassette):
    with cassette("mediawiki/first_poll.yaml"):
        result = MediaWikiConnector(throttle()).fetch(ACCOUNT, None)
    assert [(i.kind, i.platform_id) for i in result.items] == [("post", "345"), ("post", "346"), ("post", "347")]
    created, credits, parent = result.items
    # a creation adds the whole page; an edit only the lines it added (difflib over the wikitext)
    assert created.text == "Grade 4 Field Trip\n== Our trip ==\nWe went to the museum.\nWe saw dinosaurs.\nEdit summary: new page"
    assert credits.text == "Grade 4 Field Trip\nPhotos by the grade 4 class.\n[[File:Museum visit.jpg|thumb|right|Our class at the museum]]\nEdit summary: photo credits"
    # the picture the edit embedded is its media, with its caption, so the photo checks see it
    assert [(m.type, m.url, m.alt_text) for m in credits.media] == [("photo", "https://wiki.maple-grove.example/w/index.php?title=Special:FilePath/Museum_visit.jpg", "Our class at the museum")]
    assert created.media == []
    assert parent.text == "Science Fair\nProjects go on the tables by the gym.\nEdit summary: tables"
    assert created.author.name == "MsTeacher" and created.author.is_account and created.author.platform_id == "3"
    assert parent.author.name == "ParentHelper" and not parent.author.is_account
    assert parent.permalink == "https://wiki.maple-grove.example/w/index.php?oldid=347"
    assert parent.created_at.isoformat() == "2024-03-05T16:00:00+00:00"
    assert result.calls == 3 and json.loads(result.cursor) == json.loads(CURSOR)


def test_empty_poll_skips_the_change_rcstart_returns_again(cassette):
    with cassette("mediawiki/empty_poll.yaml"):
        result = MediaWikiConnector(throttle()).fetch(ACCOUNT, CURSOR)
    assert result.items == [] and result.calls == 1 and result.cursor == CURSOR


def test_maxlag_and_ratelimited_are_waited_for_then_read(cassette):
    waits: list[float] = []
    with cassette("mediawiki/rate_limited.yaml"):
        result = MediaWikiConnector(throttle(waits)).fetch(ACCOUNT, CURSOR)
    assert waits == [5.0, 4.0]  # maxlag: MediaWiki's 5 s; ratelimited: the second try's backoff
    assert result.items == [] and len([e for e in result.events if "rate limited" in e]) == 2


@pytest.mark.parametrize("name,code", [("token_expired", "mwoauth-invalid-authorization"), ("read_denied", "readapidenied")])
def test_refused_reads_are_credentials_errors(cassette, name, code):
    account = AccountRef("grade4-wiki", "mediawiki", API, {"access_token": "wikifaketoken"})
    with cassette(f"mediawiki/{name}.yaml"):
        with pytest.raises(CredentialsError, match=code) as info:
            MediaWikiConnector(throttle()).fetch(account, None)
    assert "wikifaketoken" not in str(info.value)


def test_the_api_url_must_be_a_web_address():
    with pytest.raises(ConnectorError, match="api.php URL"):
        MediaWikiConnector(throttle()).fetch(AccountRef("w", "mediawiki", "file:///etc/passwd"), None)


def test_file_links_become_media_with_alt_text_or_caption():
    media = file_media("[[File:A b.png|alt=Two students reading|thumb]] and [[Image:c.jpg|200px]] [[file:d.webm|Concert]]", "https://w.example/index.php")
    assert [(m.type, m.url.rsplit("/", 1)[1], m.alt_text) for m in media] == [("photo", "A_b.png", "Two students reading"), ("photo", "c.jpg", None), ("video", "d.webm", "Concert")]


def test_account_user_may_name_several_wiki_users():
    account = AccountRef("w", "mediawiki", API, options={"account_user": ["MsTeacher", "MrHelper"]})
    item = edit_item(account, {"revid": 1, "user": "MrHelper", "title": "T", "timestamp": "2024-03-05T15:00:00Z"}, {}, "https://w/index.php")
    assert item.author.is_account


def test_added_text_keeps_only_new_and_changed_lines():
    assert added_text("a\nb\nc", "a\nB\nc\nd") == "B\nd"
    assert added_text("a\nb", "a") == ""
    assert added_text(None, "new page") == "new page"

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from connectors.base import AccountRef, ExportFileError
from connectors.facebook_export import read_export, repair_text
from connectors.x_archive import read_archive
from monitor.commands import imports
from tests.connectors.conftest import RECORDINGS

EXPORTS = RECORDINGS / "exports"
ACCOUNT = AccountRef(name="maple-x", platform="x", handle="maple_grove")


def test_x_archive_sample_parses_posts_replies_and_media():
    items = list(read_archive(EXPORTS / "x_archive_sample_tweets.js", ACCOUNT))
    assert len(items) == 7
    assert [i.kind for i in items].count("reply") == 3
    assert sum(len(i.media) for i in items) == 3
    assert all(i.author.is_account and i.created_at is not None for i in items)
    assert items[2].parent_id == "2029903943413772741"


def test_x_archive_bad_json_names_file_line_and_column(tmp_path: Path):
    bad = tmp_path / "tweets.js"
    bad.write_text('window.YTD.tweets.part0 = [\n  {"tweet": {"id_str": "1", "full_text": "a"}},\n  {"tweet": oops}\n]\n')
    with pytest.raises(ExportFileError, match=r"tweets\.js:3:13: invalid JSON"):
        list(read_archive(bad, ACCOUNT))


def test_x_archive_missing_fields_names_entry(tmp_path: Path):
    bad = tmp_path / "tweets.js"
    bad.write_text('window.YTD.tweets.part0 = [{"tweet": {"id_str": "1", "full_text": "a"}}, {"tweet": {"id_str": "2"}}]')
    with pytest.raises(ExportFileError, match=r"tweets\.js: entry 2"):
        list(read_archive(bad, ACCOUNT))


def test_x_archive_wrong_prefix(tmp_path: Path):
    bad = tmp_path / "tweets.js"
    bad.write_text('[{"tweet": {}}]')
    with pytest.raises(ExportFileError, match=r"tweets\.js:1: not an X archive"):
        list(read_archive(bad, ACCOUNT))


def test_facebook_export_repairs_mojibake_and_reads_posts_and_comments():
    items = list(read_export(EXPORTS / "facebook_dyi_waultar", ACCOUNT))
    texts = " ".join(i.text for i in items)
    assert "på" in texts and "\u00c3" not in texts
    assert {i.kind for i in items} == {"post", "comment"}
    assert any(i.media for i in items)
    # stable ids: a second read gives the same ids, so a re-import adds nothing
    assert [i.platform_id for i in items] == [i.platform_id for i in read_export(EXPORTS / "facebook_dyi_waultar", ACCOUNT)]


def test_repair_text_leaves_good_text_alone():
    assert repair_text("Mobiloverf\u00c3\u00b8rsler") == "Mobiloverførsler"
    assert repair_text("Mobiloverførsler") == "Mobiloverførsler"
    assert repair_text("emoji 🇺🇸") == "emoji 🇺🇸"


def test_facebook_export_bad_json_names_file_and_line(tmp_path: Path):
    bad = tmp_path / "your_posts_1.json"
    bad.write_text('[\n {"timestamp": 1,\n  "data": [{"post": "x"}]\n ,]\n')
    with pytest.raises(ExportFileError, match=r"your_posts_1\.json:4:"):
        list(read_export(bad, ACCOUNT))


def test_facebook_export_bad_entry_names_entry(tmp_path: Path):
    bad = tmp_path / "comments.json"
    bad.write_text('{"comments_v2": [{"timestamp": 1, "data": [{"comment": {"timestamp": 1, "comment": "ok"}}]}, {"timestamp": 2, "data": [{"comment": {}}]}]}')
    with pytest.raises(ExportFileError, match=r"comments\.json: comments_v2 entry 2"):
        list(read_export(bad, ACCOUNT))


def test_import_command_hands_items_to_ingest(monkeypatch, tmp_path: Path):
    calls = []

    def fake_ingest(config_dir, account_name, items, data_dir=None):
        calls.append((config_dir, account_name, len(items), data_dir))
        return len(items), 0

    import monitor.runs
    monkeypatch.setattr(monitor.runs, "ingest_items", fake_ingest)
    result = CliRunner().invoke(imports.import_group, ["x-archive", str(EXPORTS / "x_archive_sample_tweets.js"), "--account", "maple-x",
                                                       "--config", str(tmp_path), "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    # the sample repeats one tweet id: it is handed over once, with the data directory asked for
    assert calls == [(tmp_path, "maple-x", 6, tmp_path / "data")] and "6 new" in result.output and "1 repeated" in result.output


def test_import_command_reports_bad_file_and_stores_nothing(monkeypatch, tmp_path: Path):
    import monitor.runs
    monkeypatch.setattr(monitor.runs, "ingest_items", lambda *a: pytest.fail("nothing may be stored"))
    bad = tmp_path / "your_posts_1.json"
    bad.write_text("[{")
    result = CliRunner().invoke(imports.import_group, ["facebook-export", str(bad), "--account", "maple-fb", "--config", str(tmp_path)])
    assert result.exit_code == 1 and "your_posts_1.json:1:" in result.output

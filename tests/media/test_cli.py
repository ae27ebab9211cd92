"""Real `hallwatch` processes: a run fetches a post's photo from a local HTTP server and the real
classifier counts its faces; `run` and `report` count findings in the same unit; `import` honours
--data-dir. SQLite and PostgreSQL."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, text

from monitor.commands import imports
from tests.connectors.conftest import RECORDINGS
from tests.faults.conftest import division, hallwatch, sample
from tests.media.image_server import ImageServer

CAPTION = "Recess on the new playground! Thank you to the parent council."


def post(ident: str, url: str) -> str:
    # nothing in the words says faces show: only the image can
    return json.dumps({"id": ident, "kind": "post", "author": {"name": "Prairie Hills School Division", "is_account": True}, "text": CAPTION,
                       "media": [{"type": "photo", "url": url, "alt_text": "Children at the new climbing frame"}], "created_at": "2026-11-16T15:00:00Z"})


def environment(db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLWATCH_")}
    if not db_url.startswith("sqlite"):
        env["HALLWATCH_DATABASE_URL"] = db_url
    return env


def test_a_run_fetches_the_photo_and_counts_its_faces(db_url: str, tmp_path: Path, server: ImageServer) -> None:
    data = Path(db_url.removeprefix("sqlite:///")).parent if db_url.startswith("sqlite") else tmp_path / "data"
    config = division(tmp_path / "config", {"prairie-hills-sd-fb": [
        post("faces", server.url("/ok.png?access_token=SECRET-TOKEN")), post("gone", server.url("/missing")), *sample("ph", 2)]})
    env = environment(db_url)
    run = hallwatch("run", "--config", str(config), "--data-dir", str(data), env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "photos 1 stored, 1 not fetched" in run.stdout and "SECRET-TOKEN" not in run.stdout + run.stderr
    line = re.search(r"run \d+: ok; (\d+) items? with findings \((\d+) findings?\) new this run", run.stdout)
    assert line, run.stdout
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            photo = conn.execute(text("SELECT m.path, m.content_type, m.error FROM stored_media m JOIN items i ON i.id = m.item_id WHERE i.platform_id = 'faces'")).one()
            gone = conn.execute(text("SELECT m.path, m.error FROM stored_media m JOIN items i ON i.id = m.item_id WHERE i.platform_id = 'gone'")).one()
            flagged = {pid for (pid,) in conn.execute(text(
                "SELECT i.platform_id FROM findings f JOIN items i ON i.id = f.item_id WHERE f.category = 'photo_no_consent'"))}
            reason = conn.execute(text("SELECT f.reason FROM findings f JOIN items i ON i.id = f.item_id WHERE i.platform_id = 'faces'")).scalar_one()
            totals = conn.execute(text("SELECT count(DISTINCT item_id), count(*) FROM findings")).one()
    finally:
        engine.dispose()
    assert photo.content_type == "image/png" and photo.error is None and (data / photo.path).is_file()
    assert gone.path is None and gone.error == "the media host answered HTTP 404"
    # the same words, one photo fetched with three faces, one not fetched: only the first is flagged
    assert flagged == {"faces"} and reason == "identifiable students in a photo the account posted, with no media consent asserted"
    assert (int(line.group(1)), int(line.group(2))) == tuple(totals)
    report = hallwatch("report", "--config", str(config), "--data-dir", str(data), env=env)
    assert report.returncode == 0, report.stderr
    count = lambda n, word: f"{n} {word}{'s' if n != 1 else ''}"  # noqa: E731
    assert f"In all: {count(totals[0], 'item')} with findings ({count(totals[1], 'finding')})." in report.stdout


def test_import_writes_to_the_data_dir_it_is_given(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from tests.monitor.conftest import EXAMPLE
    import shutil

    config = tmp_path / "config"
    shutil.copytree(EXAMPLE, config)
    monkeypatch.chdir(tmp_path)  # so a stray ./var would show here
    for key in [k for k in os.environ if k.startswith("HALLWATCH_")]:
        monkeypatch.delenv(key)
    data = tmp_path / "elsewhere"
    runner = CliRunner()
    from monitor.cli import main

    assert runner.invoke(main, ["init", "--config", str(config), "--data-dir", str(data)]).exit_code == 0
    result = runner.invoke(imports.import_group, ["x-archive", str(RECORDINGS / "exports" / "x_archive_sample_tweets.js"),
                                                  "--account", "prairie-hills-sd-x", "--config", str(config), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "6 new" in result.output and (data / "hallwatch.sqlite3").is_file() and not (tmp_path / "var").exists()

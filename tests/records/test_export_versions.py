"""The records export of an edited item carries each earlier version's photo as it carries the
current one (copied under images/, listed in the signed manifest, named in items.jsonl and
versions.csv, drawn in the PDF under its version), after real monitoring cycles on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connectors.base import AccountRef, FetchResult
from connectors.items import Author, Item, Media
from monitor.config import Division, load_division
from monitor.db import Database
from monitor.records.export import Exporter, ExportRequest, export_records, verify_export
from tests.media.conftest import server  # noqa: F401  (the fixture)
from tests.media.image_server import IMAGE, ImageServer
from tests.media.test_runs import ACCOUNT, T0, SeeingAnalyzer, cycle
from tests.media.test_versions import HOUR, SECOND, edited, item_id
from tests.monitor.conftest import config_dir  # noqa: F401  (the fixture)
from tests.queue.helpers import ITS


class PostConnector:
    """One post "p" with this text and these photo URLs."""

    platform = "facebook"

    def __init__(self, text: str, urls: list[str]) -> None:
        self.text, self.urls = text, urls

    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        item = Item(platform="facebook", platform_id="p", account=account.name, kind="post", text=self.text,
                    author=Author("Prairie Hills School Division", is_account=True), created_at=T0, media=[Media("photo", url=u) for u in self.urls])
        return FetchResult(items=[item], cursor="c", calls=1)


def export(db: Database, division: Division, data: Path, out: Path, fmt: str) -> dict:
    result = export_records(db, division, ExportRequest(account=ACCOUNT, fmt=fmt), Exporter(ITS, "its_admin"), out, T0 + 2 * HOUR,
                            key=Ed25519PrivateKey.generate(), media_root=data)
    assert result.items == 1 and verify_export(out).ok
    if fmt == "csv":
        return {}
    (record,) = [json.loads(line) for line in (out / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    return record


def test_the_export_and_the_pdf_carry_the_old_versions_photo(db: Database, config_dir: Path, server: ImageServer, tmp_path: Path) -> None:  # noqa: F811
    if shutil.which("pdftotext") is None or shutil.which("pdfimages") is None:
        pytest.skip("pdftotext/pdfimages are not installed (apt-get install poppler-utils)")
    division = load_division(config_dir)
    data = tmp_path / "data"
    item, _ = edited(db, division, server, data)
    out = tmp_path / "pdf"
    record = export(db, division, data, out, "pdf")
    current, old = f"{item}-0.png", f"{item}-v1-0.png"
    assert record["images"] == [current] and (out / "images" / current).read_bytes() == SECOND
    first, now = record["versions"]
    assert (first["version"], first["current"], first["images"]) == (1, False, [old]) and now["images"] == [current]
    assert (out / "images" / old).read_bytes() == IMAGE, "the earlier version's own photo, as it was posted"
    listed = {f["path"] for f in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]}
    assert {f"images/{current}", f"images/{old}"} <= listed, "both photos are in the signed manifest"

    text = subprocess.run(["pdftotext", "-layout", str(out / "records.pdf"), "-"], check=True, capture_output=True, text=True, timeout=60).stdout
    assert text.index(f"images/{current}") < text.index("Version 1, seen") < text.index(f"images/{old}") < text.index("Version 2, seen"), \
        "the old photo is drawn under its own version"
    drawn = subprocess.run(["pdfimages", "-list", str(out / "records.pdf")], check=True, capture_output=True, text=True, timeout=60).stdout
    assert len([line for line in drawn.splitlines()[2:] if " image " in line]) == 2, "both photos are drawn, not only named"


def test_a_failed_new_photo_leaves_the_old_one_in_the_export(db: Database, config_dir: Path, server: ImageServer, tmp_path: Path) -> None:  # noqa: F811
    division = load_division(config_dir)
    data = tmp_path / "data"
    item, _ = edited(db, division, server, data, second="/missing")
    record = export(db, division, data, tmp_path / "out", "jsonl")
    assert record["images"] == [] and record["versions"][-1]["images"] == []
    assert record["versions"][0]["images"] == [f"{item}-v1-0.png"]
    assert (tmp_path / "out" / "images" / f"{item}-v1-0.png").read_bytes() == IMAGE


def test_a_text_only_edit_and_the_same_bytes_twice_are_one_file_in_the_export(db: Database, config_dir: Path, server: ImageServer, tmp_path: Path) -> None:  # noqa: F811
    division = load_division(config_dir)
    data = tmp_path / "data"
    run = 0

    def post(text: str, url: str) -> None:
        nonlocal run
        cycle(db, division, PostConnector(text, [server.url(url)]), data, SeeingAnalyzer(), at=T0 + run * HOUR)
        run += 1

    post("Art show tonight", "/ok.png?v=1")
    post("Art show tonight, in the gym", "/ok.png?v=1")  # the text edited, the photo not: version 1 showed the photo stored now
    item = item_id(db, "p")
    record = export(db, division, data, tmp_path / "before", "jsonl")
    assert [(v["version"], v["images"]) for v in record["versions"]] == [(1, [f"{item}-0.png"]), (2, [f"{item}-0.png"])]
    assert [p.name for p in (tmp_path / "before" / "images").iterdir()] == [f"{item}-0.png"]
    server.image = SECOND
    post("Art show tonight, in the gym", "/ok.png?v=3")
    server.image = IMAGE
    post("Art show tonight, in the gym", "/ok.png?v=4")  # the first photo again, under another URL
    record = export(db, division, data, tmp_path / "out", "jsonl")
    current = f"{item}-0.png"
    assert [(v["version"], v["images"]) for v in record["versions"]] == [
        (1, [current]), (2, [current]), (3, [f"{item}-v3-0.png"]), (4, [current])]
    assert sorted(p.name for p in (tmp_path / "out" / "images").iterdir()) == [current, f"{item}-v3-0.png"]
    assert (tmp_path / "out" / "images" / f"{item}-v3-0.png").read_bytes() == SECOND

    out = tmp_path / "csv"
    export(db, division, data, out, "csv")
    with (out / "versions.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [json.loads(r["images"]) for r in rows] == [[current], [current], [f"{item}-v3-0.png"], [current]]

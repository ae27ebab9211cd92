"""The PDF of a records export, as a records officer gets it: rendered to PNG pages with pdftoppm
(kept under test-artifacts/records-export/ for a human look) and read back with pdftotext."""
from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from connectors.sample import SAMPLE_IMAGES
from monitor.db import Database
from monitor.media.store import write_file
from monitor.queue import resolve
from monitor.records.export import Exporter, ExportRequest, export_records, verify_export
from monitor.records.pdf import TEXT_LIMIT
from monitor.users import viewer_for
from monitor.models import ItemVersion, StoredMedia, User
from tests.queue.helpers import ITS, NOW, WILLOW, WILLOW_ADMIN, example_division, routed_item

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "records-export"
UNICODE_TEXT = "Bravo à Zoé et Noël 🎉 pour le concours ! Ça marche — naïve café ☺ \u0007 fin"


@pytest.fixture(scope="module", autouse=True)
def _poppler() -> None:
    for tool in ("pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install poppler-utils)")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_pdf_reads_as_a_record_and_renders_to_pages(db: Database, tmp_path: Path) -> None:
    division = example_division()
    media_root = tmp_path / "data"
    with db.transaction() as session:
        session.add(User(email=WILLOW_ADMIN, display_name="Claire", role="account_admin", disabled=False))
    posted = datetime(2026, 11, 20, 22, 30, tzinfo=timezone.utc)  # 15:30 in Edmonton (MST)
    first = routed_item(db, division, WILLOW, [("harassment", "high")], text=UNICODE_TEXT, span=(8, 11))
    giant = routed_item(db, division, WILLOW, [("student_pii", "medium")], text="word " * (TEXT_LIMIT // 5 + 2000))
    with db.transaction() as session:
        from monitor.models import StoredItem

        item = session.get(StoredItem, first.item_id)
        item.created_at = posted
        item.media = [{"type": "photo", "url": "https://example.invalid/p.jpg", "alt_text": "a class photo", "tagged": []}]
        # the giant item was edited once (monitor.records.versions) and its photo was fetched at ingest (monitor.media)
        other = session.get(StoredItem, giant.item_id)
        session.add(ItemVersion(item_id=other.id, version=1, text="the first words, before the edit", media=[], seen_from=posted,
                                seen_until=NOW, why="edited on the platform"))
        other.version = 2
        other.media = [{"type": "photo", "url": "https://cdn.example.invalid/q.png", "alt_text": None, "tagged": []}]
        photo_bytes = sorted(SAMPLE_IMAGES.glob("*.png"))[0].read_bytes()
        relative, digest = write_file(media_root, photo_bytes, "image/png")
        session.add(StoredMedia(item_id=other.id, position=0, source_url="https://cdn.example.invalid/q.png", path=relative, sha256=digest,
                                content_type="image/png", bytes=len(photo_bytes), attempts=1, fetched_at=NOW))
    with db.sessions() as session:
        from monitor.users import require_user

        viewer = viewer_for(division, require_user(session, WILLOW_ADMIN))
    resolve(db, division, viewer, first.id, "referred", "to the principal, é ✓", NOW, None)

    out = tmp_path / "pdf"
    result = export_records(db, division, ExportRequest(account=WILLOW, fmt="pdf"), Exporter(ITS, "its_admin"), out, NOW,
                            key=Ed25519PrivateKey.generate(), media_root=media_root)
    assert result.items == 2 and verify_export(out).ok
    stored_copy = out / "images" / f"{giant.item_id}-0.png"
    assert stored_copy.read_bytes() == photo_bytes, "the fetched photo is in the export, listed in the signed manifest"
    listed = subprocess.run(["pdfimages", "-list", str(out / "records.pdf")], check=True, capture_output=True, text=True, timeout=60).stdout
    assert len(listed.splitlines()) >= 3, "the photo itself is drawn in the PDF (pdfimages lists it)"

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("page-*.png"):
        old.unlink()
    shutil.copyfile(out / "records.pdf", ARTIFACTS / "records.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(out / "records.pdf"), str(ARTIFACTS / "page")], check=True, timeout=120)
    pages = sorted(ARTIFACTS.glob("page-*.png"))
    assert len(pages) >= 3, "a cover page and a page (or more) per item"
    for page in pages[:3]:
        with Image.open(page) as image:
            dark = sum(image.convert("L").histogram()[:128])
        assert dark > 2000, f"{page.name} is (nearly) blank"

    text = subprocess.run(["pdftotext", "-layout", str(out / "records.pdf"), "-"], check=True, capture_output=True, text=True, timeout=60).stdout
    assert "Records export" in text and division.name in text and WILLOW in text
    assert f"Item {first.item_id}: comment on facebook" in text
    assert "Zoé et Noël [U+1F389] pour" in text and "naïve café ☺" in text, "accents survive; an emoji the font lacks is named"
    assert "2026-11-20 15:30:00 MST" in text, "times in the division's time zone"
    assert "Someone" in text, "the author"
    assert "https://example.invalid/p.jpg" in text and "a class photo" in text
    assert "Version 1" in text and "harassment · high" in text
    assert "the first words, before the edit" in text and "(edited on the platform)" in text and "(current: the text above)" in text, "every version"
    assert f"images/{giant.item_id}-0.png" in text
    assert "referred by claire.dubois@prairiehills-sd.ca" in text
    assert "to the principal, é ✓" in text
    assert "hallwatch route" in text and f"{WILLOW_ADMIN} resolve" in text, "the review history"
    assert "the text goes on" in text and "items.jsonl" in text, "a giant text is cut in the PDF, whole in items.jsonl"
    assert giant.item_id is not None

"""The demo photos the package ships: drawn by the project, counted by the classifier's own face
detector, and reached by the sample connector through `sample-image:` URLs only."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from classifiers.photos import count_faces
from connectors.base import AccountRef, ExportFileError
from connectors.sample import SAMPLE_IMAGES, SampleFileConnector

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "config" / "example" / "samples"


def drawn() -> dict[str, int]:
    spec = importlib.util.spec_from_file_location("draw_demo_images", REPO / "scripts" / "draw-demo-images.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: count for name, (_, count) in module.draw().items()}


def test_each_shipped_image_has_the_faces_it_was_drawn_with() -> None:
    expected = drawn()
    assert set(expected) == {p.name for p in SAMPLE_IMAGES.glob("*.png")}
    for name, faces in expected.items():
        assert count_faces(str(SAMPLE_IMAGES / name)) == faces, name
    assert sum(expected.values()) > 0 and 0 in expected.values()


def test_every_demo_photo_names_a_shipped_image() -> None:
    referenced = set()
    for path in SAMPLES.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            for media in json.loads(line).get("media", []):
                if media["type"] == "photo":
                    assert media["url"].startswith("sample-image:"), (path.name, line[:60])
                    referenced.add(media["url"].removeprefix("sample-image:"))
    assert referenced == {p.name for p in SAMPLE_IMAGES.glob("*.png")}


def test_the_sample_connector_gives_the_fetcher_a_file_url_inside_the_package(tmp_path: Path) -> None:
    sample = tmp_path / "s.jsonl"
    sample.write_text(json.dumps({"id": "a", "text": "x", "media": [{"type": "photo", "url": "sample-image:wcfb-2.png"},
                                                                    {"type": "photo", "url": "https://cdn.example/p.jpg"}]}) + "\n")
    account = AccountRef("a", "sample", "a", {}, {"sample_file": str(sample)})
    (item,) = SampleFileConnector().fetch(account, None).items
    assert item.media[0].url == (SAMPLE_IMAGES / "wcfb-2.png").as_uri() and item.media[1].url == "https://cdn.example/p.jpg"


@pytest.mark.parametrize("name", ["../division.yaml", "nope.png", ".hidden", ""])
def test_a_bad_sample_image_name_is_an_error_naming_file_and_line(tmp_path: Path, name: str) -> None:
    sample = tmp_path / "s.jsonl"
    sample.write_text('{"id": "ok", "text": "x"}\n' + json.dumps({"id": "a", "text": "x", "media": [{"type": "photo", "url": f"sample-image:{name}"}]}) + "\n")
    with pytest.raises(ExportFileError, match=r"s\.jsonl:2: media url"):
        SampleFileConnector().fetch(AccountRef("a", "sample", "a", {}, {"sample_file": str(sample)}), None)

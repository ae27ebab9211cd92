"""The photo-consent check reads the monitor's stored copy (Media.local_path), which platform data can never set."""
from __future__ import annotations

from connectors.items import Media
from connectors.sample import SAMPLE_IMAGES, item_from_dict
from tests.classifiers.conftest import analyzer, categories, item  # noqa: F401  (the session's real pipeline)

FACES = str(SAMPLE_IMAGES / "phfb-3.png")   # three drawn faces
NOBODY = str(SAMPLE_IMAGES / "wcfb-3.png")  # tables of books


def post(local_path: str | None):  # noqa: ANN201
    media = Media("photo", url="https://cdn.example/p.jpg", alt_text="Children at the climbing frame", local_path=local_path)
    return item("Recess on the new playground!", is_account=True, kind="post", media=[media])


def test_faces_in_the_stored_file_are_counted(analyzer) -> None:  # noqa: ANN001
    assert "photo_no_consent" in categories(analyzer, post(FACES))
    assert "photo_no_consent" not in categories(analyzer, post(None))    # the https URL is never read
    assert "photo_no_consent" not in categories(analyzer, post(NOBODY))  # a photo without faces


def test_local_path_is_neither_stored_nor_read_from_platform_json() -> None:
    media = Media("photo", url="https://cdn.example/p.jpg", local_path=FACES)
    assert "local_path" not in media.to_dict()
    parsed = item_from_dict({"id": "x", "text": "hi", "media": [{"type": "photo", "url": "https://cdn.example/p.jpg", "local_path": "/etc/shadow"}]})
    assert parsed.media[0].local_path is None

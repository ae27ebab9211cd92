"""GET /item/{item_id}/media/{position} over HTTP (Starlette TestClient), on SQLite and PostgreSQL:
the owner sees the photo, everyone else, and every missing photo, gets the same 404."""
from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from starlette.testclient import TestClient

from monitor.config import Division
from monitor.db import Database
from monitor.media.store import write_file
from monitor.models import ReviewItem, StoredMedia, utcnow
from monitor.web.app import create_app
from tests.media.image_server import IMAGE
from tests.queue.helpers import NORTHGATE_PRINCIPAL, NOW, WILLOW, WILLOW_PRINCIPAL, example_division, make_user, routed_item
from tests.web.conftest import SECRET, sign_in

BIG = Image.new("RGB", (2000, 1500), (120, 160, 200))


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def division() -> Division:
    return example_division()


@pytest.fixture
def photo(db: Database, division: Division, tmp_path: Path) -> dict[str, object]:
    """A Willow Creek post with two stored photos (a large one, a small one) and one never fetched."""
    make_user(db, division, WILLOW_PRINCIPAL, "principal")
    make_user(db, division, NORTHGATE_PRINCIPAL, "principal")
    review: ReviewItem = routed_item(db, division, WILLOW, [("photo_no_consent", "medium")], kind="post")
    big = png(BIG)
    with db.transaction() as session:
        for position, data in enumerate((big, IMAGE)):
            relative, digest = write_file(tmp_path, data, "image/png")
            session.add(StoredMedia(item_id=review.item_id, position=position, source_url=f"https://cdn.example/{position}", path=relative,
                                    sha256=digest, content_type="image/png", bytes=len(data), attempts=1, fetched_at=utcnow()))
        session.add(StoredMedia(item_id=review.item_id, position=2, source_url="https://cdn.example/2", error="the media host answered HTTP 404", attempts=1))
    return {"item": review.item_id, "big": big}


@pytest.fixture
def client(db: Database, division: Division, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(db, division, secret_key=SECRET, now=lambda: NOW, data_dir=tmp_path)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def test_the_owner_gets_a_private_thumbnail_and_the_original(client: TestClient, photo: dict[str, object], tmp_path: Path) -> None:
    assert sign_in(client, WILLOW_PRINCIPAL).status_code == 303
    response = client.get(f"/item/{photo['item']}/media/0")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg" and response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, max-age=300"  # one header: not also no-store
    assert len(response.headers.get_list("cache-control")) == 1
    with Image.open(io.BytesIO(response.content)) as thumb:
        assert max(thumb.size) == 480 and thumb.size == (480, 360)
    assert list((tmp_path / "media" / "thumbs").glob("*.jpg"))  # made once, then cached
    full = client.get(f"/item/{photo['item']}/media/0?size=full")
    assert full.status_code == 200 and full.content == photo["big"] and full.headers["content-type"] == "image/png"


@pytest.mark.parametrize("who", [None, NORTHGATE_PRINCIPAL])
def test_anyone_who_may_not_see_the_item_gets_404(client: TestClient, photo: dict[str, object], who: str | None) -> None:
    if who:
        assert sign_in(client, who).status_code == 303
        assert client.get("/").status_code == 200  # signed in, just not for this school
    for url in (f"/item/{photo['item']}/media/0", f"/item/{photo['item']}/media/1?size=full"):
        response = client.get(url)
        assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
        assert b"\x89PNG" not in response.content


def test_a_missing_photo_is_the_same_404(client: TestClient, photo: dict[str, object], tmp_path: Path) -> None:
    assert sign_in(client, WILLOW_PRINCIPAL).status_code == 303
    assert client.get(f"/item/{photo['item']}/media/1").status_code == 200
    assert client.get(f"/item/{photo['item']}/media/2").status_code == 404   # never fetched (its row holds the error)
    assert client.get(f"/item/{photo['item']}/media/9").status_code == 404   # no such position
    assert client.get("/item/999999/media/0").status_code == 404             # no such item
    for path in (tmp_path / "media").rglob("*.png"):
        path.unlink()  # the file went (a restore without the data directory)
    assert client.get(f"/item/{photo['item']}/media/1?size=full").status_code == 404

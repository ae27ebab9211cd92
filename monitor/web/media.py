"""`GET /item/{item_id}/media/{position}`: a stored photo of an item, for the review pages;
`GET /item/{item_id}/versions/{version}/media/{position}`: the photo an earlier version showed
(kept when an edit replaced it, monitor.media.archive), for the item page's earlier versions.

`item_id` is the stored item's id (items.id), `position` the photo's 0-based place in its media
list. A thumbnail (at most 480 px a side, JPEG) by default; `?size=full` sends the stored original.
Served only to a signed-in user who may see the item's account, by the same rule as the item page
(monitor.users.Viewer); everyone else, and a photo never fetched, gets the same 404, so a URL
never confirms that an item or a photo exists. `Cache-Control: private`: a shared proxy keeps
no copy of a student's photo.
"""
from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from monitor.config import Division
from monitor.db import Database
from monitor.media.archive import version_photos
from monitor.media.store import media_path, stored_file
from monitor.media.thumbs import thumbnail
from monitor.models import Account, StoredItem, StoredMedia
from monitor.web import auth

log = logging.getLogger("hallwatch.web")
HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300", "Content-Disposition": "inline"}


def media_routes(database: Database, division: Division, root: Path) -> list[Route]:
    """The photo route for the web app; `root` is the data directory the photos are under."""

    async def item_media(request: Request) -> Response:
        item_id, position = request.path_params["item_id"], request.path_params["position"]
        with database.sessions() as session:
            viewer = auth.current_viewer(request, session, division)
            found = session.execute(
                select(StoredMedia, Account.name)
                .join(StoredItem, StoredMedia.item_id == StoredItem.id)
                .join(Account, StoredItem.account_id == Account.id)
                .where(StoredMedia.item_id == item_id, StoredMedia.position == position)
            ).first()
        if viewer is None or found is None or not viewer.may_see(found[1]):
            raise HTTPException(404, "No such photo.")
        stored: StoredMedia = found[0]
        original = stored_file(root, stored)
        if original is None or stored.path is None or stored.content_type is None:
            raise HTTPException(404, "No such photo.")
        return _send(root, stored.path, original, stored.content_type, request.query_params.get("size") == "full")

    async def version_media(request: Request) -> Response:
        item_id, version, position = (request.path_params[k] for k in ("item_id", "version", "position"))
        with database.sessions() as session:
            viewer = auth.current_viewer(request, session, division)
            account = session.scalar(select(Account.name).join(StoredItem, StoredItem.account_id == Account.id).where(StoredItem.id == item_id))
            allowed = viewer is not None and account is not None and viewer.may_see(account)
            relative = version_photos(session, item_id).get(version, {}).get(position) if allowed else None
        original = media_path(root, relative) if relative is not None else None
        if original is None or not original.is_file():
            raise HTTPException(404, "No such photo.")
        return _send(root, relative, original, None, request.query_params.get("size") == "full")

    return [Route("/item/{item_id:int}/media/{position:int}", item_media, methods=["GET"]),
            Route("/item/{item_id:int}/versions/{version:int}/media/{position:int}", version_media, methods=["GET"])]


def _send(root: Path, relative: str, original: Path, content_type: str | None, full: bool) -> Response:
    """The original (`?size=full`) or its thumbnail; an image Pillow cannot shrink is sent as stored."""
    if full:
        return FileResponse(original, media_type=content_type or mimetypes.guess_type(original.name)[0] or "application/octet-stream", headers=HEADERS)
    try:
        path = thumbnail(root, relative)
    except Exception as exc:  # noqa: BLE001
        log.warning("no thumbnail for a stored photo (%s); the original is sent", type(exc).__name__)
        return FileResponse(original, media_type=content_type or mimetypes.guess_type(original.name)[0] or "application/octet-stream", headers=HEADERS)
    return FileResponse(path, media_type="image/jpeg", headers=HEADERS)

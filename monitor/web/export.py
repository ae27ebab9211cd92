"""The records export page (`/export`): the same export as `hallwatch export`, as a zip download.

Only ITS admins and the Communications Manager reach it (anyone else signed in gets 403, the page
and the form alike); the form carries the CSRF token; the export is built in a temporary folder by
monitor.records.export (so it is signed and audited the same way), zipped, sent, and removed.
"""
from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from monitor.config import Division
from monitor.db import Database
from monitor.models import Account
from monitor.notify import local_zone
from monitor.records.export import EXPORT_ROLES, FORMATS, ExportError, ExportRequest, Exporter, export_records
from monitor.records.signing import SigningError
from monitor.users import Viewer
from monitor.web import csrf

REFUSED = "Only ITS admins and the Communications Manager may export records."


def _date(form: Any, name: str, label: str) -> date | None:
    raw = str(form.get(name, "")).strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ExportError(f"{label}: {raw[:40]!r} is not a date (YYYY-MM-DD)") from None


def _zip(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")


def export_routes(database: Database, division: Division, *, page: Callable[..., Response],
                  need_viewer: Callable[[Request, Any], Viewer], now: Callable[[], datetime], media_root: Path | None = None) -> list[Route]:
    """The two routes of the page; `page` and `need_viewer` are the app's own (monitor.web.app)."""

    def exporter_of(request: Request) -> tuple[Viewer, list[Account]]:
        with database.sessions() as session:
            viewer = need_viewer(request, session)
            if viewer.role not in EXPORT_ROLES:
                raise HTTPException(403, REFUSED)
            return viewer, list(session.scalars(select(Account).order_by(Account.name)))

    def form_page(request: Request, viewer: Viewer, accounts: list[Account], form: dict[str, str], error: str | None, status: int) -> Response:
        return page(request, "export.html", {"viewer": viewer, "accounts": accounts, "formats": FORMATS, "form": form,
                                             "error": error, "zone": str(local_zone(division))}, status)

    async def export_form(request: Request) -> Response:
        viewer, accounts = exporter_of(request)
        return form_page(request, viewer, accounts, {"format": "pdf"}, None, 200)

    async def export_post(request: Request) -> Response:
        form = await csrf.checked_form(request)
        viewer, accounts = exporter_of(request)
        values = {k: str(form.get(k, ""))[:200] for k in ("account", "format", "from", "to", "item")}
        work = Path(tempfile.mkdtemp(prefix="hallwatch-export-"))
        try:
            item_raw = values["item"].strip()
            if item_raw and not item_raw.isdigit():
                raise ExportError(f"item: {item_raw[:40]!r} is not an item number")
            request_ = ExportRequest(account=values["account"], fmt=values["format"] or "pdf", date_from=_date(form, "from", "from"),
                                     date_to=_date(form, "to", "to"), item_id=int(item_raw) if item_raw else None)
            at = now()
            name = f"records-{request_.account}-{at.astimezone(local_zone(division)):%Y%m%d-%H%M%S}"
            folder = work / name
            await run_in_threadpool(export_records, database, division, request_, Exporter(viewer.email, viewer.role), folder, at,
                                    audit_output="web download", media_root=media_root)
            archive = work / f"{name}.zip"
            await run_in_threadpool(_zip, folder, archive)
        except (ExportError, SigningError) as exc:
            shutil.rmtree(work, ignore_errors=True)
            status = 503 if isinstance(exc, SigningError) else 400
            return form_page(request, viewer, accounts, values, str(exc), status)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        return FileResponse(archive, media_type="application/zip", filename=archive.name,
                            background=BackgroundTask(shutil.rmtree, work, ignore_errors=True))

    return [Route("/export", export_form, methods=["GET"]), Route("/export", export_post, methods=["POST"])]

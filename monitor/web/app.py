"""The web queue (`hallwatch serve`): Starlette + Jinja2, no JavaScript build step.

Every page and form goes through the same functions as the CLI (monitor.queue), scoped to the
signed-in user's accounts; an item outside them is a 404, by link or by typed URL alike.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from monitor import queue
from monitor.commands.queue import marked_text
from monitor.config import Division
from monitor.db import Database
from monitor.models import OUTCOMES, REVIEW_STATES, Account, utcnow
from monitor.notify import CATEGORY_NAMES
from monitor.users import LoginFailed, Viewer, authenticate
from monitor.web import auth, csrf
from monitor.web.export import export_routes

HERE = Path(__file__).parent
SESSION_HOURS = 8
OUTCOME_LABELS = {
    "dismissed": "Dismissed: not a problem", "confirmed_hidden": "Confirmed: hidden on the platform",
    "confirmed_deleted": "Confirmed: deleted on the platform", "confirmed_edited": "Confirmed: edited by the poster",
    "referred": "Confirmed: referred (principal, police, ...)",
}


def highlighted(text: str, findings: list[Any]) -> Markup:
    """The item text, HTML-escaped, with evidence spans in <mark>."""
    return Markup(marked_text(text, findings, "<mark>", "</mark>", lambda s: str(escape(s))))


def safe_link(url: str | None) -> str | None:
    # only web links: a stored permalink is platform data, and javascript: URLs must never render
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


class SecurityHeaders:
    """Headers every response carries: no framing, no sniffing, scripts only from here."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.extend([
                    (b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                    (b"content-security-policy", b"default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
                    (b"cache-control", b"no-store"),
                ])
            await send(message)

        await self.app(scope, receive, add_headers)


def create_app(
    database: Database, division: Division, *, secret_key: str, now: Callable[[], datetime] = utcnow, https: bool | None = None,
    extra_routes: list[BaseRoute] | None = None,
) -> Starlette:
    """The web queue for one division. `now` is the clock (tests pass a fixed one)."""
    if not secret_key or len(secret_key) < 16:
        raise ValueError("secret_key: at least 16 characters (set HALLWATCH_SECRET_KEY)")
    secure = division.base_url.startswith("https://") if https is None else https
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    env.globals.update(category_names=CATEGORY_NAMES, outcome_labels=OUTCOME_LABELS, division_name=division.name)
    env.filters["when"] = lambda m: f"{m:%Y-%m-%d %H:%M}" if m else ""
    templates = Jinja2Templates(env=env)

    def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        context = {"csrf_token": csrf.token(request), "now": now(), **context}
        return templates.TemplateResponse(request, name, context, status_code=status)

    def need_viewer(request: Request, session: Any) -> Viewer:
        viewer = auth.current_viewer(request, session, division)
        if viewer is None:
            raise HTTPException(303, headers={"Location": "/login?" + urlencode({"next": request.url.path})})
        return viewer

    async def login_form(request: Request) -> Response:
        return page(request, "login.html", {"error": None, "email": "", "next": request.query_params.get("next", "/")})

    async def login(request: Request) -> Response:
        form = await csrf.checked_form(request)
        email = str(form.get("email", "")).strip()
        password = str(form.get("password", ""))
        target = str(form.get("next", "/"))
        if not target.startswith("/") or target.startswith("//"):
            target = "/"  # never redirect off-site after sign-in
        if not email or not password:
            field = "email" if not email else "password"
            return page(request, "login.html", {"error": f"{field}: required", "email": email, "next": target}, 400)
        with database.sessions() as session:
            try:
                user = authenticate(session, email, password, now())
            except LoginFailed as exc:
                session.commit()  # the failed attempt counts toward the lockout
                return page(request, "login.html", {"error": str(exc), "email": email, "next": target}, 401)
            session.commit()
            auth.sign_in(request, user)
        csrf.rotate(request)
        return RedirectResponse(target, 303)

    async def logout(request: Request) -> Response:
        await csrf.checked_form(request)
        auth.sign_out(request)
        return RedirectResponse("/login", 303)

    async def queue_view(request: Request) -> Response:
        params = request.query_params
        filters = {k: params.get(k) or None for k in ("account", "category", "state")}
        with database.sessions() as session:
            viewer = need_viewer(request, session)
            try:
                result = queue.list_items(session, viewer, after=params.get("after") or None, **filters)
            except queue.NotFound as exc:
                raise HTTPException(404, str(exc)) from None
            except queue.InvalidInput as exc:
                raise HTTPException(400, str(exc)) from None
            accounts = [a for a in session.scalars(select(Account).order_by(Account.name)) if viewer.may_see(a.name)]
            findings = queue.findings_by_item(session, result.items)
            rows = [{
                "r": r, "text": highlighted(r.item.text, findings[r.item_id]) if r.item is not None else None,
                "link": safe_link(r.item.permalink) if r.item is not None else None, "gap": r.governance,
                "overdue": r.active and r.due_at < now(),
            } for r in result.items]
            next_url = None
            if result.next_cursor:
                next_url = "/?" + urlencode({**{k: v for k, v in filters.items() if v}, "after": result.next_cursor})
            return page(request, "queue.html", {
                "viewer": viewer, "rows": rows, "filters": filters, "accounts": accounts, "states": REVIEW_STATES,
                "categories": list(CATEGORY_NAMES), "next_url": next_url, "flash": request.session.pop("flash", None),
            })

    def item_page(request: Request, session: Any, viewer: Viewer, review_id: int, error: str | None = None, status: int = 200) -> HTMLResponse:
        try:
            review = queue.get_item(session, viewer, review_id)
        except queue.NotFound:
            raise HTTPException(404, "No such item in your queue.") from None
        findings = queue.findings_of(session, review)
        return page(request, "item.html", {
            "viewer": viewer, "r": review, "findings": findings, "gap": review.governance,
            "text": highlighted(review.item.text, findings) if review.item is not None else None,
            "link": safe_link(review.item.permalink) if review.item is not None else None, "history": queue.history(session, review), "outcomes": OUTCOMES,
            "error": error or review.last_error, "flash": request.session.pop("flash", None),
            "overdue": review.active and review.due_at < now(),
        }, status)

    async def item_view(request: Request) -> Response:
        review_id = request.path_params["review_id"]
        with database.sessions() as session:
            viewer = need_viewer(request, session)
            return item_page(request, session, viewer, review_id)

    def version_of(form: Any) -> int | None:
        raw = form.get("version")
        if raw in (None, ""):
            return None
        try:
            return int(str(raw))
        except ValueError:
            raise queue.InvalidInput(f"version: {raw!r} is not a number") from None

    async def item_action(request: Request) -> Response:
        review_id, action = request.path_params["review_id"], request.path_params["action"]
        form = await csrf.checked_form(request)
        with database.sessions() as session:
            viewer = need_viewer(request, session)
        back = str(form.get("back", "")) or f"/items/{review_id}"
        if not back.startswith("/") or back.startswith("//"):
            back = f"/items/{review_id}"
        try:
            version = version_of(form)
            if action == "claim":
                queue.claim(database, viewer, review_id, now(), version)
                message = f"Item {review_id} claimed."
            elif action == "release":
                queue.release(database, viewer, review_id, now(), version)
                message = f"Item {review_id} released."
            elif action == "escalate":
                queue.escalate(database, division, viewer, review_id, now(), str(form.get("note", "")), version)
                message = f"Item {review_id} escalated to the principal and the Communications Manager."
            elif action == "resolve":
                outcome = str(form.get("outcome", ""))
                queue.resolve(database, division, viewer, review_id, outcome, str(form.get("note", "")), now(), version)
                message = f"Item {review_id} resolved: {OUTCOME_LABELS.get(outcome, outcome)}."
            else:
                raise HTTPException(404)
        except queue.NotFound:
            raise HTTPException(404, "No such item in your queue.") from None
        except queue.QueueError as exc:
            status = 400 if isinstance(exc, queue.InvalidInput) else 502 if isinstance(exc, queue.ActionFailed) else 409
            with database.sessions() as session:
                return item_page(request, session, viewer, review_id, str(exc), status)
        request.session["flash"] = message
        return RedirectResponse(back, 303)

    async def bulk_dismiss(request: Request) -> Response:
        form = await csrf.checked_form(request)
        with database.sessions() as session:
            viewer = need_viewer(request, session)
        try:
            ids = [int(str(v)) for v in form.getlist("ids")]
        except ValueError:
            raise HTTPException(400, "ids: not item numbers") from None
        if not ids:
            request.session["flash"] = "ids: select at least one item to dismiss."
            return RedirectResponse("/", 303)
        done, refused = queue.bulk_dismiss(database, viewer, ids, str(form.get("note", "")), now())
        text = f"Dismissed {len(done)} item(s)."
        if refused:
            text += " Not dismissed: " + "; ".join(refused.values())
        request.session["flash"] = text
        return RedirectResponse("/", 303)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code in (301, 302, 303, 307) and exc.headers:
            return RedirectResponse(exc.headers["Location"], exc.status_code)
        return page(request, "error.html", {"status": exc.status_code, "detail": exc.detail}, exc.status_code)

    routes = [
        Route("/", queue_view),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/items/{review_id:int}", item_view),
        Route("/items/{review_id:int}/{action:str}", item_action, methods=["POST"]),
        Route("/bulk-dismiss", bulk_dismiss, methods=["POST"]),
        *export_routes(database, division, page=page, need_viewer=need_viewer, now=now),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        # the platforms' webhooks (monitor.webhooks): signed by the platform, not by a session
        *(extra_routes or []),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(SessionMiddleware, secret_key=secret_key, session_cookie="hallwatch_session", max_age=SESSION_HOURS * 3600, same_site="lax", https_only=secure),
    ]
    return Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error})

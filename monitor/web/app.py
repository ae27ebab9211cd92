"""The web queue (`hallwatch serve`): Starlette + Jinja2, no JavaScript build step.

Every page and form goes through the same functions as the CLI (monitor.queue), scoped to the
signed-in user's accounts; an item outside them is a 404, by link or by typed URL alike.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
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
from monitor.media.store import data_root
from monitor.models import OUTCOMES, REVIEW_STATES, SEVERITY_RANK, Account, utcnow
from monitor.notify import CATEGORY_NAMES, outbox_for, send_pending
from monitor.records.versions import versions_of
from monitor.media.archive import earlier_photos
from monitor.users import LoginFailed, Viewer, authenticate
from monitor.web import auth, csrf, sso
from monitor.web.clauses import quote
from monitor.web.context import WHAT_TO_DO, item_context, reasons
from monitor.web.export import export_routes
from monitor.web.media import media_routes
from monitor.web.times import due_phrase, local
from monitor.web.users import user_routes

HERE = Path(__file__).parent
OUTCOME_LABELS = {
    "dismissed": "Dismissed: not a problem", "confirmed_hidden": "Confirmed: hidden on the platform",
    "confirmed_deleted": "Confirmed: deleted on the platform", "confirmed_edited": "Confirmed: edited by the poster",
    "referred": "Confirmed: referred (principal, police, ...)",
}


def highlighted(text: str, findings: list[Any]) -> Markup:
    """The item text, HTML-escaped, with evidence spans in <mark>."""
    return Markup(marked_text(text, findings, "<mark>", "</mark>", lambda s: str(escape(s))))


# the queue's filters, kept in every link and after every action
FILTERS = ("account", "category", "state", "severity", "platform", "mine", "q")


def safe_back(target: str, default: str) -> str:
    """A same-site path to return to after an action (never another host)."""
    # browsers drop tabs and newlines from URLs ("/\t/evil" is "//evil"), and read "\\" as "/"
    unsafe = target.startswith("//") or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target)
    return target if target.startswith("/") and not unsafe else default


def safe_link(url: str | None) -> str | None:
    # only web links: a stored permalink is platform data, and javascript: URLs must never render
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


CSP = ("default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; "
       "base-uri 'none'; object-src 'none'")
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """Headers every response carries: no framing, no sniffing, scripts only from here, no <base>
    to re-point relative links; behind https, HSTS so a browser never tries plain http again."""

    def __init__(self, app: Any, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                # a route that set its own caching (the photos: private) keeps it; everything else is no-store
                cached = any(name.lower() == b"cache-control" for name, _ in headers)
                headers.extend([
                    (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin"),
                    (b"content-security-policy", CSP.encode()),
                    *([] if cached else [(b"cache-control", b"no-store")]),
                ])
                if not any(name.lower() == b"x-content-type-options" for name, _ in headers):
                    headers.append((b"x-content-type-options", b"nosniff"))
                if self.hsts:
                    headers.append((b"strict-transport-security", HSTS.encode()))
            await send(message)

        await self.app(scope, receive, add_headers)


def create_app(
    database: Database, division: Division, *, secret_key: str, now: Callable[[], datetime] = utcnow, https: bool | None = None,
    extra_routes: list[BaseRoute] | None = None, outbox: Path | None = None, page_size: int = queue.PAGE_SIZE, data_dir: Path | None = None,
) -> Starlette:
    """The web queue for one division. `now` is the clock (tests pass a fixed one); `outbox` is where
    e-mail copies go (default: beside the database, as for the CLI)."""
    if not secret_key or len(secret_key) < 16:
        raise ValueError("secret_key: at least 16 characters (set HALLWATCH_SECRET_KEY)")
    secure = division.base_url.startswith("https://") if https is None else https
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    env.globals.update(category_names=CATEGORY_NAMES, outcome_labels=OUTCOME_LABELS, division_name=division.name)
    zone_name = division.settings.timezone
    env.filters["when"] = lambda m: local(m, zone_name)
    env.globals.update(due_phrase=due_phrase, what_to_do=WHAT_TO_DO, tz_label=zone_name, severities=list(SEVERITY_RANK), undo_minutes=queue.UNDO_MINUTES, count_cap=queue.COUNT_CAP)
    templates = Jinja2Templates(env=env)
    # "Sign in with Microsoft/Google" for the providers in division.yaml (ConfigError: a secret not set)
    sign_on = sso.SignOn(database, division, now)
    env.globals["sso_buttons"] = sign_on.buttons
    mail_outbox = outbox or outbox_for(database, division)
    media_root = data_root(database, division, data_dir)  # where the stored photos are (monitor.media.store)

    def pending_undo(request: Request) -> dict[str, Any] | None:
        """The dismissal this browser may still take back (kept in the signed session), if not expired."""
        undo = request.session.get("undo")
        if not isinstance(undo, dict):
            return None
        try:
            until = datetime.fromisoformat(str(undo["until"]))
        except (KeyError, ValueError):
            until = None
        if until is None or until <= now():
            request.session.pop("undo", None)
            return None
        return undo

    def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        context = {"csrf_token": csrf.token(request), "now": now(), "undo": pending_undo(request), "back_here": here(request), **context}
        return templates.TemplateResponse(request, name, context, status_code=status)

    def here(request: Request) -> str:
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")

    def offer_undo(request: Request, done: list[tuple[int, int]]) -> None:
        if done:
            request.session["undo"] = {"items": [[i, v] for i, v in done], "until": (now() + timedelta(minutes=queue.UNDO_MINUTES)).isoformat()}

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
                user = authenticate(session, email, password, now(), auth.client_address(request))
                if not store.directory_allows(user):
                    raise LoginFailed("wrong e-mail or password")  # inactive in staff.csv: no different answer
            except LoginFailed as exc:
                session.commit()  # the failed attempt counts toward the throttle
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
        filters = {k: params.get(k) or None for k in FILTERS}
        with database.sessions() as session:
            viewer = need_viewer(request, session)
            try:
                result = queue.list_items(
                    session, viewer, account=filters["account"], category=filters["category"], state=filters["state"],
                    severity=filters["severity"], platform=filters["platform"], search=filters["q"],
                    assigned_to=viewer.email if filters["mine"] else None,
                    after=params.get("after") or None, before=params.get("before") or None, limit=page_size,
                )
            except queue.NotFound as exc:
                raise HTTPException(404, str(exc)) from None
            except queue.InvalidInput as exc:
                raise HTTPException(400, str(exc)) from None
            accounts = [a for a in session.scalars(select(Account).order_by(Account.name)) if viewer.may_see(a.name)]
            counts = queue.counts(session, viewer)
            findings = queue.findings_by_item(session, result.items)
            current = {r.id: [f for f in findings[r.item_id] if f.item_version == r.item.version] if r.item is not None else [] for r in result.items}
            rows = [{
                "r": r, "text": highlighted(r.item.text, current[r.id]) if r.item is not None else None,
                "why": queue.reasons_line(current[r.id]),
                "deleted": queue.deleted_label(r),
                "link": safe_link(r.item.permalink) if r.item is not None else None, "gap": r.governance,
                "overdue": r.active and r.due_at < now(),
            } for r in result.items]
            kept = {k: v for k, v in filters.items() if v}
            next_url = "/?" + urlencode({**kept, "after": result.next_cursor}) if result.next_cursor else None
            prev_url = "/?" + urlencode({**kept, "before": result.prev_cursor}) if result.prev_cursor else None
            return page(request, "queue.html", {
                "viewer": viewer, "rows": rows, "filters": filters, "accounts": accounts, "states": REVIEW_STATES,
                "platforms": sorted({a.platform for a in accounts}), "counts": counts, "kept": kept,
                "categories": list(CATEGORY_NAMES), "next_url": next_url, "prev_url": prev_url, "flash": request.session.pop("flash", None),
            })

    def item_page(request: Request, session: Any, viewer: Viewer, review_id: int, error: str | None = None, status: int = 200) -> HTMLResponse:
        try:
            review = queue.get_item(session, viewer, review_id)
        except queue.NotFound:
            raise HTTPException(404, "No such item in your queue.") from None
        findings = queue.findings_of(session, review)
        # evidence spans are offsets into the version they were found on: mark the current version's only
        current = [f for f in findings if review.item is None or f.item_version == review.item.version]
        entries = queue.history(session, review)
        return page(request, "item.html", {
            "viewer": viewer, "r": review, "findings": findings, "gap": review.governance,
            "context": item_context(session, division, review, findings, media_root), "reasons": reasons(findings, CATEGORY_NAMES),
            "escalation_notes": queue.escalation_notes(entries), "gap_clauses": quote(review.governance.clause) if review.governance else [], "back": safe_back(request.query_params.get("back", ""), "/"),
            "text": highlighted(review.item.text, current) if review.item is not None else None,
            "versions": versions_of(session, review.item.id)[:-1] if review.item is not None else [],
            "version_photos": earlier_photos(session, review.item.id, media_root) if review.item is not None else {},
            "deleted": queue.deleted_label(review),
            "link": safe_link(review.item.permalink) if review.item is not None else None, "history": entries, "outcomes": OUTCOMES,
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
        back = safe_back(str(form.get("back", "")), f"/items/{review_id}")
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
                mail = send_pending(database, division, now(), mail_outbox)
                if mail.error:  # the escalation stands; its e-mail waits in the outbox and is retried
                    message += f" The e-mail is not sent yet ({mail.waiting} waiting, retried every minute)."
                else:
                    message += " They have been e-mailed."
            elif action == "resolve":
                outcome = str(form.get("outcome", ""))
                if not outcome:
                    raise queue.InvalidInput("outcome: choose what was done (no outcome is selected for you)")
                resolved = queue.resolve(database, division, viewer, review_id, outcome, str(form.get("note", "")), now(), version)
                message = f"Item {review_id} resolved: {OUTCOME_LABELS.get(outcome, outcome)}."
                if outcome == "dismissed":
                    offer_undo(request, [(resolved.id, resolved.version)])
                    message += f" You can undo this for {queue.UNDO_MINUTES} minutes."
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
        back = safe_back(str(form.get("back", "")), "/")
        ids = list(dict.fromkeys(ids))
        if not ids:
            request.session["flash"] = "ids: select at least one item to dismiss."
            return RedirectResponse(back, 303)
        note = str(form.get("note", ""))
        if form.get("confirm") != "yes":
            # name how many items it will touch before touching any
            with database.sessions() as session:
                rows = []
                for review_id in ids:
                    try:
                        rows.append(queue.get_item(session, viewer, review_id))
                    except queue.NotFound:
                        continue  # not the viewer's: never listed, never dismissed
                return page(request, "confirm_bulk.html", {"viewer": viewer, "rows": rows, "note": note, "back": back})
        done, refused = queue.bulk_dismiss(database, viewer, ids, note, now())
        text = f"Dismissed {len(done)} item(s)."
        if done:
            with database.sessions() as session:
                offer_undo(request, [(i, queue.get_item(session, viewer, i).version) for i in done])
            text += f" You can undo this for {queue.UNDO_MINUTES} minutes."
        if refused:
            text += " Not dismissed: " + "; ".join(refused.values())
        request.session["flash"] = text
        return RedirectResponse(back, 303)

    async def undo(request: Request) -> Response:
        form = await csrf.checked_form(request)
        with database.sessions() as session:
            viewer = need_viewer(request, session)
        back = safe_back(str(form.get("back", "")), "/")
        offered = pending_undo(request)
        if offered is None:
            request.session["flash"] = f"Nothing to undo: a dismissal can be undone for {queue.UNDO_MINUTES} minutes."
            return RedirectResponse(back, 303)
        undone, problems = [], []
        for entry in offered.get("items") or []:
            try:
                review_id, version = int(entry[0]), int(entry[1])
            except (TypeError, ValueError, IndexError):
                continue  # the session is signed; a malformed entry is an old format, not an item
            try:
                queue.undo_dismiss(database, viewer, review_id, now(), version)
                undone.append(str(review_id))
            except queue.QueueError as exc:
                problems.append(str(exc))
        request.session.pop("undo", None)
        text = f"Dismissal undone: item(s) {', '.join(undone)} back in the queue." if undone else "Nothing was undone."
        if problems:
            text += " " + "; ".join(problems)
        request.session["flash"] = text
        return RedirectResponse(back, 303)

    async def favicon(request: Request) -> Response:
        return RedirectResponse("/static/favicon.svg", 301)

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
        *user_routes(database, division, now, page, need_viewer),
        *sign_on.routes(page),
        Route("/undo", undo, methods=["POST"]),
        Route("/favicon.ico", favicon),
        *media_routes(database, division, media_root),  # stored photos (monitor/web/media.py)
        *export_routes(database, division, page=page, need_viewer=need_viewer, now=now, media_root=media_root),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        # the platforms' webhooks (monitor.webhooks): signed by the platform, not by a session
        *(extra_routes or []),
    ]
    middleware = [
        Middleware(SecurityHeaders, hsts=division.base_url.startswith("https://")),
        # the cookie lives as long as the longest session; monitor.web.auth ends sessions sooner
        Middleware(SessionMiddleware, secret_key=secret_key, session_cookie="hallwatch_session", max_age=division.sessions.lifetime_hours * 3600, same_site="lax", https_only=secure),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error})
    store = auth.install(app, database, division, now)
    return app

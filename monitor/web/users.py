"""The account page (everyone: own sessions, "sign out everywhere", password) and the users page
(ITS admins: users, roles, last sign-in, throttled sign-ins and a button to lift them)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from monitor import users
from monitor.config import Division
from monitor.db import Database
from monitor.models import User
from monitor.notify import local_zone
from monitor.users import UserError, Viewer
from monitor.web import auth, csrf

Page = Callable[..., Response]


def user_routes(database: Database, division: Division, now: Callable[[], datetime], page: Page, need_viewer: Callable[[Request, Any], Viewer]) -> list[Route]:
    """/account, /account/sign-out-everywhere, /account/password, /users, /users/throttles/{id}/lift."""
    zone = local_zone(division)

    def local(moment: datetime | None) -> str:
        return f"{moment.astimezone(zone):%Y-%m-%d %H:%M %Z}" if moment else "never"

    def me(session: Any, viewer: Viewer) -> User:
        user = users.find_user(session, viewer.email)
        if user is None:  # removed between the check and now
            raise HTTPException(303, headers={"Location": "/login"})
        return user

    def account_page(request: Request, session: Any, viewer: Viewer, error: str | None = None, status: int = 200) -> Response:
        user = me(session, viewer)
        store = request.app.state.web_sessions
        current = auth.current_session_id(request)
        rows = [{"created": local(s.created_at), "seen": local(s.last_seen_at), "ends": local(s.ends_at), "address": s.address,
                 "agent": s.user_agent, "current": s.id == current} for s in auth.open_sessions(session, user.id, now(), store.idle)]
        return page(request, "account.html", {
            "viewer": viewer, "sessions": rows, "has_password": bool(user.password_hash), "error": error,
            "last_sign_in": local(user.last_sign_in_at), "flash": request.session.pop("flash", None),
        }, status)

    async def account(request: Request) -> Response:
        with database.sessions() as session:
            viewer = need_viewer(request, session)
            return account_page(request, session, viewer)

    async def everywhere(request: Request) -> Response:
        await csrf.checked_form(request)
        with database.sessions() as session:
            user = me(session, need_viewer(request, session))
        auth.sign_out_everywhere(request, user.id)
        return RedirectResponse("/login", 303)

    async def password(request: Request) -> Response:
        form = await csrf.checked_form(request)
        current, new, again = (str(form.get(k, "")) for k in ("current", "new", "confirm"))
        with database.sessions() as session:
            viewer = need_viewer(request, session)
            if new != again:
                return account_page(request, session, viewer, "new password: the two entries differ", 400)
        try:
            with database.transaction() as session:
                user = me(session, viewer)
                users.change_own_password(session, user, current, new, now())
        except UserError as exc:
            with database.sessions() as session:
                return account_page(request, session, viewer, str(exc), 400)
        # every session ended with the old password, this one too; this browser starts afresh
        auth.sign_in(request, user)
        csrf.rotate(request)
        request.session["flash"] = "Password changed; every other browser is signed out."
        return RedirectResponse("/account", 303)

    def need_its(request: Request, session: Any) -> Viewer:
        viewer = need_viewer(request, session)
        if viewer.role != "its_admin":
            raise HTTPException(403, "Only ITS administrators manage users.")
        return viewer

    async def users_view(request: Request) -> Response:
        with database.sessions() as session:
            viewer = need_its(request, session)
            moment = now()
            throttles = users.active_throttles(session, moment)
            blocked = {t.key: t for t in throttles if t.kind == "account"}
            rows = []
            for user in users.list_users(session):
                staff = division.staff_by_email(user.email)
                rows.append({
                    "email": user.email, "name": user.display_name, "role": user.role, "enabled": not user.disabled,
                    "school": staff.school if staff else ("external" if user.external else "not in staff.csv"),
                    "last_sign_in": local(user.last_sign_in_at), "throttle": blocked.get(user.email),
                })
            listed = {r["email"] for r in rows}
            others = [{"id": t.id, "kind": t.kind, "key": t.key if t.kind == "address" or t.key in listed else "(an e-mail with no user)",
                       "failures": t.failures, "until": local(t.blocked_until)} for t in throttles if not (t.kind == "account" and t.key in listed)]
            return page(request, "users.html", {
                "viewer": viewer, "rows": rows, "others": others, "local": local, "flash": request.session.pop("flash", None),
            })

    async def lift(request: Request) -> Response:
        await csrf.checked_form(request)
        with database.sessions() as session:
            viewer = need_its(request, session)
        try:
            with database.transaction() as session:
                users.lift_throttle(session, request.path_params["throttle_id"], viewer.email, now())
        except UserError:
            raise HTTPException(404, "No such throttle (lifted already, or it ran out).") from None
        request.session["flash"] = "Throttle lifted: sign-ins are accepted again."
        return RedirectResponse("/users", 303)

    return [
        Route("/account", account, methods=["GET"]),
        Route("/account/sign-out-everywhere", everywhere, methods=["POST"]),
        Route("/account/password", password, methods=["POST"]),
        Route("/users", users_view, methods=["GET"]),
        Route("/users/throttles/{throttle_id:int}/lift", lift, methods=["POST"]),
    ]

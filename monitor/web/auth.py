"""Sign-in state: which user a request belongs to, read fresh from the database on every request
so that disabling a user takes effect at once."""
from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import Request

from monitor.config import Division
from monitor.models import User
from monitor.users import Viewer, viewer_for


def current_user(request: Request, session: Session) -> User | None:
    user_id = request.session.get("uid")
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    if user is None or user.disabled:
        request.session.clear()
        return None
    return user


def current_viewer(request: Request, session: Session, division: Division) -> Viewer | None:
    user = current_user(request, session)
    return viewer_for(division, user) if user else None


def sign_in(request: Request, user: User) -> None:
    # a fresh session on sign-in: nothing from before (a planted session id or token) carries over
    request.session.clear()
    request.session["uid"] = user.id


def sign_out(request: Request) -> None:
    request.session.clear()

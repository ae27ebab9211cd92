"""CSRF tokens: one random token per session, required in every POSTed form.

The session cookie is SameSite=Lax already; the token also covers same-site subdomains and
browsers without SameSite support. Comparison in constant time.
"""
from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

FIELD = "csrf_token"


def token(request: Request) -> str:
    value = request.session.get("csrf")
    if not value:
        value = secrets.token_urlsafe(32)
        request.session["csrf"] = value
    return value


def rotate(request: Request) -> str:
    request.session["csrf"] = secrets.token_urlsafe(32)
    return request.session["csrf"]


async def checked_form(request: Request) -> FormData:
    """The request's form, or 403 when its CSRF token is missing or wrong."""
    form = await request.form()
    sent = form.get(FIELD)
    expected = request.session.get("csrf")
    # compared as bytes: compare_digest raises TypeError on a non-ASCII str, and a typed-in token is anything
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent.encode("utf-8", "surrogateescape"), str(expected).encode()):
        raise HTTPException(403, "The form's security token is missing or out of date. Reload the page and try again.")
    return form

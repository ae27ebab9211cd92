"""A real OpenID Connect provider on loopback for the sign-in tests: Starlette on uvicorn in a
thread, RS256 ID tokens signed with joserfc.

It serves what Entra ID and Google serve: discovery under the issuer, a JWKS, an /authorize page
(the person picks "Continue as ..."), and /token, which checks the client's secret, the one-use
code, the redirect URI and the PKCE verifier before it hands out an ID token. A test sets who
signs in (`identity`) and may tamper with the next token (`tamper`: claim -> value, None drops
it) or sign it with a stranger's key (`sign_with`) to see each check refuse it.
"""
from __future__ import annotations

import base64
import hashlib
import html
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

TENANT = "9b1c2f4e-5a6d-4e7f-8a9b-0c1d2e3f4a5b"
CLIENT_ID = "5e2f7a10-hallwatch-test-client"
CLIENT_SECRET = "loopback-client-secret-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(app: Any, port: int) -> Iterator[str]:
    """`app` on uvicorn at 127.0.0.1:port in a thread, until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # wait until it listens (readiness, not a timing assertion)
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class LoopbackProvider:
    """Entra ID (`kind="entra"`: issuer /{tenant}/v2.0, a tid claim) or Google (`kind="google"`: hd, email_verified)."""

    def __init__(self, kind: str, redirect_uri: str, now: datetime, *, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        self.kind, self.redirect_uri, self.now = kind, redirect_uri, now
        self.client_id, self.client_secret = client_id, client_secret
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.url}/{TENANT}/v2.0" if kind == "entra" else self.url
        self.key = RSAKey.generate_key(2048, parameters={"kid": "hallwatch-test-1", "use": "sig", "alg": "RS256"}, private=True)
        self.sign_with: RSAKey | None = None
        self.identity: dict[str, Any] = {}
        self.tamper: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests = 0
        self.app = Starlette(routes=[
            Route(self.issuer.removeprefix(self.url) + "/.well-known/openid-configuration", self.discovery),
            Route("/keys", self.jwks),
            Route("/authorize", self.authorize_page, methods=["GET"]),
            Route("/authorize", self.authorize, methods=["POST"]),
            Route("/token", self.token, methods=["POST"]),
        ])

    def sign_in_as(self, email: str, **claims: Any) -> None:
        self.identity = {"email": email, **claims}

    async def discovery(self, request: Request) -> Response:
        return JSONResponse({
            "issuer": self.issuer, "authorization_endpoint": f"{self.url}/authorize", "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/keys", "response_types_supported": ["code"], "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        })

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(KeySet([self.key]).as_dict(private=False))

    async def authorize_page(self, request: Request) -> Response:
        q = request.query_params
        problems = [name for name, ok in (
            ("client_id", q.get("client_id") == self.client_id), ("redirect_uri", q.get("redirect_uri") == self.redirect_uri),
            ("response_type", q.get("response_type") == "code"), ("scope", "openid" in (q.get("scope") or "").split()),
            ("code_challenge_method", q.get("code_challenge_method") == "S256"), ("code_challenge", bool(q.get("code_challenge"))),
            ("state", bool(q.get("state"))), ("nonce", bool(q.get("nonce"))),
        ) if not ok]
        if problems:
            return HTMLResponse(f"<p>bad request: {', '.join(problems)}</p>", 400)
        hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(q[k])}">' for k in ("state", "nonce", "code_challenge", "redirect_uri"))
        who = html.escape(self.identity.get("email", "nobody"))
        return HTMLResponse(f"""<!doctype html><title>Loopback identity provider</title>
<h1>Sign in to your organization</h1><form method="post" action="/authorize">{hidden}
<button id="continue" type="submit">Continue as {who}</button></form>""")

    async def authorize(self, request: Request) -> Response:
        form = await request.form()
        code = secrets.token_urlsafe(24)
        self.codes[code] = {k: str(form.get(k, "")) for k in ("nonce", "code_challenge", "redirect_uri")}
        return RedirectResponse(f"{form['redirect_uri']}?" + urlencode({"code": code, "state": form["state"]}), 302)

    async def token(self, request: Request) -> Response:
        self.token_requests += 1
        form = await request.form()
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = request.headers.get("authorization", "")
        if basic.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
        if client_id != self.client_id or client_secret != self.client_secret:
            return JSONResponse({"error": "invalid_client"}, 401)
        grant = self.codes.pop(str(form.get("code", "")), None)  # one use
        if form.get("grant_type") != "authorization_code" or grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, 400)
        digest = hashlib.sha256(str(form.get("code_verifier", "")).encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["code_challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE verifier"}, 400)
        return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 3600, "id_token": self.id_token(grant["nonce"])})

    def id_token(self, nonce: str) -> str:
        issued = int(self.now.timestamp())
        email = self.identity.get("email", "nobody@example.invalid")
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": self.client_id, "sub": hashlib.sha256(email.encode()).hexdigest()[:32],
            "iat": issued, "nbf": issued, "exp": issued + 3600, "nonce": nonce, "name": "Test Person",
        }
        if self.kind == "entra":
            claims |= {"tid": TENANT, "preferred_username": email, "email": email, "ver": "2.0"}
        else:
            claims |= {"email": email, "email_verified": True, "hd": email.rpartition("@")[2]}
        claims |= {k: v for k, v in self.identity.items() if k != "email"}
        for key, value in self.tamper.items():
            if value is None:
                claims.pop(key, None)
            else:
                claims[key] = value
        key = self.sign_with or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)

    @contextmanager
    def running(self) -> Iterator[LoopbackProvider]:
        with serving(self.app, self.port):
            yield self

"""Sign in with Microsoft (Entra ID), Google, or another OpenID Connect provider.

The authorization-code flow with state, nonce and PKCE: authlib builds the authorization request
and exchanges the code; the ID token is then checked here, claim by claim, with joserfc against
the provider's JWKS (from its `.well-known/openid-configuration`): the RS256 signature, `iss`,
`aud`, `exp`/`iat`, the nonce, and for Entra ID the tenant (`tid`), for Google the Workspace
hosted domain (`hd`) and `email_verified`. An ID token is trusted only after all of that.

The e-mail must then be an active staff member's in staff.csv, read again at each sign-in so a
departure recorded there takes effect without a restart; nobody outside the directory gets in.
A user row is created or updated with the role `sso.roles` maps their staff role to, audited,
and the session starts through `monitor.web.auth.sign_in` only (whatever a session becomes).

Every failure shows the same calm message; the log says which check failed, never the token,
the code or the e-mail address.
"""
from __future__ import annotations

import json
import logging
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.common.errors import AuthlibBaseError
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from monitor.config import DIVISION_FILE, STAFF_FILE, Division, SsoProvider, load_directory
from monitor.db import Database
from monitor.errors import ConfigError, HallwatchError, Problem
from monitor.models import AuditEntry, User
from monitor.users import add_user, find_user
from monitor.web import auth, csrf

with warnings.catch_warnings():
    # authlib 1.9 prefers the httpx2 fork and warns (on stderr, outside serve's JSON log) when it
    # falls back to httpx, which hallwatch pins and uses everywhere; the fallback is supported.
    # authlib.deprecate puts an "always" filter first when imported: import it before ours
    import authlib.deprecate  # noqa: F401
    warnings.filterwarnings("ignore", message="The httpx module is deprecated", category=DeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client

log = logging.getLogger("hallwatch.sso")

FLOWS_KEY = "sso_flows"
MAX_FLOWS = 5  # sign-ins started and not finished (several tabs); the oldest is dropped
FLOW_LIFETIME = timedelta(minutes=10)
METADATA_LIFETIME = 3600.0  # seconds; the JWKS is fetched again at once for a key id it lacks
LEEWAY = 120  # seconds of clock difference allowed on exp and iat
MAX_RESPONSE = 1 << 20  # a provider's discovery document or JWKS
HTTP_TIMEOUT = httpx.Timeout(10.0)
CALM = "Signing in with {provider} did not work. Please try again; if it keeps happening, ask ITS."
ALGORITHMS = ["RS256"]


class SsoFailed(HallwatchError):
    """A sign-in refused; the message is the reason for the log (no token, code or address)."""


@dataclass
class Provider:
    """A configured provider with its secret resolved, and its discovery document and keys cached."""

    config: SsoProvider
    client_secret: str
    domains: frozenset[str]
    metadata: dict[str, Any] | None = None
    metadata_at: float = 0.0
    keys: KeySet | None = None
    keys_at: float = 0.0

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def issuer(self) -> str:
        return self.config.issuer_url()

    async def discovery(self) -> dict[str, Any]:
        if self.metadata is None or time.monotonic() - self.metadata_at > METADATA_LIFETIME:
            document = await _get_json(f"{self.issuer}/.well-known/openid-configuration")
            # OpenID Connect Discovery 4.3: the document's issuer is exactly the one configured
            if document.get("issuer") != self.issuer:
                raise SsoFailed("the discovery document names another issuer")
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                value = document.get(key)
                if not isinstance(value, str) or not re.match(r"^https?://", value):
                    raise SsoFailed(f"the discovery document has no usable {key}")
            self.metadata, self.metadata_at = document, time.monotonic()
        return self.metadata

    async def key_set(self, refresh: bool = False) -> KeySet:
        if refresh or self.keys is None or time.monotonic() - self.keys_at > METADATA_LIFETIME:
            metadata = await self.discovery()
            document = await _get_json(metadata["jwks_uri"])
            try:
                keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError) as exc:
                raise SsoFailed(f"the provider's JWKS is not usable ({type(exc).__name__})") from None
            self.keys, self.keys_at = keys, time.monotonic()
        return self.keys


def providers_for(division: Division) -> dict[str, Provider]:
    """The configured providers with their client secrets; ConfigError naming the field when one is not set."""
    providers: dict[str, Provider] = {}
    problems: list[Problem] = []
    for provider in division.sso.providers:
        secret = division.secret(provider.client_secret)
        if not secret:
            kind, _, key = provider.client_secret.partition(":")
            where = "the environment" if kind == "env" else f"the credentials file ({division.credentials_file() or 'none configured'})"
            problems.append(Problem(DIVISION_FILE, None, f"sso.providers[{provider.name}].client_secret", f"{provider.client_secret}: {key} is not set in {where}"))
            continue
        domains = frozenset(d.lower() for d in provider.allowed_domains) or frozenset({division.email_domain.lower()})
        providers[provider.name] = Provider(provider, secret, domains)
    if problems:
        raise ConfigError(problems)
    return providers


async def _get_json(url: str) -> dict[str, Any]:
    """A JSON object from the provider, at most MAX_RESPONSE bytes; SsoFailed for anything else."""
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT, follow_redirects=False) as client:
            async with client.stream("GET", url, headers={"Accept": "application/json"}) as response:
                if response.status_code != 200:
                    raise SsoFailed(f"the provider answered {response.status_code} for {url}")
                body = b""
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_RESPONSE:
                        raise SsoFailed(f"the provider's answer for {url} is larger than {MAX_RESPONSE} bytes")
    except httpx.HTTPError as exc:
        raise SsoFailed(f"the provider could not be reached ({type(exc).__name__}) at {url}") from None
    try:
        document = json.loads(body)
    except ValueError:
        raise SsoFailed(f"the provider's answer for {url} is not JSON") from None
    if not isinstance(document, dict):
        raise SsoFailed(f"the provider's answer for {url} is not a JSON object")
    return document


def safe_target(target: str | None) -> str:
    """Only a path on this site after sign-in: never `//host`, `/\\host` or an absolute URL."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or any(c in target for c in "\r\n\t\\"):
        return "/"
    return target[:2000]


def pending(request: Request) -> dict[str, Any]:
    """The sign-ins this browser started and has not finished, by state."""
    flows = request.session.get(FLOWS_KEY)
    return dict(flows) if isinstance(flows, dict) else {}


def redirect_uri(division: Division, provider: Provider) -> str:
    return f"{division.base_url}/auth/{provider.name}/callback"


async def check_id_token(provider: Provider, id_token: str, nonce: str, now: datetime) -> dict[str, Any]:
    """The ID token's claims once signature, issuer, audience, times, nonce, tenant or hosted domain hold."""
    if not isinstance(id_token, str) or len(id_token) > 16_384:
        raise SsoFailed("the token response has no usable id_token")
    keys = await provider.key_set()
    try:
        try:
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        except InvalidKeyIdError:
            # a key id the cached JWKS lacks: the provider may have rotated its keys
            token = jwt.decode(id_token, await provider.key_set(refresh=True), algorithms=ALGORITHMS)
        registry = jwt.JWTClaimsRegistry(
            now=int(now.timestamp()), leeway=LEEWAY,
            iss={"essential": True, "value": provider.issuer}, aud={"essential": True, "value": provider.config.client_id},
            exp={"essential": True}, iat={"essential": True}, sub={"essential": True}, nonce={"essential": True, "value": nonce},
        )
        registry.validate(token.claims)
    except ExpiredTokenError:
        raise SsoFailed("the ID token has expired") from None
    except ClaimError as exc:
        raise SsoFailed(f"the ID token's {exc.claim} claim is not valid ({exc.error}: {exc.description})") from None
    except JoseError as exc:
        raise SsoFailed(f"the ID token is not valid ({exc.error}: {exc.description or ''})") from None
    except (ValueError, TypeError) as exc:
        raise SsoFailed(f"the ID token cannot be read ({type(exc).__name__})") from None
    claims = dict(token.claims)
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != provider.config.client_id:
        raise SsoFailed("the ID token is for several audiences and azp is not this client")
    kind = provider.config.kind
    if kind == "entra" and str(claims.get("tid", "")).lower() != (provider.config.tenant_id or "").lower():
        raise SsoFailed("the ID token is from another Entra ID tenant (tid)")
    if kind == "google" and str(claims.get("hd", "")).lower() not in provider.domains:
        raise SsoFailed("the Google account is not in one of the division's Workspace domains (hd)")
    verified = claims.get("email_verified")
    if (kind != "entra" and verified is not True) or verified is False:
        raise SsoFailed("the provider does not vouch for the e-mail address (email_verified)")
    return claims


def email_of(provider: Provider, claims: dict[str, Any]) -> str:
    """The work e-mail in the claims (Entra ID may give it only as preferred_username)."""
    email = claims.get("email")
    if not email and provider.config.kind == "entra":
        email = claims.get("preferred_username")
    if not isinstance(email, str) or not re.fullmatch(r"[^@\s]{1,100}@[^@\s]{1,100}", email):
        raise SsoFailed("the ID token carries no e-mail address")
    email = email.lower()
    if email.rpartition("@")[2] not in provider.domains:
        raise SsoFailed("the e-mail address is not in the provider's allowed_domains")
    return email


def admit(session: Session, division: Division, provider: Provider, email: str, now: datetime) -> User:
    """The user for an active staff member, created or brought up to date and audited; SsoFailed otherwise."""
    try:
        directory = load_directory(division.directory_path)
    except ConfigError:
        raise SsoFailed(f"{STAFF_FILE} cannot be read; nobody is let in until it is fixed") from None
    staff = next((s for s in directory.staff if s.email == email), None)
    refused = None
    if staff is None:
        refused = f"not in {STAFF_FILE}"
    elif not staff.active:
        refused = f"inactive in {STAFF_FILE}"
    elif staff.role not in division.sso.roles:
        refused = f"staff role {staff.role!r} has no queue role in sso.roles"
    if refused or staff is None:
        session.add(AuditEntry(at=now, actor=f"sso:{provider.name}", action="sso_refused", entity_type="user", entity_id=email, before=None, after={"reason": refused}))
        raise SsoFailed(f"the address is {refused}")
    role = division.sso.roles[staff.role]
    display_name = f"{staff.first_name} {staff.last_name}".strip()
    user = find_user(session, email)
    if user is None:
        user = add_user(session, division, email, display_name, role, None, f"sso:{provider.name}", now)
    elif user.disabled:
        raise SsoFailed("the user is disabled in hallwatch")
    elif user.role != role or user.display_name != display_name:
        before = {"role": user.role, "display_name": user.display_name}
        user.role, user.display_name = role, display_name
        session.add(AuditEntry(at=now, actor=f"sso:{provider.name}", action="user_update", entity_type="user", entity_id=email, before=before, after={"role": role, "display_name": display_name}))
    session.add(AuditEntry(at=now, actor=email, action="sign_in_sso", entity_type="user", entity_id=email, before=None, after={"provider": provider.name, "role": role}))
    return user


class SignOn:
    """The /auth/{provider}/login and /auth/{provider}/callback routes for the configured providers."""

    def __init__(self, database: Database, division: Division, now: Callable[[], datetime]) -> None:
        self.database, self.division, self.now = database, division, now
        self.providers = providers_for(division)
        # states already brought back, kept past FLOW_LIFETIME: the session is a signed cookie, and a
        # copy of it taken before the callback still holds the flow; this refuses that copy too
        self.used_states: dict[str, float] = {}

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [{"name": p.name, "label": f"Sign in with {p.config.button}", "kind": p.config.kind} for p in self.providers.values()]

    def routes(self, page: Callable[..., Response]) -> list[BaseRoute]:
        self.page = page
        return [
            Route("/auth/{provider:str}/login", self.start, methods=["GET"]),
            Route("/auth/{provider:str}/callback", self.callback, methods=["GET"]),
        ]

    def provider_of(self, request: Request) -> Provider:
        provider = self.providers.get(request.path_params["provider"])
        if provider is None:
            raise HTTPException(404, "No such sign-in provider.")
        return provider

    def refused(self, request: Request, provider: Provider, reason: str) -> Response:
        log.warning("single sign-on refused", extra={"event": "sso_refused", "provider": provider.name, "reason": reason})
        return self.page(request, "login.html", {"error": CALM.format(provider=provider.config.button), "email": "", "next": "/"}, 401)

    def first_use(self, state: str) -> bool:
        clock = time.monotonic()
        keep = 2 * FLOW_LIFETIME.total_seconds()
        for old in [s for s, at in self.used_states.items() if clock - at > keep]:
            del self.used_states[old]
        if state in self.used_states:
            return False
        self.used_states[state] = clock
        return True

    async def start(self, request: Request) -> Response:
        provider = self.provider_of(request)
        try:
            metadata = await provider.discovery()
        except SsoFailed as exc:
            return self.refused(request, provider, str(exc))
        state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
        flows = {k: v for k, v in pending(request).items() if isinstance(v, dict)}
        while len(flows) >= MAX_FLOWS:
            flows.pop(min(flows, key=lambda k: flows[k].get("t", 0)))
        flows[state] = {"p": provider.name, "n": nonce, "v": verifier, "next": safe_target(request.query_params.get("next")), "t": self.now().timestamp()}
        request.session[FLOWS_KEY] = flows
        client = AsyncOAuth2Client(
            client_id=provider.config.client_id, redirect_uri=redirect_uri(self.division, provider),
            scope="openid email profile", code_challenge_method="S256",
        )
        extra: dict[str, str] = {"prompt": "select_account"}
        if provider.config.kind == "google":
            extra["hd"] = sorted(provider.domains)[0]  # a hint to Google's account chooser; the hd claim is what is checked
        url, _ = client.create_authorization_url(metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier, **extra)
        return RedirectResponse(url, 303)

    async def callback(self, request: Request) -> Response:
        provider = self.provider_of(request)
        params = request.query_params
        flows = pending(request)
        # one use only: the state leaves the session whatever happens next
        flow = flows.pop(str(params.get("state", "")), None)
        request.session[FLOWS_KEY] = flows
        if not isinstance(flow, dict) or flow.get("p") != provider.name:
            return self.refused(request, provider, "unknown or already used state")
        if not self.first_use(str(params["state"])):
            return self.refused(request, provider, "a state already used (a replayed session cookie)")
        if self.now().timestamp() - float(flow.get("t", 0)) > FLOW_LIFETIME.total_seconds():
            return self.refused(request, provider, "the sign-in took longer than 10 minutes")
        if params.get("error"):
            code = re.sub(r"[^a-z_]", "", str(params["error"]).lower())[:40]
            return self.refused(request, provider, f"the provider returned error {code}")
        code = params.get("code")
        if not code or len(code) > 4096:
            return self.refused(request, provider, "no authorization code")
        try:
            metadata = await provider.discovery()
            methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
            auth_method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
            async with AsyncOAuth2Client(
                client_id=provider.config.client_id, client_secret=provider.client_secret,
                token_endpoint_auth_method=auth_method, timeout=HTTP_TIMEOUT,
            ) as client:
                token = await client.fetch_token(
                    metadata["token_endpoint"], grant_type="authorization_code", code=code,
                    redirect_uri=redirect_uri(self.division, provider), code_verifier=flow["v"],
                )
            claims = await check_id_token(provider, token.get("id_token"), str(flow["n"]), self.now())
            email = email_of(provider, claims)
            with self.database.sessions() as session:
                try:
                    user = admit(session, self.division, provider, email, self.now())
                finally:
                    session.commit()  # a refusal is audited too
                auth.sign_in(request, user)
        except SsoFailed as exc:
            return self.refused(request, provider, str(exc))
        except AuthlibBaseError as exc:
            # OAuthError from the token endpoint's answer (invalid_grant, invalid_client, ...)
            return self.refused(request, provider, f"the token endpoint refused the code ({re.sub(r'[^a-z_]', '', str(exc.error).lower())[:40]})")
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            return self.refused(request, provider, f"the token exchange failed ({type(exc).__name__})")
        csrf.rotate(request)
        log.info("single sign-on", extra={"event": "sso_sign_in", "provider": provider.name})
        return RedirectResponse(str(flow.get("next") or "/"), 303)


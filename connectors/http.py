"""Shared httpx request step for the connectors that speak plain JSON over HTTP (Instagram, YouTube).

Maps the platforms' answers onto the connector errors: 401 or Graph code 190 -> CredentialsError
naming the account; 429, 503 with Retry-After, Graph codes 4/17/32/613 and YouTube
`rateLimitExceeded`/`quotaExceeded` -> retried by the Throttle (Retry-After honoured, else backoff);
anything else non-2xx (a 503 without Retry-After too) -> ResponseError. Bodies are streamed under
the account's FetchBudget (deadline, size cap; connectors/limits.py); a body that is not whole
JSON is a ResponseError. Messages never contain the URL (it may carry the token) or the body.
"""
from __future__ import annotations

import json
from typing import Any

import httpx

from connectors.base import AccountRef, CredentialsError, ResponseError
from connectors.limits import Answer, rate_limit_wait, read_httpx
from connectors.ratelimit import GRAPH_RATE_LIMIT_CODES, Throttle


class _Limited(Exception):
    def __init__(self, wait: float) -> None:
        self.wait = wait


def _error_info(response: Answer) -> tuple[Any, str]:
    try:
        error = json.loads(response.content).get("error") or {}
    except (ValueError, AttributeError):
        return None, ""
    if not isinstance(error, dict):
        return None, ""
    reasons = " ".join(str(e.get("reason", "")) for e in error.get("errors", []) if isinstance(e, dict))
    return error.get("code"), reasons


def get_json(client: httpx.Client, throttle: Throttle, account: AccountRef, platform: str, url: str, params: dict[str, Any] | None = None, *, method: str = "GET", headers: dict[str, str] | None = None) -> dict:
    """One API call with rate-limit handling, within the account's budget; returns the decoded JSON object."""
    budget = throttle.budget_for(account, platform)

    def once() -> Answer:
        response = read_httpx(client, budget, method, url, params=params, headers=headers)
        throttle.observe(platform, response.headers)
        code, reasons = _error_info(response) if response.status_code >= 400 else (None, "")
        wait = rate_limit_wait(response.status_code, response.headers, throttle.now)
        if wait is not None:
            raise _Limited(wait)
        if code in GRAPH_RATE_LIMIT_CODES or "rateLimitExceeded" in reasons or "quotaExceeded" in reasons:
            raise _Limited(0.0)
        return response

    try:
        response = throttle.call(platform, once, lambda exc: exc.wait if isinstance(exc, _Limited) else None)
    except httpx.HTTPError as exc:
        budget.check()  # a read that timed out at the deadline is the deadline's failure
        raise ResponseError(f"account {account.name}: {platform} API unreachable ({type(exc).__name__})") from None
    code, _ = _error_info(response) if response.status_code >= 400 else (None, "")
    if response.status_code == 401 or code == 190:
        raise CredentialsError(f"account {account.name}: {platform} token expired or invalid; renew it")
    if response.status_code == 503:
        raise ResponseError(f"account {account.name}: {platform} API unavailable (HTTP 503 without Retry-After); the next run tries again")
    if response.status_code >= 400:
        raise ResponseError(f"account {account.name}: {platform} API answered HTTP {response.status_code}" + (f" (code {code})" if code else ""))
    if response.status_code == 204:  # e.g. YouTube's setModerationStatus: done, nothing to say
        return {}
    try:
        data = json.loads(response.content)
    except ValueError:
        raise ResponseError(f"account {account.name}: {platform} API sent a body that is not whole JSON (cut off or malformed)") from None
    if not isinstance(data, dict):
        raise ResponseError(f"account {account.name}: {platform} API sent JSON that is not an object")
    return data

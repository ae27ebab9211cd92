"""Polite use of the platforms' rate limits: read usage headers, slow down, back off, give up.

X sends `x-rate-limit-limit/remaining/reset` on every v2 response; the Graph API (Facebook and
Instagram) sends `X-App-Usage` and `X-Business-Use-Case-Usage` with percentages of the hourly
budget. A connector hands every response's headers to `Throttle.observe`, which sleeps *before*
the limit is hit, and wraps each call in `Throttle.call`, which retries rate-limit errors with
exponential backoff and jitter and raises RateLimitError after `max_tries`. A wait the server
names (Retry-After, X's reset time) is honoured as given; without one the backoff doubles.

Each public connector operation starts with `begin(account, platform)`: it clears the events and
starts the operation's `FetchBudget` (connectors/limits.py). No wait may reach past its deadline:
one that would fails the account now (RateLimitError), rather than sleeping past it.

The sleep function, the random source and the clock are injected so tests never sleep for real.
Every wait is appended to the run's events as a short string without personal data.
"""
from __future__ import annotations

import json
import random
import time
from typing import Any, Callable, Mapping, TypeVar

from connectors.base import AccountRef, RateLimitError
from connectors.limits import FetchBudget

T = TypeVar("T")

# Graph API error codes that mean "too many calls" (app, user, page, page-per-app limits)
GRAPH_RATE_LIMIT_CODES = frozenset({4, 17, 32, 613})


class Throttle:
    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        now: Callable[[], float] = time.time,
        max_tries: int = 4,
        base_delay: float = 2.0,
        max_delay: float = 120.0,
        slow_at_percent: float = 90.0,
        slow_delay: float = 30.0,
    ) -> None:
        self.sleep = sleep
        self.rand = rand
        self.now = now
        self.max_tries = max_tries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.slow_at_percent = slow_at_percent
        self.slow_delay = slow_delay
        self.events: list[str] = []
        self.budget: FetchBudget | None = None

    def begin(self, account: AccountRef, platform: str) -> FetchBudget:
        """Start one operation for `account`: fresh events, a fresh deadline."""
        self.events = []
        self.budget = FetchBudget(account, platform)
        return self.budget

    def budget_for(self, account: AccountRef, platform: str) -> FetchBudget:
        """The running operation's budget, or a new one when none was begun for this account."""
        if self.budget is None or self.budget.account != account.name:
            self.budget = FetchBudget(account, platform)
        return self.budget

    def _wait(self, seconds: float, why: str) -> None:
        seconds = max(0.0, seconds)
        budget = self.budget
        if budget is not None and seconds > budget.remaining():
            left = max(0.0, budget.remaining())
            self.events.append(f"{why}; a wait of {seconds:.1f}s does not fit the {left:.1f}s left of the deadline")
            error = RateLimitError(
                f"account {budget.account}: {why}; the {seconds:.0f} s wait asked for does not fit in the {left:.0f} s "
                f"left of the fetch deadline (options.fetch_deadline_seconds); the next run tries again"
            )
            error.events = list(self.events)  # type: ignore[attr-defined]
            raise error
        self.events.append(f"{why}; waited {seconds:.1f}s")
        self.sleep(seconds)

    def observe(self, platform: str, headers: Mapping[str, str] | None) -> None:
        """Slow down when the last response says the budget is nearly spent."""
        if not headers:
            return
        lower = {str(k).lower(): v for k, v in headers.items()}
        if "x-rate-limit-remaining" in lower:
            self._observe_x(platform, lower)
        usage = max(graph_usage_percent(lower.get("x-app-usage")), graph_usage_percent(lower.get("x-business-use-case-usage")))
        if usage >= self.slow_at_percent:
            # The Graph budget refills over an hour; pausing lets a little of it come back.
            self._wait(min(self.slow_delay, self.max_delay), f"{platform}: app usage at {usage:.0f}%")

    def _observe_x(self, platform: str, headers: Mapping[str, str]) -> None:
        try:
            limit = int(headers.get("x-rate-limit-limit", "0"))
            remaining = int(headers["x-rate-limit-remaining"])
            reset = float(headers.get("x-rate-limit-reset", "0"))
        except (TypeError, ValueError):
            return
        # keep a small reserve (5%, at least one call) so the next endpoint still answers
        if limit and remaining <= max(1, limit // 20):
            self._wait(min(reset - self.now() + 1, self.max_delay), f"{platform}: {remaining}/{limit} calls left in window")

    def call(self, platform: str, fn: Callable[[], T], is_rate_limited: Callable[[BaseException], float | None]) -> T:
        """Run `fn`, retrying when `is_rate_limited(exc)` returns a wait (0 = none named: back off)."""
        for attempt in range(1, self.max_tries + 1):
            try:
                return fn()
            except Exception as exc:  # noqa: BLE001 - classified just below, re-raised otherwise
                hint = is_rate_limited(exc)
                if hint is None:
                    raise
                if attempt == self.max_tries:
                    self.events.append(f"{platform}: rate limited, gave up after {attempt} tries")
                    who = f"account {self.budget.account}: " if self.budget is not None else ""
                    error = RateLimitError(f"{who}{platform}: rate limit still reached after {attempt} tries; the next run tries again")
                    # no FetchResult comes back on failure; the run can record the waits from here
                    error.events = list(self.events)  # type: ignore[attr-defined]
                    raise error from None
                if hint > 0:
                    # the server named the moment: wait that long, a little more so clients spread out
                    delay = hint * (1.0 + 0.1 * self.rand())
                else:
                    backoff = self.base_delay * (2 ** (attempt - 1))
                    delay = min(backoff * (1.0 + 0.5 * self.rand()), self.max_delay)  # jitter spreads retries apart
                self._wait(delay, f"{platform}: rate limited (try {attempt}/{self.max_tries})")
        raise AssertionError("unreachable")


def graph_usage_percent(value: Any) -> float:
    """Highest percentage in an `X-App-Usage` or `X-Business-Use-Case-Usage` header (0 when absent)."""
    if not value:
        return 0.0
    try:
        data = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return 0.0
    found: list[float] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, val in node.items():
                if key in ("call_count", "total_cputime", "total_time") and isinstance(val, (int, float)):
                    found.append(float(val))
                else:
                    walk(val)
        elif isinstance(node, list):
            for val in node:
                walk(val)

    walk(data)
    return max(found, default=0.0)


def x_reset_wait(headers: Mapping[str, str] | None, now: float) -> float:
    """Seconds until the X window resets, from a 429 response's headers (0 when unknown)."""
    if not headers:
        return 0.0
    try:
        return max(0.0, float(headers.get("x-rate-limit-reset", "0")) - now)
    except ValueError:
        return 0.0

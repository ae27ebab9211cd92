"""Turn a response of an unexpected shape into ResponseError, so one odd answer fails one account.

Any ConnectorError leaving a fetch carries the waits recorded so far (`events`), so the run records
them even though no FetchResult comes back.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from connectors.base import AccountRef, ConnectorError, ResponseError

F = TypeVar("F", bound=Callable[..., Any])


def reads_platform_shapes(method: F) -> F:
    """Wrap a connector's `fetch(self, account, cursor)`: KeyError/TypeError/ValueError become ResponseError."""

    @functools.wraps(method)
    def wrapper(self: Any, account: AccountRef, *args: Any, **kwargs: Any) -> Any:
        try:
            try:
                return method(self, account, *args, **kwargs)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                # the type and the missing key only: the body may hold personal data
                detail = f"missing field {exc.args[0]!r}" if isinstance(exc, KeyError) and exc.args else type(exc).__name__
                raise ResponseError(f"account {account.name}: {self.platform} sent a response of an unexpected shape ({detail})") from None
        except ConnectorError as exc:
            throttle = getattr(self, "throttle", None)
            if not hasattr(exc, "events") and throttle is not None:
                exc.events = list(throttle.events)  # type: ignore[attr-defined]
            raise

    return wrapper  # type: ignore[return-value]

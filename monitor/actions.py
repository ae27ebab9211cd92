"""Platform actions from the queue: hide or delete a comment, hide a reply, through the connectors.

The connector does the platform's work (`hide(account, platform_id)`, `delete(account,
platform_id)`); this module decides what is allowed and turns any failure into ActionError with
a message a moderator can act on. Recording the result is the caller's job (monitor.queue).
"""
from __future__ import annotations

from collections.abc import Callable

from connectors.base import AccountRef, Connector, ConnectorError
from connectors.registry import get_connector
from monitor.config import Division
from monitor.errors import HallwatchError

# outcome -> platform action
ACTION_FOR_OUTCOME = {"confirmed_hidden": "hide", "confirmed_deleted": "delete"}
# what the queue may do to each kind of item (procedures: hide or delete a comment, hide a reply)
ALLOWED = {"comment": ("hide", "delete"), "reply": ("hide",)}


class ActionError(HallwatchError):
    """The platform action did not happen; the item stays open with this message."""


def perform(
    division: Division,
    account_name: str,
    kind: str,
    platform_id: str,
    action: str,
    connector_for: Callable[[AccountRef], Connector] = get_connector,
    on_usage: Callable[[dict[str, int]], None] | None = None,
) -> str:
    """Do `action` on the platform; returns a short description of what was done, or raises ActionError.

    `on_usage` receives what a metered API counted for the action (YouTube: 50 quota units), if anything."""
    if action not in ALLOWED.get(kind, ()):
        allowed = ", ".join(ALLOWED.get(kind, ())) or "nothing"
        raise ActionError(f"a {kind} cannot be {'hidden' if action == 'hide' else 'deleted'} from the queue (allowed: {allowed}); do it on the platform and resolve as edited or referred")
    # imported here: monitor.runs imports routing, which would make a cycle at import time
    from monitor.runs import account_ref

    ref = account_ref(division, division.account(account_name))
    try:
        connector = connector_for(ref)
        method = getattr(connector, action, None)
        if method is None:
            raise ActionError(f"the {ref.platform} connector cannot {action} items")
        method(ref, platform_id)
    except ConnectorError as exc:
        raise ActionError(f"{action} failed on {ref.platform}: {exc}") from exc
    spent = getattr(connector, "last_usage", None)
    if on_usage is not None and isinstance(spent, dict) and spent:
        on_usage(spent)
    return f"{action} {kind} {platform_id} on {ref.platform}"

"""Times as people read them: the division's time zone (division.timezone), and "due in 3 h".

Everything is stored in UTC (monitor.models.UTCDateTime); the web pages and the CLI's queue
output turn it into local time here, so a principal never has to convert from UTC.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local(moment: datetime | None, timezone: str, *, with_zone: bool = True) -> str:
    """"2026-11-23 02:00 MST" (or "" for None): the moment in the division's time zone."""
    if moment is None:
        return ""
    here = moment.astimezone(zone(timezone))
    return f"{here:%Y-%m-%d %H:%M} {here.tzname()}" if with_zone else f"{here:%Y-%m-%d %H:%M}"


def span(minutes: int) -> str:
    """A rounded duration: "25 min", "3 h", "2 d 4 h"."""
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    days, rest = divmod(hours, 24)
    return f"{days} d {rest} h" if rest else f"{days} d"


def due_phrase(due_at: datetime, now: datetime, active: bool = True) -> str:
    """"due in 3 h" or "overdue 2 h" (to the minute, rounded down); "" once the item is resolved."""
    if not active:
        return ""
    seconds = (due_at - now).total_seconds()
    minutes = int(abs(seconds) // 60)
    if seconds >= 0:
        return f"due in {span(minutes)}" if minutes else "due now"
    return f"overdue {span(minutes)}" if minutes else "due now"

"""The service's clock: now as an instant, and today as a calendar day in the service's time zone (handlers read
it and pass it to the domain with the command; applying an event never reads it)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def now() -> datetime:
    return datetime.now(UTC)


def today(time_zone: str, at: datetime | None = None) -> date:
    """The calendar day it is (or was at `at`) in the named zone: 23:30 UTC on a summer evening is tomorrow in
    London."""
    return (at or now()).astimezone(zone(time_zone)).date()

"""Time zones: a budget's days are the days its people live in.

A budget names an IANA zone (``America/New_York``, default ``UTC``). Its calendar
(period bounds, start date) is kept as naive wall-clock times in that zone: period k
starts at local midnight, so a week across a DST change is still 7 days. "Now" for a
budget is the wall-clock time in its zone.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain.errors import validation

UTC = "UTC"


@lru_cache(maxsize=None)
def _names() -> frozenset[str]:
    return frozenset(available_timezones()) | {UTC}


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def time_zone(value: object, *field: str) -> str:
    """An IANA time zone name, as given (``America/New_York``); VALIDATION otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise validation("timeZone must be an IANA time zone name such as America/New_York", *field)
    name = value.strip()
    if name not in _names():
        raise validation(f"Unknown time zone {name!r}: use an IANA name such as America/New_York or UTC", *field)
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):  # pragma: no cover - listed but unreadable
        raise validation(f"Unknown time zone {name!r}", *field) from None
    return name


def wall_clock(moment: datetime, name: str) -> datetime:
    """``moment`` as naive wall-clock time in zone ``name``; a naive moment is UTC."""
    if name == UTC:
        return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(zone(name)).replace(tzinfo=None)


def instant(local: datetime, name: str) -> datetime:
    """The aware UTC instant of naive wall-clock ``local`` in zone ``name`` (the first
    of two at a DST fall-back, the one after the gap at a spring-forward)."""
    return local.replace(tzinfo=zone(name)).astimezone(timezone.utc)

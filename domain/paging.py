"""Pages of lists: how many items one page may hold, checked the same way everywhere."""

from __future__ import annotations

from typing import Any

from .errors import validation

PAGE_MAX = 500


def page_size(first: Any, *field: str, most: int = PAGE_MAX) -> int:
    """``first`` if it is a whole number from 0 to ``most``; VALIDATION otherwise."""
    if not isinstance(first, int) or isinstance(first, bool) or not 0 <= first <= most:
        raise validation(f"first must be between 0 and {most} (got {first!r})", *(field or ("first",)))
    return first


def id_count(ids: Any, *field: str, most: int = PAGE_MAX) -> list:
    """``ids`` if the list holds at most ``most`` ids (a page's worth); VALIDATION otherwise."""
    if len(ids) > most:
        raise validation(f"At most {most} ids per request (got {len(ids)})", *(field or ("ids",)))
    return list(ids)

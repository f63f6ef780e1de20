"""Building one record from another that has the same field names.

Records cross the layers field for field: a stored row becomes a domain record, a
domain record becomes a GraphQL object, an input becomes the record it creates. Most
fields keep their name and value on the way, so :func:`copied` takes every
constructor field of the target dataclass from the source's attribute of the same
name, and the caller names only what differs: a converted value, a nested record, a
field the source does not have.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


@cache
def _constructor_fields(cls: type) -> tuple[tuple[str, bool], ...]:
    """(name, has a default) of each field the dataclass's constructor takes (fields
    with ``init=False``, and Strawberry fields with resolvers, are not among them)."""
    return tuple(
        (f.name, f.default is not MISSING or f.default_factory is not MISSING) for f in fields(cls) if f.init
    )


def copied(cls: type[T], source: Any, **differing: Any) -> T:
    """``cls`` built from ``source``'s attributes of the same names, except ``differing``.
    A field the source lacks keeps its default; without one, the constructor says so."""
    values = dict(differing)
    for name, has_default in _constructor_fields(cls):
        if name in values:
            continue
        if has_default:
            value = getattr(source, name, MISSING)
            if value is not MISSING:
                values[name] = value
        else:
            values[name] = getattr(source, name)
    return cls(**values)

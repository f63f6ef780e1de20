"""Building a GraphQL object from the domain record it shows.

Most GraphQL types show a domain record field for field (same names, snake_case on
both sides), so :func:`copied` takes every constructor field of the type from the
record's attribute of the same name and the caller names only what differs: a
converted value, a nested object, a field the record does not have.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


@cache
def _constructor_fields(cls: type) -> tuple[tuple[str, bool], ...]:
    """(name, has a default) of each field the type's constructor takes (Strawberry
    types are dataclasses; fields with resolvers are not constructor fields)."""
    return tuple(
        (f.name, f.default is not MISSING or f.default_factory is not MISSING) for f in fields(cls) if f.init
    )


def copied(cls: type[T], record: Any, **differing: Any) -> T:
    """``cls`` built from ``record``'s attributes of the same names, except ``differing``.
    A field the record lacks keeps its default; without one, the constructor says so."""
    values = dict(differing)
    for name, has_default in _constructor_fields(cls):
        if name in values:
            continue
        if has_default:
            value = getattr(record, name, MISSING)
            if value is not MISSING:
                values[name] = value
        else:
            values[name] = getattr(record, name)
    return cls(**values)


def arguments(given: Any, **differing: Any) -> dict[str, Any]:
    """A GraphQL input's fields as the keyword arguments of the service call it is for
    (the same names), except ``differing``: the values converted on the way."""
    return {**{f.name: getattr(given, f.name) for f in fields(given)}, **differing}

"""Turning a GraphQL input into the keyword arguments of the service call it is for.

(Building a GraphQL object from the domain record it shows is
:func:`domain.mapping.copied`, which every layer uses.)
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any


def arguments(given: Any, **differing: Any) -> dict[str, Any]:
    """A GraphQL input's fields as the keyword arguments of the service call it is for
    (the same names), except ``differing``: the values converted on the way."""
    return {**{f.name: getattr(given, f.name) for f in fields(given)}, **differing}

"""A small cache of values computed from objects, keyed by those objects' identity.

For things that are shared for a moment and then dropped (one subscription event
delivered to many subscribers): entries keep their objects alive, so an ``id`` is
never mistaken for a later object's, and the oldest entries go beyond ``size``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Generic, Hashable, TypeVar

V = TypeVar("V")


class IdentityCache(Generic[V]):
    def __init__(self, size: int = 256):
        self.size = size
        self._entries: OrderedDict[tuple, tuple[tuple, V]] = OrderedDict()

    def get(self, objects: tuple, extra: Hashable = None) -> V | None:
        """The value stored for exactly these objects (and ``extra``), or None."""
        hit = self._entries.get((*map(id, objects), extra))
        if hit is not None and all(a is b for a, b in zip(hit[0], objects)):
            return hit[1]
        return None

    def put(self, objects: tuple, value: V, extra: Hashable = None) -> V:
        self._entries[(*map(id, objects), extra)] = (objects, value)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value

    def get_or_make(self, obj: Any, make: Callable[[Any], V]) -> V:
        found = self.get((obj,))
        return found if found is not None else self.put((obj,), make(obj))

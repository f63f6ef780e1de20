"""Apollo Federation v2: the schema is also a subgraph (Strawberry's federation support).

A gateway asks ``_service { sdl }`` for the subgraph's SDL (the same text as
``schema.graphql``: ``@link`` to the federation spec, ``@key`` on the entities) and
``_entities(representations:)`` to turn references (``{__typename, id}``) into objects;
both are ordinary root fields of ``/graphql``, so they run under the request's actor,
the request limits and each entity's own visibility rules (``resolve_reference``).

:class:`FederatedSchema` checks the representations before Strawberry resolves them: at
most a page's worth (``PAGE_MAX``), each an object naming one of this subgraph's entity
types and holding its key (``id``, a string), else a ``VALIDATION`` error naming the
representation and nothing is read. Strawberry would otherwise answer a missing
``__typename`` or key with a Python error.

The fast path (core/execution.py) needs nothing of its own here: ``_entities`` and
``_service`` have resolvers and ``_Entity`` is a union, so graphql-core executes them,
and the plain fields of the entities they return take the fast path as anywhere else
(tests/graphql/test_federation.py compares the answers with it on and off).
"""

from __future__ import annotations

from strawberry.federation import Schema
from strawberry.federation.schema import FederationAny
from strawberry.types.info import Info

from domain.errors import validation
from domain.paging import id_count

KEY = "id"  # every entity of this subgraph has @key(fields: "id")


class FederatedSchema(Schema):
    def entities_resolver(self, info: Info, representations: list[FederationAny]) -> list[FederationAny]:
        wanted = id_count(representations, "representations")
        entities = self._entity_names()
        checked = []
        for index, representation in enumerate(wanted):
            if not isinstance(representation, dict):
                raise validation("A representation is an object: {__typename, id}", "representations", str(index))
            type_name = representation.get("__typename")
            if type_name not in entities:
                raise validation(
                    f"__typename must be one of this subgraph's entities: {', '.join(sorted(entities))}",
                    "representations", str(index), "__typename",
                )
            key = representation.get(KEY)
            if not isinstance(key, str):
                raise validation(f"A {type_name} representation needs its key, {KEY} (a string)",
                                 "representations", str(index), KEY)
            checked.append({"__typename": type_name, KEY: key})
        return super().entities_resolver(info, checked)

    def _entity_names(self) -> frozenset[str]:
        names = self.__dict__.get("_entities_cache")
        if names is None:
            names = self._entities_cache = frozenset(
                name for name, t in self.schema_converter.type_map.items()
                if hasattr(getattr(t.definition, "origin", None), "resolve_reference")
            )
        return names

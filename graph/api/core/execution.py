"""GraphQL execution with fast paths for plain leaf fields, lists of plain objects, and
subscription events that every subscriber sees alike.

graphql-core executes every field the same way: a path entry, a resolve-info object,
the resolver, an awaitable check, then completion and serialization. For a field
that only reads an attribute of an already built object and returns a scalar or an
enum (``CategoryProgress.spentAmount``), that is most of the cost of a large answer:
a page of 50 budgets with their categories' progress is ~5,000 such fields, and the
profile put over half of the request in ``graphql/execution``.

:class:`LeafFastExecutionContext` reads those fields directly: the attribute, then
the scalar's ``serialize``. Only a field whose reading is nothing more takes it: a
Strawberry field with no resolver, no arguments, no permission classes, no field
extensions and no directives, selected with no directive but ``@include``/``@skip``
(worked out once per schema and field). Anything else (such fields, object and list
fields, ``__typename``, a null where the schema says non-null, a value that does not
serialize) takes graphql-core's own path, so errors, their paths and ``extensions``
are exactly what they would be without it. It is off wherever graphql-core runs
field middleware (schema extensions with a ``resolve`` hook, Strawberry's operation
directives), which would need to see every field. ``BUDGETQL_FAST_PATH=off`` (see
graph/settings.py) serves with Strawberry's own execution context instead.

It overrides graphql-core's ``ExecutionContext`` internals (``execute_fields``,
``complete_iterable_value``, ``build_per_event_executor``), so graphql-core is pinned
exactly in pyproject.toml; ``tests/test_execution*.py`` compare it with graphql-core.

A list whose items are plain objects with only such fields selected (a budget's
categories) is completed in one loop. And a subscription event whose payload type is
marked :func:`shared_payload` is executed once per document and variables, its result
handed to every subscriber of the process that receives the same payload object;
:class:`CheckedSchema` refuses, when it is created, such a type with a field that is
not a plain attribute (whose value might then depend on the viewer).
"""

from __future__ import annotations

from decimal import Decimal
from math import isfinite
from operator import attrgetter
from typing import Any, Callable
from weakref import WeakKeyDictionary

import strawberry
from graphql import (
    ExecutionResult,
    GraphQLField,
    GraphQLFloat,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationType,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)
from graphql.pyutils import Path, Undefined
from graphql.pyutils.gather_with_cancel import gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph.api.core.identity_cache import IdentityCache

# Per field of a selection set, in order: (read, serialize, nullable), or None for
# graphql-core's own path.
_Fast = tuple[Callable, Callable, bool]
_PLANS_MAX = 1024

# Subscription payload types marked :func:`shared_payload`. Executing the same document
# with the same variables on the same payload object gives the same result for every
# subscriber (who may receive it was decided before, by the subscription's filter) only
# if no field of it depends on the viewer: :func:`check_shared_payloads` refuses a
# schema where one could (a resolver, permission classes, field extensions).
_SHARED_PAYLOADS: set[type] = set()
# Per schema: the shared payload types it was checked to hold, and each field's plain
# read (or None), worked out on first use.
_CHECKED: "WeakKeyDictionary[GraphQLSchema, frozenset[type]]" = WeakKeyDictionary()
_FIELDS: "WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], _Fast | None]]" = WeakKeyDictionary()
# Directives graphql-core applies itself while collecting fields; any other directive
# on a field (a Strawberry operation directive) changes what it resolves to.
_COLLECTION_DIRECTIVES = frozenset({"include", "skip"})
# (operation, payload; variables) → the result, for the latest events.
_EVENT_RESULTS: IdentityCache[ExecutionResult] = IdentityCache(256)


_UNKNOWN = object()
_SLOW = object()  # a leaf the fast path leaves to graphql-core


# What the scalars' serializers return: never awaitable, so not asked (a page of 50
# budgets serializes some 10,000 leaves).
_PLAIN_RESULTS = frozenset({str, int, float, bool})


def _leaf_value(fast: _Fast, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """The serialized value of a plain leaf field, or ``_SLOW`` when graphql-core must
    complete it (a null it does not allow, a value that does not serialize)."""
    read, serialize, nullable = fast
    try:
        value = read(source)
        if value is None:
            return None if nullable else _SLOW
        serialized = serialize(value)
    except Exception:  # noqa: BLE001 - graphql-core's path reports it properly
        return _SLOW
    if serialized.__class__ in _PLAIN_RESULTS:
        return serialized
    if serialized is None or serialized is Undefined or is_awaitable(serialized):
        return _SLOW
    return serialized


class _Executed:
    """Stands in for a per-event executor whose result is already known."""

    def __init__(self, result: ExecutionResult):
        self.result = result

    def execute_operation(self, serially: bool | None = None) -> ExecutionResult:
        return self.result


def shared_payload(cls: type) -> type:
    """Mark a subscription payload type as the same for every subscriber (see above);
    a schema holding it is refused at creation unless every field it reaches is plain."""
    _SHARED_PAYLOADS.add(cls)
    return cls


class SharedPayloadError(TypeError):
    """A type marked :func:`shared_payload` has a field that may depend on the viewer."""


def _not_plain(field_def: GraphQLField) -> str | None:
    """Why reading ``field_def`` may be more than reading an attribute of its source
    (what a resolver, permission classes or field extensions add), or None when it is
    only that: a Strawberry field with no resolver, arguments, permission classes,
    field extensions or directives, whose resolver is Strawberry's attribute read."""
    definition = (field_def.extensions or {}).get("strawberry-definition")
    if definition is None:
        return "is not a Strawberry field"
    if field_def.args or definition.base_resolver is not None:
        return "has a resolver"
    if definition.permission_classes:
        return "has permission classes"
    if definition.extensions:
        return "has field extensions"
    if definition.directives:
        return "has directives"
    # Strawberry marks the resolver it makes for a field with no resolver of its own;
    # it marks it on fields with extensions too, hence the checks above.
    if field_def.resolve is None or not getattr(field_def.resolve, "_is_default", False):
        return "has a resolver"
    return None


def _float_serializer(serialize: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """graphql-core's Float serializer with the two cases a page of progress has (a
    figure kept as ``Decimal``, a ``float``) first: the same float it gives them, without
    its chain of type checks; any other value goes to it as before."""

    def serialize_float(value: Any) -> Any:
        cls = value.__class__
        if cls is Decimal or cls is float:
            number = float(value)
            if isfinite(number):
                return number
        return serialize(value)

    return serialize_float


def _serializer(leaf: Any) -> Callable[[Any], Any]:
    return _float_serializer(leaf.serialize) if leaf is GraphQLFloat else leaf.serialize


def _field_fast(schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str, field_def: GraphQLField) -> _Fast | None:
    """How the fast path reads a field (once per schema and field), or None when it must
    not: anything but a plain attribute returning a scalar or an enum."""
    fields = _FIELDS.get(schema)
    if fields is None:
        fields = _FIELDS.setdefault(schema, {})
    key = (parent_type.name, name)
    try:
        return fields[key]
    except KeyError:
        pass
    fast = None
    nullable = not isinstance(field_def.type, GraphQLNonNull)
    leaf = field_def.type if nullable else field_def.type.of_type
    if is_leaf_type(leaf) and _not_plain(field_def) is None:
        definition = field_def.extensions["strawberry-definition"]
        if definition.default_resolver is getattr:
            # What Strawberry's resolver ends in (``getattr(source, python_name)``), in C.
            fast = attrgetter(definition.python_name), _serializer(leaf), nullable
        else:
            fast = field_def.resolve, _serializer(leaf), nullable
    fields[key] = fast
    return fast


def check_shared_payloads(schema: GraphQLSchema) -> frozenset[type]:
    """The :func:`shared_payload` types of ``schema``, once each field they reach
    (through object, list, interface and union types) is checked to be a plain
    attribute; raises :class:`SharedPayloadError` naming the first that is not."""
    checked = _CHECKED.get(schema)
    if checked is not None:
        return checked
    shared = set()
    for named in schema.type_map.values():
        definition = (named.extensions or {}).get("strawberry-definition") if isinstance(named, GraphQLObjectType) else None
        origin = getattr(definition, "origin", None)
        if origin is None or origin not in _SHARED_PAYLOADS:
            continue
        problem = _viewer_dependent(schema, named, set())
        if problem is not None:
            raise SharedPayloadError(
                f"{named.name} is marked shared_payload (one execution of a subscription's document serves "
                f"every subscriber), but {problem}, so its value may depend on who receives it: make that "
                f"field a plain attribute or remove @shared_payload from {origin.__qualname__}"
            )
        shared.add(origin)
    checked = _CHECKED[schema] = frozenset(shared)
    return checked


def _viewer_dependent(schema: GraphQLSchema, named: Any, seen: set[str]) -> str | None:
    if named.name in seen:
        return None
    seen.add(named.name)
    if is_abstract_type(named):
        for possible in schema.get_possible_types(named):
            problem = _viewer_dependent(schema, possible, seen)
            if problem is not None:
                return problem
        return None
    if not isinstance(named, GraphQLObjectType):
        return None  # a scalar or an enum
    for name, field_def in named.fields.items():
        problem = _not_plain(field_def)
        if problem is not None:
            return f"{named.name}.{name} {problem}"
        problem = _viewer_dependent(schema, get_named_type(field_def.type), seen)
        if problem is not None:
            return problem
    return None


class CheckedSchema(strawberry.Schema):
    """A Strawberry schema that refuses, when it is created, a :func:`shared_payload`
    type with a field that may depend on the viewer (see :func:`check_shared_payloads`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        check_shared_payloads(self._schema)


class LeafFastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Plans by parent type and the identity of the selection's field nodes: those
        # belong to this context's document, which outlives the context, so an id
        # cannot be reused meanwhile, and there are only as many keys as the document
        # has selection sets. A subscription's per-event contexts are copies of this
        # one and share the dict, so each event reuses the plans of the first.
        self._plans: dict[tuple, list[_Fast | None] | None] = {}
        # graphql-core hands the same (memoized) grouped field set to every item of a
        # list: the last one seen skips even building the key.
        self._last: tuple[Any, list[_Fast | None] | None] = (None, None)

    def build_per_event_executor(self, payload: Any) -> Any:
        """A subscription event whose result another subscriber's executor has already
        made: hand it over without copying this executor for the event."""
        variables = self._shareable_variables(payload)
        if variables is not None:
            hit = _EVENT_RESULTS.get((self.operation, payload), variables)
            if hit is not None:
                return _Executed(hit)
        return super().build_per_event_executor(payload)

    def execute_operation(self, serially: bool | None = None) -> Any:
        """A subscription event: one execution per event, document and variables, shared
        by every subscriber of this process that receives the same payload object."""
        variables = self._shareable_variables(self.root_value) if serially is False else None
        if variables is None:
            return super().execute_operation(serially)
        objects = (self.operation, self.root_value)
        hit = _EVENT_RESULTS.get(objects, variables)
        if hit is not None:
            return hit
        result = super().execute_operation(serially)
        if isinstance(result, ExecutionResult) and not result.errors:
            _EVENT_RESULTS.put(objects, result, variables)
        return result

    def _shareable_variables(self, payload: Any) -> tuple | None:
        """For a subscription event whose result may be shared: the variables, hashable
        (worked out once per subscription: per-event executors are copies)."""
        if self.operation.operation is not OperationType.SUBSCRIPTION or type(payload) not in _SHARED_PAYLOADS:
            return None
        # Checked when the schema was made (CheckedSchema); else here, once.
        if type(payload) not in check_shared_payloads(self.schema):
            return None
        if self._has_middleware():
            return None
        variables = self.__dict__.get("_variables_key", _UNKNOWN)
        if variables is _UNKNOWN:
            try:
                variables = tuple(sorted(self.variable_values.coerced.items()))
                hash(variables)
            except (AttributeError, TypeError):
                variables = None
            self._variables_key = variables
        return variables

    def _has_middleware(self) -> bool:
        middleware = self.middleware_manager  # Strawberry passes one always, often empty
        return bool(middleware and middleware.middlewares)

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[_Fast | None] | None:
        last_set, last_plan = self._last
        if last_set is grouped_field_set:
            return last_plan
        key = (parent_type.name, *(id(details[0].node) for details in grouped_field_set.values()))
        try:
            plan = self._plans[key]
        except KeyError:
            fasts = [self._leaf(parent_type, details) for details in grouped_field_set.values()]
            plan = fasts if any(fasts) else None
            if len(self._plans) < _PLANS_MAX:
                self._plans[key] = plan
        self._last = (grouped_field_set, plan)
        return plan

    def _leaf(self, parent_type: GraphQLObjectType, field_details_list: Any) -> _Fast | None:
        node = field_details_list[0].node
        if node.arguments:
            return None
        for details in field_details_list:
            for directive in details.node.directives or ():
                if directive.name.value not in _COLLECTION_DIRECTIVES:
                    return None
        field_def = self.schema.get_field(parent_type, node.name.value)
        if field_def is None:
            return None
        return _field_fast(self.schema, parent_type, node.name.value, field_def)

    def complete_iterable_value(
        self,
        item_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        items: Any,
        position_context: Any,
    ) -> Any:
        """A list of plain objects whose selected fields are all plain leaves (a budget's
        categories): each item becomes its dict directly, without graphql-core's per-item
        completion. Anything unusual in any item hands the whole list back to it."""
        rows = self._plain_rows(item_type, field_details_list, info, path, items)
        if rows is not None:
            return rows
        return super().complete_iterable_value(item_type, field_details_list, info, path, items, position_context)

    def _plain_rows(self, item_type: Any, field_details_list: Any, info: Any, path: Path, items: Any) -> list | None:
        nullable = not isinstance(item_type, GraphQLNonNull)
        object_type = item_type if nullable else item_type.of_type
        if not isinstance(object_type, GraphQLObjectType):
            return None
        if not isinstance(items, (list, tuple)) or self.get_stream_usage(field_details_list, path) is not None:
            return None
        if self._has_middleware():
            return None
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages:
            return None
        plan = self._plan(object_type, grouped_field_set)
        if plan is None or not all(plan):
            return None
        fields = list(zip(grouped_field_set, plan))
        is_awaitable = self.is_awaitable
        # A type implementing an interface (Node) checks each item as graphql-core's
        # completion would; an item it does not accept (or an awaitable check) leaves the
        # list to graphql-core, which reports it.
        is_type_of = object_type.is_type_of
        rows: list = []
        for item in items:
            if item is None:
                if not nullable:
                    return None
                rows.append(None)
                continue
            if is_type_of is not None and is_type_of(item, info) is not True:
                return None
            row = {}
            # _leaf_value, inlined: this loop runs for every leaf of every item.
            for name, (read, serialize, nullable) in fields:
                try:
                    value = read(item)
                    if value is None:
                        if not nullable:
                            return None
                        row[name] = None
                        continue
                    value = serialize(value)
                except Exception:  # noqa: BLE001 - graphql-core's path reports it properly
                    return None
                if value.__class__ not in _PLAIN_RESULTS and (
                    value is None or value is Undefined or is_awaitable(value)
                ):
                    return None
                row[name] = value
            rows.append(row)
        return rows

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        plan = None if self._has_middleware() else self._plan(parent_type, grouped_field_set)
        if plan is None:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for (response_name, field_details_list), fast in zip(grouped_field_set.items(), plan):
                if fast is not None:
                    value = _leaf_value(fast, source_value, is_awaitable)
                    if value is not _SLOW:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                name = awaitable_fields[0]
                results[name] = await results[name]
            else:
                awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

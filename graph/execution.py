"""GraphQL execution with fast paths for plain leaf fields, lists of plain objects, and
subscription events that every subscriber sees alike.

graphql-core executes every field the same way: a path entry, a resolve-info object,
the resolver, an awaitable check, then completion and serialization. For a field
that only reads an attribute of an already built object and returns a scalar or an
enum (``CategoryProgress.spentAmount``), that is most of the cost of a large answer:
a page of 50 budgets with their categories' progress is ~5,000 such fields, and the
profile put over half of the request in ``graphql/execution``.

:class:`LeafFastExecutionContext` reads those fields directly: the attribute, then
the scalar's ``serialize``. Anything else (fields with a resolver or arguments, object
and list fields, ``__typename``, a null where the schema says non-null, a value that
does not serialize) takes graphql-core's own path, so errors, their paths and
``extensions`` are exactly what they would be without it. It is off wherever
graphql-core runs field middleware (schema extensions with a ``resolve`` hook), which
would need to see every field.

A list whose items are plain objects with only such fields selected (a budget's
categories) is completed in one loop. And a subscription event whose payload type is
marked :func:`shared_payload` is executed once per document and variables, its result
handed to every subscriber of the process that receives the same payload object.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Callable

from graphql import ExecutionResult, GraphQLNonNull, GraphQLObjectType, OperationType, is_leaf_type
from graphql.pyutils import Path, Undefined
from graphql.pyutils.gather_with_cancel import gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from .identity_cache import IdentityCache

# Per field of a selection set, in order: (read, serialize, nullable), or None for
# graphql-core's own path.
_Fast = tuple[Callable, Callable, bool]
_PLANS_MAX = 1024

# Subscription payload types whose every field is a plain attribute: executing the same
# document with the same variables on the same payload object gives the same result for
# every subscriber (who may receive it was decided before, by the subscription's filter).
_SHARED_PAYLOADS: set[type] = set()
# (operation, payload; variables) → the result, for the latest events.
_EVENT_RESULTS: IdentityCache[ExecutionResult] = IdentityCache(256)


_UNKNOWN = object()
_SLOW = object()  # a leaf the fast path leaves to graphql-core


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
    """Mark a subscription payload type as the same for every subscriber (see above)."""
    _SHARED_PAYLOADS.add(cls)
    return cls


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
        if type(payload) not in _SHARED_PAYLOADS or self.operation.operation is not OperationType.SUBSCRIPTION:
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
        field_def = self.schema.get_field(parent_type, node.name.value)
        if field_def is None or field_def.args or node.arguments:
            return None
        resolve = field_def.resolve
        # Strawberry marks the resolver of a field with no resolver and no extensions.
        if resolve is None or not getattr(resolve, "_is_default", False):
            return None
        nullable = not isinstance(field_def.type, GraphQLNonNull)
        leaf = field_def.type if nullable else field_def.type.of_type
        if not is_leaf_type(leaf):
            return None
        definition = (field_def.extensions or {}).get("strawberry-definition")
        if definition is not None and definition.default_resolver is getattr:
            # What Strawberry's resolver ends in (``getattr(source, python_name)``), in C.
            return attrgetter(definition.python_name), leaf.serialize, nullable
        return resolve, leaf.serialize, nullable

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
        rows = self._plain_rows(item_type, field_details_list, path, items)
        if rows is not None:
            return rows
        return super().complete_iterable_value(item_type, field_details_list, info, path, items, position_context)

    def _plain_rows(self, item_type: Any, field_details_list: Any, path: Path, items: Any) -> list | None:
        nullable = not isinstance(item_type, GraphQLNonNull)
        object_type = item_type if nullable else item_type.of_type
        if not isinstance(object_type, GraphQLObjectType) or object_type.is_type_of is not None:
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
        rows: list = []
        for item in items:
            if item is None:
                if not nullable:
                    return None
                rows.append(None)
                continue
            row = {}
            for name, fast in fields:
                value = _leaf_value(fast, item, is_awaitable)
                if value is _SLOW:
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

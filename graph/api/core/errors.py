"""Errors as data (``UserError``), the masking of unexpected failures, and a stable
``code`` on every error a client sees: GraphQL errors (HTTP and WebSocket) carry
``extensions.code``, REST and HTTP-level error bodies a ``code`` field."""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Iterator, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from domain.errors import BudgetError, ErrorCode, ValidationFailed
from graph.request_ids import current_request_id

log = logging.getLogger("budgetql.graph")


UserErrorCode = strawberry.enum(ErrorCode, name="UserErrorCode", description="Stable machine-readable error codes.")


@strawberry.type(description="A problem with the input of a mutation; nothing was stored.")
class UserError:
    field: list[str] | None = strawberry.field(description="Path to the input field, e.g. [\"categories\", \"0\", \"amount\"].")
    code: UserErrorCode
    message: str


def payload_type(name: str, **result: Any) -> type:
    """The payload type ``name`` of mutations that answer one thing: the field ``result``
    (``payload_type("GoalPayload", goal=Goal)``: ``goal: Goal``, null when the domain
    refused), then ``errors``. Where the result is an object type with ``from_domain``,
    ``of(record)`` builds the payload from the domain record the service returned."""
    ((field, kind),) = result.items()
    namespace: dict[str, Any] = {
        "__annotations__": {field: kind | None, "errors": list[UserError]},
        field: None,
        "errors": strawberry.field(default_factory=list),
    }
    from_domain = getattr(kind, "from_domain", None)
    if from_domain is not None:
        namespace["of"] = classmethod(lambda cls, record: cls(**{field: from_domain(record)}))
    return strawberry.type(type(name, (), namespace))


def user_errors(exc: BudgetError) -> list[UserError]:
    problems = exc.problems if isinstance(exc, ValidationFailed) else [exc]
    return [
        UserError(field=list(p.field) if p.field else None, code=p.code, message=p.message)
        for p in problems
    ]

def input_errors(exc: BudgetError, outside: tuple[str, ...] = ("id", "expectedVersion")) -> list[UserError]:
    """``user_errors`` with each field path under the mutation's ``input`` argument,
    except paths that start at one of the ``outside`` arguments."""
    errors = user_errors(exc)
    for e in errors:
        if e.field and e.field[0] not in outside:
            e.field = ["input", *e.field]
    return errors

P = TypeVar("P")
R = TypeVar("R")


async def payload(
    kind: Callable[..., P],
    doing: Callable[[], Awaitable[R]],
    done: Callable[[R], P] | None = None,
    errors: Callable[[BudgetError], list[UserError]] = user_errors,
) -> P:
    """A mutation's payload: ``done(result)`` when ``doing()`` succeeds (by default
    ``kind.of(result)``, a ``payload_type``'s), ``kind(errors=…)`` when the domain refuses
    (and then nothing was stored). ``doing`` is called here, so a refusal while building
    its arguments is caught too."""
    try:
        result = await doing()
    except BudgetError as exc:
        return kind(errors=errors(exc))
    return (done or kind.of)(result)


async def deleted(
    kind: Callable[..., P],
    id: strawberry.ID,
    doing: Callable[[], Awaitable[Any]],
    errors: Callable[[BudgetError], list[UserError]] = user_errors,
) -> P:
    """The payload of a mutation that deletes the object ``id`` (a ``payload_type`` with
    ``deleted_id``): that id once ``doing()`` has deleted it, or the domain's refusal."""
    return await payload(kind, doing, lambda _: kind(deleted_id=id), errors)


def log_unexpected(exc: BaseException) -> str:
    """Log an unexpected failure with its traceback under the request's id; return the id.
    Clients get only ``Internal server error (request id …)``, never the detail."""
    request_id = current_request_id()
    log.error("unexpected error, request id %s", request_id, exc_info=exc, extra={"request_id": request_id})
    return request_id

def with_code(formatted: dict[str, Any], default: str = "GRAPHQL_VALIDATION") -> dict[str, Any]:
    """A formatted GraphQL error, with ``extensions.code`` if it had none."""
    extensions = formatted.get("extensions") or {}
    if extensions.get("code"):
        return formatted
    return {**formatted, "extensions": {**extensions, "code": default}}

class ClientErrors(SchemaExtension):
    """Every error a client sees gets ``extensions.code``. A ``BudgetError`` raised by a
    query keeps its message; anything unexpected becomes a generic error carrying a
    request id, and its detail goes only to the server log."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if not result or not getattr(result, "errors", None):
            return
        result.errors = [self._client_error(e) for e in result.errors]

    def on_stream_result(self, result) -> Iterator[None]:
        # WebSocket operations: each result is sent as it comes, before on_operation ends.
        if getattr(result, "errors", None):
            result.errors = [self._client_error(e) for e in result.errors]
        yield

    def _client_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        # No path: the request itself was rejected (syntax, validation, variable coercion)
        # before any resolver ran. Those messages are about the client's input.
        if original is None or (error.path is None and not isinstance(original, BudgetError)):
            ext = dict(error.extensions or {})
            ext.setdefault("code", "GRAPHQL_VALIDATION")
            return GraphQLError(error.message, error.nodes, error.source, error.positions, error.path, None, ext)
        if isinstance(original, BudgetError):
            ext = {"code": original.code.value}
            if original.field:
                ext["field"] = list(original.field)
            return GraphQLError(original.message, error.nodes, error.source, error.positions, error.path, None, ext)
        if isinstance(original, GraphQLError) and (original.extensions or {}).get("code"):
            return original
        request_id = log_unexpected(original)
        return GraphQLError(
            f"Internal server error (request id {request_id})",
            error.nodes,
            error.source,
            error.positions,
            error.path,
            None,
            {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )

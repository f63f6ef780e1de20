"""REST compatibility: the spec's ``/budgets`` routes, FastAPI-style, over the same services.

A thin adapter. It reads JSON into the service's arguments and writes the domain's
budgets and errors as the spec's payloads: snake_case keys, amounts as exact JSON
numbers (``600.00``), lowercase ``type``/``period``. The rules all live in ``domain/``.

Status codes: 201 created, 204 deleted; ``{"detail": "...", "code": "..."}`` with 400 for what the
domain rejects (``VALIDATION``, e.g. "No updates provided"), 404 for ``NOT_FOUND``, 409
for ``CONFLICT``, and 422 for a request this layer cannot read: a body that is not a
JSON object, a required field missing, a field of the wrong JSON type or unknown.

Authentication and authorization are GraphQL's: 401 without a valid bearer token in
``jwt`` mode; ``user_id`` defaults to the viewer there (and is required with
authentication off); another user's budget is 404, a shared one 403 for what its
member's role does not allow.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from functools import wraps
from typing import Any, Awaitable, Callable, Mapping

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.access import Actor
from domain import validation as v
from domain.errors import BudgetError, ErrorCode, ValidationFailed, validation
from domain.models import Budget, utcnow
from domain.progress.rules import BudgetProgress
from domain.budgets.service import BudgetService, current_period
from domain.templates.model import describe

from graph.api.core.errors import log_unexpected
from graph.http.errors import detail_response
from graph.api.core.scalars import serialize_datetime, serialize_decimal

STATUS = {
    ErrorCode.VALIDATION: 400,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.CURSOR_EXPIRED: 410,
}


class Unreadable(Exception):
    """The request cannot be read as the route's input (HTTP 422)."""


# -- JSON out ------------------------------------------------------------------
def _exact(value: Any) -> Any:
    """orjson's fallback: a ``Decimal`` as its exact digits (a JSON number that never went
    through a float), a datetime as the API writes it."""
    if isinstance(value, Decimal):
        return orjson.Fragment(serialize_decimal(value))
    if isinstance(value, datetime):
        return serialize_datetime(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(value: Any) -> bytes:
    """JSON in which a ``Decimal`` is written as its exact digits. Non-string keys are
    written as strings; non-finite floats are refused."""
    return orjson.dumps(value, default=_exact, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME)


def progress_json(p: BudgetProgress) -> dict[str, Any]:
    """The spec's progress body (``GET /budgets/{id}/progress``)."""
    return {
        "budget_id": p.budget_id,
        "current_period": p.current_period,
        "categories": [
            {
                "category_name": c.category_name,
                "budgeted_amount": c.budgeted_amount,
                "spent_amount": c.spent_amount,
                "remaining_amount": c.remaining_amount,
                "percent_used": c.percent_used,
            }
            for c in p.categories
        ],
        "total_budgeted": p.total_budgeted,
        "total_spent": p.total_spent,
        "total_remaining": p.total_remaining,
        "percent_used": p.percent_used,
        "period_days_elapsed": p.period_days_elapsed,
        "period_days_total": p.period_days_total,
    }


def json_response(value: Any, status: int = 200) -> Response:
    return Response(to_json(value), status_code=status, media_type="application/json")


def error_response(status: int, detail: str, code: str | None = None) -> Response:
    """The spec's ``{"detail": ...}``, with the stable ``code`` every budgetql error carries."""
    return detail_response(status, code, detail)


def budget_json(b: Budget) -> dict[str, Any]:
    """A budget exactly as the spec's API Reference shows it."""
    return {
        "id": b.id,
        "user_id": b.user_id,
        "name": b.name,
        "type": b.type.value,
        "period": b.period.value,
        "categories": {c.name: c.amount for c in b.limits_at(current_period(b, utcnow()))}
        if b.has_history
        else b.categories,
        "start_date": b.start_date,
        "end_date": b.end_date,
        "rollover_enabled": b.rollover_enabled,
        "time_zone": b.time_zone,
        "created_at": b.created_at,
        "updated_at": b.updated_at,
    }


# -- JSON in -------------------------------------------------------------------
STRING = "a string"
BOOLEAN = "true or false"
AMOUNTS = "an object mapping category names to numbers"

CREATE_FIELDS = {
    "user_id": STRING,
    "name": STRING,
    "type": STRING,
    "period": STRING,
    "categories": AMOUNTS,
    "start_date": STRING,
    "rollover_enabled": BOOLEAN,
    "time_zone": STRING,
}
CREATE_REQUIRED = ("name", "type", "period", "categories")  # and user_id with authentication off
UPDATE_FIELDS = {k: v for k, v in CREATE_FIELDS.items() if k != "user_id"}
NUMBER = "a number"
FROM_TEMPLATE_FIELDS = {
    "user_id": STRING,
    "template_name": STRING,
    "total_income": NUMBER,
    "budget_name": STRING,
    "start_date": STRING,
    "time_zone": STRING,
}
FROM_TEMPLATE_REQUIRED = ("template_name", "total_income")  # and user_id with authentication off


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


_CHECKS: dict[str, Callable[[Any], bool]] = {
    STRING: lambda v: isinstance(v, str),
    BOOLEAN: lambda v: isinstance(v, bool),
    AMOUNTS: lambda v: isinstance(v, dict) and all(_is_number(a) for a in v.values()),
    NUMBER: _is_number,
}


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


async def read_object(request: Request, fields: Mapping[str, str], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The request body as a JSON object of ``fields`` (numbers as ``Decimal``); null
    counts as not given. Raises :class:`Unreadable` naming every problem."""
    try:
        body = json.loads(
            await request.body(), parse_float=Decimal, parse_constant=_no_constant, object_pairs_hook=_unique_keys
        )
    except ValueError as exc:  # JSONDecodeError, bad UTF-8, a duplicate key, NaN
        raise Unreadable(f"Request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise Unreadable("Request body must be a JSON object")
    problems = [f"Unknown field {key!r}" for key in body if key not in fields]
    problems += [f"Field {key!r} is required" for key in required if body.get(key) is None]
    problems += [
        f"Field {key!r} must be {kind}"
        for key, kind in fields.items()
        if body.get(key) is not None and not _CHECKS[kind](body[key])
    ]
    if problems:
        raise Unreadable("; ".join(problems))
    return {key: value for key, value in body.items() if value is not None}


# -- routes --------------------------------------------------------------------
Endpoint = Callable[[Request, BudgetService, Actor], Awaitable[Response]]


def endpoint(handler: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    """Give ``handler`` the budget service and the authenticated caller, and turn every
    failure into a JSON error."""

    @wraps(handler)
    async def run(request: Request) -> Response:
        try:
            actor = request.app.state.auth.from_header(request.headers.get("authorization"))
            return await handler(request, request.app.state.services.budgets, actor)
        except Unreadable as exc:
            return error_response(422, str(exc))
        except ValidationFailed as exc:  # 400 unless every problem has one other code (403, 404)
            return error_response(STATUS[exc.code], "; ".join(p.message for p in exc.problems), exc.code.value)
        except BudgetError as exc:
            return error_response(STATUS[exc.code], exc.message, exc.code.value)
        except Exception as exc:  # noqa: BLE001 - the detail goes to the log only
            return error_response(500, f"Internal server error (request id {log_unexpected(exc)})")

    return run


@endpoint
async def create_budget(request: Request, budgets: BudgetService, actor: Actor) -> Response:
    """Create a budget.
    ---
    summary: Create a budget
    operationId: createBudget
    tags: [budgets]
    requestBody: {required: true, json: {$ref: "#/components/schemas/BudgetCreate"}}
    responses:
      "201": {description: The budget as stored, json: {$ref: "#/components/schemas/Budget"}}
      "400": {$ref: "#/components/responses/BadRequest"}
      "403": {$ref: "#/components/responses/Forbidden"}
    """
    required = ("user_id", *CREATE_REQUIRED) if actor.trusted else CREATE_REQUIRED
    body = await read_object(request, CREATE_FIELDS, required)
    budget = await budgets.create_budget(actor, **{"user_id": None, **body})
    return json_response(budget_json(budget), 201)


@endpoint
async def list_budgets(request: Request, budgets: BudgetService, actor: Actor) -> Response:
    """A user's budgets, newest first: their own and those shared with them.
    ---
    summary: List a user's budgets
    operationId: listBudgets
    tags: [budgets]
    parameters:
      - name: user_id
        in: query
        description: Required with authentication off; with it on, the viewer (or omitted).
        schema: {type: string}
      - name: type
        in: query
        description: Only budgets of this type (case-insensitive).
        schema: {type: string, enum: [personal, household, business, project, custom]}
    responses:
      "200": {description: Newest first, json: {type: array, items: {$ref: "#/components/schemas/Budget"}}}
      "400": {$ref: "#/components/responses/BadRequest"}
      "403": {$ref: "#/components/responses/Forbidden"}
      "422": {$ref: "#/components/responses/Unreadable"}
    """
    user_id = request.query_params.get("user_id")
    if user_id is None and actor.trusted:
        raise Unreadable("Query parameter 'user_id' is required")
    found = await budgets.get_budgets(actor, user_id, request.query_params.get("type"))
    return json_response([budget_json(b) for b in found])


@endpoint
async def get_budget(request: Request, budgets: BudgetService, actor: Actor) -> Response:
    """A budget by id.
    ---
    summary: Get a budget
    operationId: getBudget
    tags: [budgets]
    parameters:
      - {name: budget_id, in: path, required: true, schema: {type: string}, example: bud_8KJ2Lx0aQfZ3mN1p}
    responses:
      "200": {description: The budget, json: {$ref: "#/components/schemas/Budget"}}
      "404": {$ref: "#/components/responses/NotFound"}
    """
    return json_response(budget_json(await budgets.get_budget(actor, request.path_params["budget_id"])))


@endpoint
async def update_budget(request: Request, budgets: BudgetService, actor: Actor) -> Response:
    """Change some fields of a budget (its owner and EDITOR members).
    ---
    summary: Update a budget
    operationId: updateBudget
    tags: [budgets]
    parameters:
      - {name: budget_id, in: path, required: true, schema: {type: string}, example: bud_8KJ2Lx0aQfZ3mN1p}
    requestBody: {required: true, json: {$ref: "#/components/schemas/BudgetUpdate"}}
    responses:
      "200": {description: The budget as updated, json: {$ref: "#/components/schemas/Budget"}}
      "400": {$ref: "#/components/responses/BadRequest"}
      "403": {$ref: "#/components/responses/Forbidden"}
      "404": {$ref: "#/components/responses/NotFound"}
      "409": {$ref: "#/components/responses/Conflict"}
    """
    updates = await read_object(request, UPDATE_FIELDS)
    budget = await budgets.update_budget(actor, request.path_params["budget_id"], updates)
    return json_response(budget_json(budget))


@endpoint
async def delete_budget(request: Request, budgets: BudgetService, actor: Actor) -> Response:
    """Delete a budget and its alerts (its owner only).
    ---
    summary: Delete a budget
    operationId: deleteBudget
    tags: [budgets]
    parameters:
      - {name: budget_id, in: path, required: true, schema: {type: string}, example: bud_8KJ2Lx0aQfZ3mN1p}
    responses:
      "204": {description: Deleted; no body}
      "403": {$ref: "#/components/responses/Forbidden"}
      "404": {$ref: "#/components/responses/NotFound"}
    """
    await budgets.delete_budget(actor, request.path_params["budget_id"])
    return Response(status_code=204)


@endpoint
async def list_templates(request: Request, budgets: BudgetService, actor: Actor) -> Response:
    """Every template by key, as the spec lists them; ``?user_id=`` adds that user's own.
    ---
    summary: List the templates
    operationId: listTemplates
    tags: [templates]
    parameters:
      - name: user_id
        in: query
        description: Adds that user's own templates (with authentication on, the viewer's are added by default).
        schema: {type: string}
    responses:
      "200":
        description: "Template key → template: the built-ins, then the user's own"
        json: {type: object, additionalProperties: {$ref: "#/components/schemas/Template"}}
      "400": {$ref: "#/components/responses/BadRequest"}
      "403": {$ref: "#/components/responses/Forbidden"}
    """
    templates = await request.app.state.services.templates.list_templates(actor, request.query_params.get("user_id"))
    return json_response({t.key: describe(t) for t in templates})


@endpoint
async def create_from_template(request: Request, budgets: BudgetService, actor: Actor) -> Response:
    """Create a budget from a template: the income split into its categories.
    ---
    summary: Create a budget from a template
    operationId: createBudgetFromTemplate
    tags: [templates]
    requestBody: {required: true, json: {$ref: "#/components/schemas/FromTemplate"}}
    responses:
      "201": {description: The budget as stored, json: {$ref: "#/components/schemas/Budget"}}
      "400":
        description: The domain refused the input (VALIDATION), or there is no such template (NOT_FOUND); nothing was stored.
        json: {$ref: "#/components/schemas/Error"}
      "403": {$ref: "#/components/responses/Forbidden"}
    """
    # An unknown template is a 400 here, as the spec says (it is NOT_FOUND in GraphQL):
    # the domain reports it with the other input problems, and those are all 400.
    required = ("user_id", *FROM_TEMPLATE_REQUIRED) if actor.trusted else FROM_TEMPLATE_REQUIRED
    body = await read_object(request, FROM_TEMPLATE_FIELDS, required)
    try:
        budget = await request.app.state.services.templates.apply_template(
            actor,
            user_id=body.get("user_id"),
            template_key=body["template_name"],
            total_income=body["total_income"],
            budget_name=body.get("budget_name"),
            start_date=body.get("start_date"),
            time_zone=body.get("time_zone"),
        )
    except BudgetError as exc:
        if exc.code is not ErrorCode.NOT_FOUND:
            raise
        problems = exc.problems if isinstance(exc, ValidationFailed) else [exc]
        return error_response(400, "; ".join(p.message for p in problems), exc.code.value)
    return json_response(budget_json(budget), 201)


@endpoint
async def budget_progress(request: Request, budgets: BudgetService, actor: Actor) -> Response:
    """A period's figures (the current one unless ``?at=`` or ``?period=`` say otherwise):
    the same services as ``budget(id) { progress(at:, period:) }``
    (the benchmark's baseline for the cost of GraphQL).
    ---
    summary: A budget's figures for a period
    operationId: getBudgetProgress
    tags: [budgets]
    parameters:
      - {name: budget_id, in: path, required: true, schema: {type: string}, example: bud_8KJ2Lx0aQfZ3mN1p}
      - name: at
        in: query
        description: ISO 8601; the figures as seen at this moment, for the period containing it (default now).
        schema: {type: string}
        example: "2025-11-15T14:30:00"
      - name: period
        in: query
        description: A period index (0 is the first); a period before the first is empty.
        schema: {type: integer}
    responses:
      "200": {description: The period's figures, json: {$ref: "#/components/schemas/Progress"}}
      "400": {$ref: "#/components/responses/BadRequest"}
      "404": {$ref: "#/components/responses/NotFound"}
    """
    budget = await budgets.get_budget(actor, request.path_params["budget_id"])
    spending = request.app.state.services.spending
    at, period = _progress_query(request)
    k = spending.period_of(budget, at, period)
    (progress,) = await spending.progress_many([(budget, k, at)])
    return json_response(progress_json(progress))


def _progress_query(request: Request) -> tuple[datetime | None, int | None]:
    """``?at=`` (ISO 8601: the moment the figures are seen from, and whose period they
    are) and ``?period=k`` (a period index), as GraphQL's ``progress(at:, period:)``."""
    at = request.query_params.get("at")
    period = request.query_params.get("period")
    moment = v.moment(at, "at", label="at") if at is not None else None
    if period is None:
        return moment, None
    if not re.fullmatch(r"-?[0-9]{1,10}", period):
        raise validation(f"period must be a whole number (got {period[:20]!r})", "period")
    return moment, int(period)


def routes() -> list[Route]:
    """In matching order. Fixed paths below ``/budgets/`` (``GET /budgets/templates/list``,
    ``POST /budgets/from-template``) belong before ``/budgets/{budget_id}``, which would
    otherwise read their last segment as a budget id; ``/budgets/{budget_id}/progress``
    can go anywhere."""
    return [
        Route("/budgets/templates/list", list_templates, methods=["GET"]),
        Route("/budgets/from-template", create_from_template, methods=["POST"]),
        Route("/budgets", create_budget, methods=["POST"]),
        Route("/budgets", list_budgets, methods=["GET"]),
        Route("/budgets/{budget_id}", get_budget, methods=["GET"]),
        Route("/budgets/{budget_id}", update_budget, methods=["PATCH"]),
        Route("/budgets/{budget_id}", delete_budget, methods=["DELETE"]),
        Route("/budgets/{budget_id}/progress", budget_progress, methods=["GET"]),
    ]

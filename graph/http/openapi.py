"""The OpenAPI 3.1 document of the REST routes, served at ``GET /openapi.json``.

Starlette's own :class:`~starlette.schemas.SchemaGenerator` walks the app's routes, so
the paths and methods are the routes themselves; each endpoint's operation (its
parameters, body and responses) is the YAML after ``---`` in its docstring, next to its
code in ``graph/http/rest.py`` (a JSON body there may say ``json: <schema>`` for
``content: {application/json: {schema: <schema>}}``). The shared schemas below are built from what the
routes read and write: the request bodies from the field tables ``read_object`` checks
(``rest.CREATE_FIELDS``, …), the error body from ``graph/http/errors.py``.
``tests/rest/test_openapi.py`` fails on a route without a documented operation, on a
document the OpenAPI validator refuses, and on a response that does not match it.

Amounts are exact JSON numbers (``600.00``, the digits as stored, never through a
float), as the REST routes write them: read them with a decimal parser.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.schemas import SchemaGenerator

from domain.models import BudgetPeriod, BudgetType
from domain.templates.builtin import BUILTINS

from graph.http import rest
from graph.http.errors import HTTP_CODES

AMOUNT = {
    "type": "number",
    "description": "An exact decimal amount, written with its digits (600.00): parse it as a decimal, not a float.",
}
PERCENT = {
    "type": ["number", "null"],
    "description": "Spent over budgeted × 100, rounded down to 2 places; null when nothing is budgeted.",
}
CALENDAR_TIME = {
    "type": "string",
    "description": "A calendar time without a zone (ISO 8601, 2025-11-01T00:00:00).",
    "examples": ["2025-11-01T00:00:00"],
}
TIMESTAMP = {"type": "string", "format": "date-time", "description": "UTC, with a Z (2025-11-15T09:30:00Z)."}
BUDGET_TYPES = [t.value for t in BudgetType]
BUDGET_PERIODS = [p.value for p in BudgetPeriod]
# A budget's and a template's type and period, as written.
TYPE_AND_PERIOD = {
    "type": {"type": "string", "enum": BUDGET_TYPES},
    "period": {"type": "string", "enum": BUDGET_PERIODS},
}


def _category_map(value: dict[str, Any], description: str) -> dict[str, Any]:
    """An object from category names to ``value``."""
    return {"type": "object", "additionalProperties": value, "description": description}


# How each kind of field ``rest.read_object`` checks is written in JSON Schema.
_KINDS: dict[str, dict[str, Any]] = {
    rest.STRING: {"type": "string"},
    rest.BOOLEAN: {"type": "boolean"},
    rest.NUMBER: {"type": "number", "description": "An exact decimal (a JSON number, read without a float)."},
    rest.AMOUNTS: _category_map(
        {"type": "number", "description": "The category's limit, an exact decimal."}, "Category name → limit."
    ),
}
_FIELD_NOTES: dict[str, dict[str, Any]] = {
    "user_id": {"description": "The owner. Required with authentication off; with it on, the viewer (or omitted)."},
    "type": {"description": f"One of {', '.join(BUDGET_TYPES)} (case-insensitive).", "examples": ["personal"]},
    "period": {"description": f"One of {', '.join(BUDGET_PERIODS)} (case-insensitive).", "examples": ["monthly"]},
    "start_date": {
        "description": "ISO 8601; defaults to the first day of the current period.",
        "examples": ["2025-11-01T00:00:00"],
    },
    "time_zone": {"description": "An IANA time zone name; default UTC.", "examples": ["America/New_York"]},
    "template_name": {"description": "A template key: a built-in or the user's own.", "examples": sorted(BUILTINS)[:1]},
    "total_income": {"description": "Above 0; split into the template's categories to the cent."},
}


def body_schema(fields: dict[str, str], required: tuple[str, ...], description: str) -> dict[str, Any]:
    """The JSON Schema of a body ``rest.read_object(request, fields, required)`` reads:
    a null counts as not given, an unknown field is refused (422)."""
    properties = {}
    for name, kind in fields.items():
        schema = {**_KINDS[kind], **_FIELD_NOTES.get(name, {})}
        if name not in required:
            schema["type"] = [schema["type"], "null"]
        properties[name] = schema
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def _object(properties: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


SCHEMAS: dict[str, Any] = {
    "Budget": _object(
        {
            "id": {"type": "string", "examples": ["bud_8KJ2Lx0aQfZ3mN1p"]},
            "user_id": {"type": "string"},
            "name": {"type": "string"},
            **TYPE_AND_PERIOD,
            "categories": _category_map(AMOUNT, "Category name → limit, in the order given."),
            "start_date": {**CALENDAR_TIME, "description": "Start of period 0 (midnight)."},
            "end_date": {**CALENDAR_TIME, "description": "The last second of period 0."},
            "rollover_enabled": {"type": "boolean"},
            "time_zone": {"type": "string", "description": "The IANA time zone its days are counted in.",
                          "examples": ["America/New_York"]},
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        },
        "A budget, as the spec's API Reference shows it.",
    ),
    "BudgetCreate": body_schema(
        rest.CREATE_FIELDS, rest.CREATE_REQUIRED, "A new budget (user_id is also required with authentication off)."
    ),
    "BudgetUpdate": body_schema(rest.UPDATE_FIELDS, (), "The fields to change; at least one (400 otherwise)."),
    "FromTemplate": body_schema(
        rest.FROM_TEMPLATE_FIELDS,
        rest.FROM_TEMPLATE_REQUIRED,
        "A budget made from a template (user_id is also required with authentication off).",
    ),
    "CategoryProgress": _object(
        {
            "category_name": {"type": "string"},
            "budgeted_amount": {**AMOUNT, "description": "Its limit plus rollover. " + AMOUNT["description"]},
            "spent_amount": AMOUNT,
            "remaining_amount": AMOUNT,
            "percent_used": PERCENT,
        },
        "One category's figures for the period.",
    ),
    "Progress": _object(
        {
            "budget_id": {"type": "string"},
            "current_period": {"type": "string", "description": "The period's label (November 2025, Q4 2025, Nov 3 – Nov 9, 2025)."},
            "categories": {"type": "array", "items": {"$ref": "#/components/schemas/CategoryProgress"}},
            "total_budgeted": AMOUNT,
            "total_spent": AMOUNT,
            "total_remaining": AMOUNT,
            "percent_used": PERCENT,
            "period_days_elapsed": {"type": "integer", "minimum": 0},
            "period_days_total": {"type": "integer", "minimum": 1},
        },
        "A period's figures.",
    ),
    "Template": _object(
        {
            "name": {"type": "string"},
            "description": {"type": "string"},
            **TYPE_AND_PERIOD,
            "categories": _category_map(
                {"type": "number"},
                "Category name → its share of the income in percent, rounded to 2 places for display (allocation "
                "uses the exact weights).",
            ),
        },
        "A way to split an income into budget categories.",
    ),
    "Error": {
        "type": "object",
        "description": "Every error body (graph/http/errors.py): a message and a stable code.",
        "properties": {
            "detail": {"type": "string", "description": "What went wrong, for people."},
            "code": {
                "type": "string",
                "description": "Stable, for programs: the domain's (VALIDATION, NOT_FOUND, FORBIDDEN, CONFLICT, "
                "UNAUTHENTICATED, RATE_LIMITED, SERVICE_UNAVAILABLE) or the HTTP status's ("
                + ", ".join(sorted(set(HTTP_CODES.values())))
                + ").",
                "examples": ["NOT_FOUND"],
            },
            "requestId": {"type": "string", "description": "On some 500s: the id the server log holds the detail under."},
        },
        "required": ["detail", "code"],
    },
    "Health": {
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["ok", "ready", "unavailable"]},
            "code": {"type": "string", "enum": ["SERVICE_UNAVAILABLE"]},
            "reason": {"type": "string"},
        },
        "required": ["status"],
        "additionalProperties": False,
    },
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


RESPONSES = {
    "BadRequest": _error("The domain refused the input (VALIDATION): nothing was stored."),
    "Unauthenticated": _error(
        "Authentication is on and no valid bearer token came (UNAUTHENTICATED, with WWW-Authenticate)."
    ),
    "Forbidden": _error("Naming another user, or what a shared budget's role does not allow (FORBIDDEN)."),
    "NotFound": _error("No such budget, or not yours nor shared with you (NOT_FOUND): the two look the same."),
    "Conflict": _error("Changed concurrently (CONFLICT): read it again and retry."),
    "PayloadTooLarge": _error("The body is over the server's limit (PAYLOAD_TOO_LARGE)."),
    "Unreadable": _error(
        "A body that is not a JSON object, a field missing, unknown or of the wrong JSON type, or a required "
        "query parameter missing (BAD_REQUEST)."
    ),
    "InternalError": _error("Unexpected: the detail is in the server log under the request id (INTERNAL_SERVER_ERROR)."),
    "Error": _error("Any other error (METHOD_NOT_ALLOWED, RATE_LIMITED, SERVICE_UNAVAILABLE, …)."),
}

BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "budgetql REST API",
        "version": "0.1.0",
        "description": "The spec's /budgets routes over the same services as GraphQL (/graphql, whose contract "
        "is schema.graphql). " + __doc__.split("\n\n")[-1].strip(),
    },
    "components": {
        "schemas": SCHEMAS,
        "responses": RESPONSES,
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "With BUDGETQL_AUTH=jwt: a token whose sub is the viewer. Not used with authentication off.",
            }
        },
    },
    # Authentication off (the default) takes no token; with BUDGETQL_AUTH=jwt, a bearer token.
    "security": [{}, {"bearer": []}],
}


# What every operation may answer, whatever it does: written once here rather than in
# every docstring. An operation's own YAML may still say it differently (it wins).
EVERY_OPERATION = {
    "401": {"$ref": "#/components/responses/Unauthenticated"},
    "500": {"$ref": "#/components/responses/InternalError"},
    "default": {"$ref": "#/components/responses/Error"},
}
# ... and every operation that reads a body (rest.read_object).
WITH_BODY = {
    "413": {"$ref": "#/components/responses/PayloadTooLarge"},
    "422": {"$ref": "#/components/responses/Unreadable"},
}


def with_common_responses(operation: dict[str, Any]) -> dict[str, Any]:
    """``operation`` with the responses every operation (and every body) shares added
    where it does not name them; an operation open to anyone (``security: [{}]``) cannot
    answer 401."""
    common = dict(EVERY_OPERATION)
    if operation.get("security") == [{}]:
        del common["401"]
    if "requestBody" in operation:
        common.update(WITH_BODY)
    return {**operation, "responses": {**common, **operation.get("responses", {})}}


def json_content(part: dict[str, Any]) -> dict[str, Any]:
    """A request body or a response whose docstring YAML says ``json: <schema>`` (every
    body here is JSON), with it written as OpenAPI's ``content: {application/json:
    {schema: <schema>}}``, in its place; the full form is taken as it is."""
    if "json" not in part:
        return part
    return {
        ("content" if key == "json" else key): {"application/json": {"schema": value}} if key == "json" else value
        for key, value in part.items()
    }


def expanded(operation: dict[str, Any]) -> dict[str, Any]:
    """``operation`` from an endpoint's docstring, its ``json:`` bodies written out."""
    operation = {**operation, "responses": {status: json_content(r) for status, r in operation.get("responses", {}).items()}}
    if "requestBody" in operation:
        operation["requestBody"] = json_content(operation["requestBody"])
    return operation


def document(routes: list[BaseRoute]) -> dict[str, Any]:
    """The OpenAPI document of the routes that document themselves (``---`` YAML in
    their endpoint's docstring), paths in the order the routes match."""
    schema = SchemaGenerator({**BASE, "paths": {}}).get_schema(routes)
    for path, operations in schema["paths"].items():
        schema["paths"][path] = {method: with_common_responses(expanded(op)) for method, op in operations.items()}
    return schema


async def openapi_json(request: Request) -> Response:
    """This document.
    ---
    summary: The OpenAPI document of these routes
    operationId: getOpenAPI
    tags: [meta]
    security: [{}]
    responses:
      "200":
        description: OpenAPI 3.1
        content:
          application/json:
            schema: {type: object}
    """
    cached = getattr(request.app.state, "openapi", None)
    if cached is None:
        cached = request.app.state.openapi = rest.to_json(document(request.app.routes))
    return Response(cached, media_type="application/json")

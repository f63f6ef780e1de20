"""Errors as data (``UserError``), the masking of unexpected failures, and a stable
``code`` on every error a client sees: GraphQL errors (HTTP and WebSocket) carry
``extensions.code``, REST and HTTP-level error bodies a ``code`` field."""

from __future__ import annotations

import json
import logging
from typing import Any

import strawberry
from starlette.responses import Response

from domain.errors import ErrorCode

from graph.request_ids import current_request_id

log = logging.getLogger("budgetql.graph")


UserErrorCode = strawberry.enum(ErrorCode, name="UserErrorCode", description="Stable machine-readable error codes.")


HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "BAD_REQUEST",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}

def http_code(status: int) -> str:
    return HTTP_CODES.get(status, f"HTTP_{status}")

def is_graphql_path(path: str) -> bool:
    return path.rstrip("/").endswith("/graphql")

def error_response(path: str, status: int, code: str, message: str, **extra: Any) -> Response:
    """An error body in the shape the route's clients read: GraphQL's
    ``{"errors": [{"message", "extensions": {"code"}}]}`` under ``/graphql``, the REST
    routes' ``{"detail", "code"}`` elsewhere."""
    if not is_graphql_path(path):
        return detail_response(status, code, message, **extra)
    body: dict[str, Any] = {"errors": [{"message": message, "extensions": {"code": code, **extra}}]}
    return Response(json.dumps(body), status_code=status, media_type="application/json")


def detail_response(status: int, code: str | None, message: str, **extra: Any) -> Response:
    """The REST routes' error body, the spec's ``{"detail": ...}`` with budgetql's stable
    ``code`` (and a 401's ``WWW-Authenticate``)."""
    body = {"detail": message, "code": code or http_code(status), **extra}
    response = Response(json.dumps(body), status_code=status, media_type="application/json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="budgetql"'
    return response

def internal_error_response(path: str) -> Response:
    request_id = current_request_id()
    return error_response(
        path, 500, "INTERNAL_SERVER_ERROR", f"Internal server error (request id {request_id})", requestId=request_id
    )

async def http_exception(request, exc) -> Response:
    """Starlette's handler for its ``HTTPException`` (an unknown route, a wrong method)."""
    return error_response(request.url.path, exc.status_code, http_code(exc.status_code), str(exc.detail))

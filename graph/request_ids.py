"""The id of the request being served, for logs and error messages alike (HTTP and
GraphQL both read it, so it sits beside them, not inside either)."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("budgetql_request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def current_request_id() -> str:
    """The current request's id; outside a request a fresh one (e.g. the Python API)."""
    return REQUEST_ID.get() or new_request_id()

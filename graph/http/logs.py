"""Structured logs: one JSON object a line, each with the request id of the request
(or WebSocket connection) it belongs to.

* :data:`REQUEST_ID` holds the current request id; :class:`RequestContext` (an ASGI
  middleware) sets it for each HTTP request and WebSocket connection, returns it as
  the ``X-Request-Id`` response header and writes one access line per request.
* :class:`JsonFormatter` writes ``ts``, ``level``, ``logger``, ``message``,
  ``request_id`` (null outside a request), whatever ``extra`` fields a call passed,
  and ``exc`` (the traceback) for errors.

What is never logged: headers (so no Authorization or tokens), query strings,
GraphQL documents, variables, request or response bodies (so no amounts).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone
from typing import Any

from graph.request_ids import REQUEST_ID, new_request_id

HEADER = "x-request-id"

access_log = logging.getLogger("budgetql.access")

# Attributes every LogRecord has; anything else on a record came from `extra=`.
# (uvicorn's `color_message` is its message again, with terminal colours.)
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def log_config(level: str = "info") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the server: everything (uvicorn's own lines
    too) as JSON on stderr. Uvicorn's access log is left out: :class:`RequestContext`
    writes one line per request instead, with the request id and without the query string."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


class RequestContext:
    """ASGI middleware: a new request id per HTTP request / WebSocket connection (a
    client's own ``X-Request-Id`` is not taken: it would put client text in every line),
    the ``X-Request-Id`` response header, one access line per request, and a JSON 500
    for anything that escaped."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        token = REQUEST_ID.set(request_id)
        started = time.monotonic()
        status: int | None = None
        header = (HEADER.encode(), request_id.encode())

        async def send_with_id(message) -> None:
            nonlocal status
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), header]}
            elif kind == "websocket.accept":
                status = 101
                message = {**message, "headers": [*message.get("headers", []), header]}
            elif kind == "websocket.close" and status is None:
                status = 403  # refused before accepting
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: log, answer 500
            from graph.api.core.errors import log_unexpected
            from graph.http.errors import internal_error_response

            log_unexpected(exc)
            if scope["type"] == "http" and status is None:
                await internal_error_response(scope["path"])(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s %s %s",
                scope.get("method", "WS"),
                scope.get("path", ""),
                status if status is not None else "-",
                extra={
                    "method": scope.get("method", "WS"),
                    "path": scope.get("path", ""),
                    "status": status,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            REQUEST_ID.reset(token)


"""graphql-transport-ws as budgetql speaks it: every error carries ``extensions.code``,
and each operation is counted so that stopping can wait for its ``complete``."""

from __future__ import annotations

import contextlib
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler

from graph.api.core.errors import with_code


class BudgetTransportWSHandler(BaseGraphQLTransportWSHandler):
    async def send_message(self, message) -> None:
        # Strawberry's handler makes some errors itself (e.g. "Subscription limit
        # reached"), outside the schema's extensions: give those a code too.
        if message.get("type") == "error":
            message = {**message, "payload": [_ws_error(e) for e in message.get("payload") or []]}
        elif message.get("type") == "next" and (message.get("payload") or {}).get("errors"):
            payload = message["payload"]
            message = {**message, "payload": {**payload, "errors": [with_code(e) for e in payload["errors"]]}}
        await super().send_message(message)

    async def run_operation(self, operation) -> None:
        lifecycle = getattr(getattr(self.view, "app_state", None), "lifecycle", None)
        with lifecycle.operation() if lifecycle is not None else contextlib.nullcontext():
            await super().run_operation(operation)


def _ws_error(formatted: dict[str, Any]) -> dict[str, Any]:
    if formatted.get("message") == "Subscription limit reached":
        return with_code(formatted, "TOO_MANY_SUBSCRIPTIONS")
    return with_code(formatted)

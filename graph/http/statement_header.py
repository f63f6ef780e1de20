"""``X-Statement-Count``: how many SQL statements served this HTTP request.

Mounted only when ``BUDGETQL_STATEMENT_COUNTER=1`` (the benchmark reads it from the
real server); off by default, when neither this middleware nor the engine listener
exists.
"""

from __future__ import annotations

from persistence import statements

HEADER = b"x-statement-count"


class StatementCountHeader:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        with statements.counting() as count:

            async def send_with_count(message):
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message.get("headers", []), (HEADER, str(count[0]).encode())]}
                await send(message)

            await self.app(scope, receive, send_with_count)

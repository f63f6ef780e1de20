"""An ASGI middleware answering 413 ``PAYLOAD_TOO_LARGE`` to a request body over the
limit, GraphQL or REST, whether or not it declares its length."""

from __future__ import annotations

PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"


class BodyLimit:
    """Read the whole request body (at most ``max_bytes``) before the app sees it; answer
    413 instead when it is larger, as soon as that is known (``Content-Length``, or while
    reading a chunked body). The app then reads the body as usual."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_large = int(value) > self.max_bytes
                except ValueError:
                    too_large = False
                if too_large:
                    await self._reject(scope, receive, send)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._reject(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope, receive, send) -> None:
        from graph.http.errors import error_response

        message = f"Request body too large: at most {self.max_bytes} bytes"
        await error_response(scope["path"], 413, PAYLOAD_TOO_LARGE, message)(scope, receive, send)

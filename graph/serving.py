"""The uvicorn server behind ``budgetql serve``, with a clean stop on SIGTERM."""

from __future__ import annotations

import uvicorn


class DrainingServer(uvicorn.Server):
    """On SIGTERM (or Ctrl-C): stop accepting connections, end every subscription with
    ``complete`` and set ``app.state.stopping`` (see ``graph/lifecycle.py``), then
    uvicorn's own graceful shutdown: in-flight HTTP requests finish (for at most
    ``timeout_graceful_shutdown`` seconds), then the app's lifespan ends."""

    def __init__(self, config: uvicorn.Config, app) -> None:
        super().__init__(config)
        self.budgetql_app = app

    async def shutdown(self, sockets=None) -> None:
        for listener in self.servers:
            listener.close()
        state = self.budgetql_app.state
        if hasattr(state, "lifecycle") and hasattr(state, "services"):
            await state.lifecycle.drain(state.services.hub)
        await super().shutdown(sockets)

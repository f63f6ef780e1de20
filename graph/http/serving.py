"""The uvicorn server behind ``budgetql serve``, with a clean stop on SIGTERM."""

from __future__ import annotations

import gc

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


# Objects allocated before a collection of the youngest generation: CPython's default
# (700) made a server with 500 live subscriptions collect every few deliveries.
GC_GEN0_THRESHOLD = 10_000


def tune_gc() -> None:
    """For a server process, once the app is built: move everything allocated so far
    (modules, the schema) out of the collector's sight, and collect the young
    generation less often. With 1,000 subscribers this halved p99 alert delivery
    (bench/README.md, figure 5); the cost is up to 10,000 young objects awaiting a
    collection instead of 700."""
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, older, oldest)


def served_app():
    """``budgetql serve --workers N``: each worker process builds its app from the
    environment, then tunes its collector like a single-process server."""
    from graph.app import create_app

    app = create_app()
    tune_gc()
    return app

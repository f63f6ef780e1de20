"""Stopping cleanly: what the server does between SIGTERM and exit.

``app.state.lifecycle`` (one per app) holds:

* ``stopping``, an ``asyncio.Event`` set as soon as the server begins to stop. A
  background worker (e.g. an outbox or webhook deliverer) checks it between units of
  work and waits on it instead of sleeping, so it stops between deliveries, never in
  the middle of one::

      async def run(stopping: asyncio.Event) -> None:
          while not stopping.is_set():
              delivered = await deliver_one_batch()      # one unit of work
              if not delivered:
                  with contextlib.suppress(asyncio.TimeoutError):
                      await asyncio.wait_for(stopping.wait(), timeout=poll_seconds)

      app.state.lifecycle.background(run(app.state.lifecycle.stopping), name="webhooks")

  Tasks started with :meth:`Lifecycle.background` are awaited at shutdown (and
  cancelled only if they outlast ``shutdown_timeout``).
* a count of the WebSocket operations in flight, so that :meth:`Lifecycle.drain` can
  end every subscription (its ``complete`` message reaches the client) before the
  server closes the connections.

``budgetql serve`` calls :meth:`drain` on SIGTERM, before uvicorn closes connections
(uvicorn itself lets in-flight HTTP requests finish); the app's lifespan calls it
again at shutdown (a no-op the second time), then stops background tasks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Coroutine, Iterator

log = logging.getLogger("budgetql.lifecycle")


class Lifecycle:
    def __init__(self) -> None:
        self.stopping = asyncio.Event()
        self._operations = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks: set[asyncio.Task] = set()

    # -- WebSocket operations --------------------------------------------------------
    @contextlib.contextmanager
    def operation(self) -> Iterator[None]:
        """Around one WebSocket operation, until its last message has been sent."""
        self._operations += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._operations -= 1
            if self._operations == 0:
                self._idle.set()

    @property
    def operations_in_flight(self) -> int:
        return self._operations

    # -- background tasks ------------------------------------------------------------
    def background(self, coro: Coroutine[Any, Any, Any], *, name: str | None = None) -> asyncio.Task:
        """Run ``coro`` until it returns; it should return soon after ``stopping`` is set."""
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- stopping --------------------------------------------------------------------
    async def drain(self, hub, timeout: float = 10.0) -> None:
        """Begin stopping: set ``stopping``, refuse new subscriptions, end the live ones,
        and wait (at most ``timeout`` seconds) until every WebSocket operation has sent
        its last message."""
        first = not self.stopping.is_set()
        self.stopping.set()
        hub.close_all()
        if first:
            log.info("stopping: ending %d WebSocket operation(s)", self._operations)
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except asyncio.TimeoutError:
            log.warning("stopping: %d WebSocket operation(s) still running", self._operations)

    async def stop_background(self, timeout: float) -> None:
        self.stopping.set()
        tasks = list(self._tasks)
        if not tasks:
            return
        done, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                log.error("background task %s failed", task.get_name(), exc_info=task.exception())
        for task in pending:
            log.warning("stopping: cancelling background task %s after %.0fs", task.get_name(), timeout)
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

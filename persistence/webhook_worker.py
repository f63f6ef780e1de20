"""The webhook worker: a background task that POSTs queued deliveries.

Deliveries are rows written in the same transaction as their alert, so nothing here
decides *what* to send; the worker only sends what is due and records how it went:

* It wakes when alerts commit (it listens on the alert hub, which every process's
  bus feeds) and polls every ``poll_seconds`` as a fallback, or sooner when a retry
  falls due.
* It claims a batch of due deliveries by moving their next attempt time to a lease
  (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has a single writer), so
  several server processes on one database never send one delivery at the same time.
  A worker that dies mid-send leaves the lease to run out, and the delivery is tried
  again (at least once, never lost).
* Each attempt is recorded only while the claim still holds: status code or error,
  attempts, and the next attempt after an exponential backoff, or ``failed`` after
  the last attempt (``domain.webhooks.DeliveryPolicy``).
* It sends only to public addresses, checked and pinned at each connection, and
  never follows redirects (``persistence/webhook_network.py``); a refused address is
  a failed delivery at once ("address not allowed"), never retried.
* ``stop()`` lets the batch in flight finish and record, then stops: what is still
  pending is in the database and is sent after the next start.

It uses its own small connection pool, so deliveries never compete with requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import datetime, timedelta
from typing import Callable

import httpcore
import httpx
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.alerts import delivery
from domain.models import utcnow
from domain.webhooks import rules as webhooks
from domain.webhooks.rules import DeliveryPolicy

from .database import create_engine
from .unit_of_work import SqlUnitOfWorkFactory
from .webhook_network import AddressNotAllowed, Resolve, Sender, resolve
from .webhook_repository import Claim

log = logging.getLogger("budgetql.webhooks")

USER_AGENT = "budgetql-webhooks/1"
LEASE_MARGIN = timedelta(seconds=60)  # beyond the request timeout, for recording the result
IDLE_FLOOR = 0.05  # seconds between looks when due deliveries are being claimed by others
ERROR_CHARS = 500


def _own_engine(shared: AsyncEngine) -> tuple[AsyncEngine, bool]:
    """A small pool of its own; an in-memory SQLite database exists only on the shared one."""
    if shared.dialect.name == "sqlite" and (shared.url.database or ":memory:") == ":memory:":
        return shared, False
    url = make_url(shared.url).render_as_string(hide_password=False)
    return create_engine(url, pool_size=2, max_overflow=2), True


class WebhookWorker:
    def __init__(
        self,
        engine: AsyncEngine,
        hub,
        policy: DeliveryPolicy,
        *,
        poll_seconds: float = 5.0,
        batch: int = 10,
        spread: Callable[[], float] = random.random,
        allow_private: bool = False,
        resolver: Resolve = resolve,
    ):
        if not poll_seconds > 0:
            raise ValueError(f"poll_seconds must be > 0 (got {poll_seconds!r})")
        self.shared_engine = engine
        self.hub = hub
        self.policy = policy
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.spread = spread
        self.allow_private = allow_private  # BUDGETQL_WEBHOOK_ALLOW_PRIVATE: development only
        self.resolver = resolver
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        self.engine, self._owns_engine = _own_engine(self.shared_engine)
        self.uow = SqlUnitOfWorkFactory(self.engine)
        self.sender = Sender(
            timeout=self.policy.timeout_seconds, user_agent=USER_AGENT,
            allow_private=self.allow_private, resolver=self.resolver,
        )
        self._alerts = self.hub.subscribe("*", lambda _event: True)
        self._tasks = [
            asyncio.create_task(self._watch_alerts(), name="budgetql-webhook-wake"),
            asyncio.create_task(self._run(), name="budgetql-webhook-worker"),
        ]

    async def stop(self) -> None:
        """Finish the deliveries in flight (bounded by the request timeout), then stop."""
        self._stopping.set()
        self._wake.set()
        waker, runner = self._tasks
        try:
            await asyncio.wait_for(asyncio.shield(runner), timeout=self.policy.timeout_seconds + 10)
        except Exception:  # noqa: BLE001 - a timeout or a failure: stop regardless
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner
        self._alerts.close()
        waker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waker
        await self.sender.aclose()
        if self._owns_engine:
            await self.engine.dispose()

    async def _watch_alerts(self) -> None:
        async for _event in self._alerts:
            self._wake.set()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before looking: an alert committed meanwhile wakes the next wait
            try:
                sent, due = await self._round()
            except Exception:  # noqa: BLE001 - the database may be away; keep going
                log.exception("webhook worker round failed; retrying in %.1fs", self.poll_seconds)
                sent, due = 0, None
            if sent:
                continue  # more may be due right away
            await self._sleep(due)

    async def _sleep(self, due: datetime | None) -> None:
        timeout = self.poll_seconds
        if due is not None:
            timeout = min(timeout, max(IDLE_FLOOR, (due - utcnow()).total_seconds()))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _round(self) -> tuple[int, datetime | None]:
        """Send one batch of due deliveries; how many, and when the next one is due."""
        async with self.uow() as uow:  # a read first: an idle worker takes no write lock
            due = await uow.webhooks.next_due()
        now = utcnow()
        if due is None or due > now:
            return 0, due
        async with self.uow(write=True) as uow:
            claims = await uow.webhooks.claim(now, now + timedelta(seconds=self.policy.timeout_seconds) + LEASE_MARGIN, self.batch)
        await asyncio.gather(*(self._deliver(c) for c in claims))
        return len(claims), due

    async def _deliver(self, claim: Claim) -> None:
        status_code, error = await self._post(claim)
        attempts = claim.attempts + 1
        now = utcnow()
        refused = error == webhooks.ADDRESS_NOT_ALLOWED
        status, next_at = self.policy.after_attempt(
            attempts, webhooks.succeeded(status_code), now, self.spread(), final=refused
        )
        try:
            async with self.uow(write=True) as uow:
                kept = await uow.webhooks.record(
                    claim, status=status, attempts=attempts, next_attempt_at=next_at,
                    status_code=status_code, error=error, now=now,
                )
        except Exception:  # noqa: BLE001 - the lease runs out and it is tried again
            log.exception("could not record webhook delivery %s; it will be retried", claim.id)
            return
        if not kept:
            log.info("webhook delivery %s was deleted or reclaimed meanwhile", claim.id)
        elif status is webhooks.DeliveryStatus.FAILED:
            log.warning("webhook delivery %s failed after %d attempts: %s", claim.id, attempts, error)
        elif error:
            log.info("webhook delivery %s attempt %d: %s; next at %s", claim.id, attempts, error, next_at.isoformat())

    async def _post(self, claim: Claim) -> tuple[int | None, str | None]:
        """POST the alert; the status code (if any answer came) and what went wrong."""
        raw = delivery.body(claim.event)
        timeout = self.policy.timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                code, reason = await self.sender.post(claim.url, raw, delivery.headers(claim.secret, raw, claim.id))
        except AddressNotAllowed:
            return None, webhooks.ADDRESS_NOT_ALLOWED  # which address, the log does not say
        except (asyncio.TimeoutError, httpcore.TimeoutException):
            return None, f"timed out after {timeout:g}s"
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol, httpcore.ProxyError, httpx.InvalidURL) as exc:
            return None, f"{exc.__class__.__name__}: {exc}"[:ERROR_CHARS]
        except Exception as exc:  # noqa: BLE001 - recorded as a failed attempt, never lost
            log.exception("webhook delivery %s failed unexpectedly", claim.id)
            return None, f"{exc.__class__.__name__}: {exc}"[:ERROR_CHARS]
        if webhooks.succeeded(code):
            return code, None
        return code, f"HTTP {code} {reason}".strip()[:ERROR_CHARS]

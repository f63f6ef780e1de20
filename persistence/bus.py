"""The notification bus: committed alerts reach every subscriber in every process.

* :class:`AlertHub` fans alerts out to this process's subscribers (in memory).
* :class:`InProcessBus` (SQLite, one process) loads alerts after their commit and
  hands them to the hub.
* :class:`PostgresBus` LISTENs on a dedicated asyncpg connection. Writers NOTIFY in
  the writing transaction with the new alert seqs (ids, not payloads: NOTIFY payloads
  are capped at 8,000 bytes), so a notification exists exactly when the alert was
  committed. Each process loads the alerts once and fans them out (a process where
  nobody subscribes reads nothing). A dropped listener
  reconnects with backoff and catches up from the outbox.
* Live ``budgetProgress`` streams are :class:`Watch` objects on the same hub: committed writes
  announce which users' spending and which budgets changed (``persistence/changes.py``:
  NOTIFY on PostgreSQL, in-process on SQLite), and each concerned watch re-reads its
  figures. A reconnected listener wakes every watch, having possibly missed some.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict, defaultdict
from datetime import timedelta
from typing import AsyncIterator, Callable, Sequence

from domain.alerts.rules import AlertEvent
from domain.errors import BudgetError, ErrorCode
from domain.models import utcnow
from domain.ports import UnitOfWorkFactory

from .alert_repository import CHANNEL
from .changes import CHANNEL as CHANGES, Changes, decode

log = logging.getLogger("budgetql.bus")

QUEUE_MAX = 10_000
RECENT_MAX = 50_000


class Subscription:
    def __init__(self, hub: "AlertHub", key: str, accepts: Callable[[AlertEvent], bool]):
        self.hub = hub
        self.key = key
        self.accepts = accepts
        self.queue: asyncio.Queue[AlertEvent | None] = asyncio.Queue(QUEUE_MAX)

    def offer(self, event: AlertEvent) -> None:
        if self.accepts(event):
            try:
                self.queue.put_nowait(event)
            except asyncio.QueueFull:  # a stalled client: drop it rather than memory
                log.warning("subscription queue full for %s; closing it", self.key)
                self.close()

    def close(self) -> None:
        self.hub._remove(self)
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)

    async def __aiter__(self) -> AsyncIterator[AlertEvent]:
        while (event := await self.queue.get()) is not None:
            yield event


class Watch:
    """A live ``budgetProgress``: woken (``changed`` set) by any committed write that
    concerns its budget or one of the users whose spending counts in it (``users``,
    kept current by its reader)."""

    def __init__(self, hub: "AlertHub", key: str, budget_id: str, users: frozenset[str]):
        self.hub = hub
        self.key = key
        self.budget_id = budget_id
        self.users = users
        self.changed = asyncio.Event()
        self.closed = False

    def concerns(self, changes) -> bool:
        return self.budget_id in changes.budgets or not self.users.isdisjoint(changes.users)

    def wake(self) -> None:
        self.changed.set()

    def close(self) -> None:
        self.hub._remove_watch(self)
        self.closed = True
        self.changed.set()


def _discard(by_key: dict, item: Subscription | Watch) -> None:
    """Take ``item`` out of its key's set, and the key out when nothing is left under it."""
    live = by_key.get(item.key)
    if live is not None:
        live.discard(item)
        if not live:
            del by_key[item.key]


class AlertHub:
    """In-process fan-out, keyed by user: an alert goes to the subscriptions of each of
    its ``recipients`` (its budget's owner and members). ``per_key_limit`` caps live
    subscriptions per user."""

    def __init__(self, per_key_limit: int = 100):
        self.per_key_limit = per_key_limit
        self._subs: dict[str, set[Subscription]] = defaultdict(set)
        self._watches: dict[str, set[Watch]] = defaultdict(set)  # by key, as _subs
        self._recent: OrderedDict[int, None] = OrderedDict()
        self.closed = False

    def subscribe(self, key: str, accepts: Callable[[AlertEvent], bool]) -> Subscription:
        self._check_limit(key)
        sub = Subscription(self, key, accepts)
        self._subs[key].add(sub)
        return sub

    def watch(self, key: str, budget_id: str, users: frozenset[str]) -> Watch:
        """Wake on changes to a budget's figures; counted against ``key``'s limit with its
        alert subscriptions."""
        self._check_limit(key)
        w = Watch(self, key, budget_id, users)
        self._watches[key].add(w)
        return w

    def _check_limit(self, key: str) -> None:
        if self.closed:
            raise BudgetError(ErrorCode.SERVICE_UNAVAILABLE, "The server is shutting down: subscribe again shortly")
        live = len(self._subs.get(key, ())) + len(self._watches.get(key, ()))
        if live >= self.per_key_limit:
            raise BudgetError(
                ErrorCode.VALIDATION, f"Too many live subscriptions for {key} (at most {self.per_key_limit})"
            )

    def _remove_watch(self, w: Watch) -> None:
        _discard(self._watches, w)

    def _all_watches(self) -> list[Watch]:
        return [w for ws in self._watches.values() for w in ws]

    @property
    def subscribed(self) -> bool:
        """Whether any ``budgetAlerts`` subscription is live here."""
        return bool(self._subs)

    @property
    def watching(self) -> bool:
        """Whether any live ``budgetProgress`` waits for change notices here."""
        return bool(self._watches)

    def changed(self, changes) -> None:
        """A committed write changed these users' spending and these budgets."""
        if not self._watches:
            return
        for w in self._all_watches():
            if w.concerns(changes):
                w.wake()

    def wake_all(self) -> None:
        """Changes may have been missed (a listener reconnected): every watch re-reads."""
        for w in self._all_watches():
            w.wake()

    def _remove(self, sub: Subscription) -> None:
        _discard(self._subs, sub)

    def passed(self, seqs: Sequence[int]) -> None:
        """Alerts announced while nobody here subscribed: as delivered (to nobody), so a
        later catch-up does not hand them to those who subscribe after."""
        for seq in seqs:
            self._mark(seq)

    def _mark(self, seq: int) -> bool:
        """Remember ``seq`` as delivered; False if it was already."""
        if seq in self._recent:
            return False
        self._recent[seq] = None
        if len(self._recent) > RECENT_MAX:
            self._recent.popitem(last=False)
        return True

    def deliver(self, events: Sequence[AlertEvent]) -> None:
        """Hand each alert to matching subscribers once, however often it is announced."""
        for event in sorted(events, key=lambda e: e.seq):
            if not self._mark(event.seq):
                continue
            # The owner and the budget's members (``recipients``), each under their own key.
            for key in sorted(event.recipients) + ["*"]:
                for sub in list(self._subs.get(key, ())):
                    sub.offer(event)

    def close_all(self) -> None:
        """End every subscription (the server is stopping) and refuse new ones."""
        self.closed = True
        for subs in list(self._subs.values()):
            for sub in list(subs):
                sub.close()
        for w in self._all_watches():
            w.close()

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subs.values()) + sum(len(w) for w in self._watches.values())


class InProcessBus:
    """For SQLite: a single process, so the writer hands alerts to the hub itself."""

    def __init__(self, hub: AlertHub, uow: UnitOfWorkFactory):
        self.hub = hub
        self.uow = uow

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def committed(self, seqs: Sequence[int]) -> None:
        if not self.hub.subscribed:
            self.hub.passed(seqs)
            return
        async with self.uow() as uow:
            self.hub.deliver(await uow.alerts.by_seqs(seqs))

    async def changed(self, changes: Changes) -> None:
        self.hub.changed(changes)


class PostgresBus:
    """LISTEN/NOTIFY across processes, with reconnect and catch-up."""

    CATCH_UP = timedelta(seconds=30)

    def __init__(self, hub: AlertHub, uow: UnitOfWorkFactory, dsn: str):
        self.hub = hub
        self.uow = uow
        self.dsn = dsn
        self._task: asyncio.Task | None = None
        self._stopping = asyncio.Event()
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="budgetql-alert-listener")
        try:
            await asyncio.wait_for(self.connected.wait(), timeout=10)
        except asyncio.TimeoutError:
            log.warning("alert listener not connected yet; it keeps retrying")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def committed(self, seqs: Sequence[int]) -> None:
        return None  # the NOTIFY sent in the writing transaction reaches every process, this one too

    async def changed(self, changes: Changes) -> None:
        return None  # likewise (CHANGES)

    async def _run(self) -> None:
        import asyncpg

        delay = 0.2
        lost_at = None
        while not self._stopping.is_set():
            conn = None
            try:
                conn = await asyncpg.connect(self.dsn, timeout=5)
                inbox: asyncio.Queue[str] = asyncio.Queue()
                await conn.add_listener(CHANNEL, lambda *args: inbox.put_nowait(args[3]))
                # Progress notices go straight to the hub: ids only, nothing to load, and
                # not even decoded in a process where no budgetProgress is live.
                await conn.add_listener(CHANGES, lambda *args: self.hub.watching and self.hub.changed(decode(args[3])))
                conn.add_termination_listener(lambda _c: inbox.put_nowait(""))
                self.connected.set()
                delay = 0.2
                if lost_at is not None:
                    self.hub.wake_all()
                    await self._catch_up(lost_at - self.CATCH_UP)
                    lost_at = None
                while True:
                    payload = await inbox.get()
                    if payload == "":
                        raise ConnectionError("listener connection closed")
                    seqs = [int(x) for x in payload.split(",") if x]
                    # Batch whatever else has arrived meanwhile into one read.
                    while not inbox.empty():
                        more = inbox.get_nowait()
                        if more == "":
                            raise ConnectionError("listener connection closed")
                        seqs.extend(int(x) for x in more.split(",") if x)
                    if self.hub.subscribed:
                        await self._load(seqs)
                    else:  # no alert subscription here: nothing to read, nobody to tell
                        self.hub.passed(seqs)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep listening whatever happened
                self.connected.clear()
                lost_at = lost_at or utcnow()
                log.warning("alert listener lost (%s); reconnecting in %.1fs", exc.__class__.__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            finally:
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await conn.close(timeout=1)

    async def _load(self, seqs: Sequence[int]) -> None:
        async with self.uow() as uow:
            self.hub.deliver(await uow.alerts.by_seqs(seqs))

    async def _catch_up(self, since) -> None:
        async with self.uow() as uow:
            events = await uow.alerts.raised_since(since)
        log.info("alert listener caught up %d alert(s)", len(events))
        self.hub.deliver(events)


def make_bus(hub: AlertHub, uow: UnitOfWorkFactory, engine) -> "InProcessBus | PostgresBus":
    """LISTEN/NOTIFY on PostgreSQL (many processes); in-process on SQLite (one)."""
    if engine.dialect.name == "postgresql":
        url = engine.url.set(drivername="postgresql")
        return PostgresBus(hub, uow, url.render_as_string(hide_password=False))
    return InProcessBus(hub, uow)

"""Use cases for raised alerts: list, acknowledge, and replay for reconnecting clients."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from . import validation as v
from .alerts import AlertEvent
from .errors import not_found, validation
from .models import utcnow
from .ports import Page, UnitOfWorkFactory
from .service import PAGE_MAX

REPLAY_MAX = 1000


class AlertService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Callable[[], datetime] = utcnow):
        self.uow = uow
        self.clock = clock

    async def list(
        self,
        user_id: str,
        budget_id: str | None = None,
        unacknowledged_only: bool = False,
        first: int = 50,
        after: str | None = None,
    ) -> Page[AlertEvent]:
        user = v.user_id(user_id, "userId")
        if not isinstance(first, int) or not 0 <= first <= PAGE_MAX:
            raise validation(f"first must be between 0 and {PAGE_MAX} (got {first})", "first")
        async with self.uow() as uow:
            return await uow.alerts.page(user, budget_id, bool(unacknowledged_only), first, after)

    async def acknowledge(self, alert_id: str) -> AlertEvent:
        async with self.uow(write=True) as uow:
            event = await uow.alerts.acknowledge(alert_id, self.clock())
        if event is None:
            raise not_found(f"Alert with ID {alert_id} not found", "id")
        return event

    async def replay(self, user_id: str, budget_id: str | None, since_id: str) -> list[AlertEvent]:
        """Alerts for the filter raised after ``since_id``, oldest first."""
        async with self.uow() as uow:
            since = await uow.alerts.get(since_id)
            if since is None:
                raise not_found(f"Alert with ID {since_id} not found: pass the id of an alert you received", "since")
            return await uow.alerts.after(since.seq, user_id, budget_id, REPLAY_MAX)

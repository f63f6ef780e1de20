"""Use cases for raised alerts: list, acknowledge, and replay for reconnecting clients.

A user reads the alerts of their own budgets and of budgets shared with them; the
owner and EDITOR members acknowledge them (acknowledging is shared by all members).
"""

from __future__ import annotations

from typing import Sequence

from domain.access import Actor, can_edit, can_read, owns, require_user
from domain.alerts.rules import AlertEvent
from domain.errors import forbidden, not_found
from domain.models import Budget
from domain.ports import Page
from domain.service import Service
from domain.paging import page_size
from domain.validation import record_id

REPLAY_MAX = 1000


def budget_audience(budget: Budget) -> frozenset[str]:
    """Who receives a budget's alerts: its owner and its members."""
    return frozenset({budget.user_id, *(m.user_id for m in budget.members)})


def _may_read(actor: Actor, event: AlertEvent, budget: Budget | None) -> bool:
    """An alert is its budget owner's (``user_id``) and its current members'."""
    return owns(actor, event.user_id) or (budget is not None and can_read(actor, budget))


class AlertService(Service):
    async def list(
        self,
        actor: Actor,
        user_id: str | None,
        budget_id: str | None = None,
        unacknowledged_only: bool = False,
        first: int = 50,
        after: str | None = None,
    ) -> Page[AlertEvent]:
        user = require_user(actor, user_id, "userId")
        if budget_id is not None:
            record_id(budget_id, "budgetId", label="budgetId")
        page_size(first)
        async with self.uow() as uow:
            return await uow.alerts.page(user, budget_id, bool(unacknowledged_only), first, after)

    async def find_many(self, actor: Actor, alert_ids: Sequence[str]) -> dict[str, AlertEvent]:
        """Those of ``alert_ids`` the caller may read, by id (two reads): as ``alerts``
        lists them, those of their own budgets and of budgets shared with them now."""
        async with self.uow() as uow:
            events = await uow.alerts.get_many(alert_ids)
            budgets = await uow.budgets.get_many(sorted({e.budget_id for e in events.values()}))
        return {i: e for i, e in events.items() if _may_read(actor, e, budgets.get(e.budget_id))}

    async def acknowledge(self, actor: Actor, alert_id: str) -> AlertEvent:
        async with self.uow(write=True) as uow:
            event = await uow.alerts.get(alert_id)
            budget = await uow.budgets.get(event.budget_id) if event is not None else None
            if event is None or not _may_read(actor, event, budget):
                raise not_found(f"Alert with ID {alert_id} not found", "id")
            if not (owns(actor, event.user_id) or can_edit(actor, budget)):
                raise forbidden(f"You may not acknowledge alert {alert_id}: only its budget's owner and editors may", "id")
            return await uow.alerts.acknowledge(alert_id, self.clock())

    async def subscriber(self, actor: Actor, user_id: str | None, budget_id: str | None) -> str:
        """The user a ``budgetAlerts`` subscription is for. Given a budget, it must be one
        whose alerts reach that user (theirs, or shared with them): NOT_FOUND otherwise,
        rather than a subscription that would never deliver anything."""
        user = require_user(actor, user_id, "userId")
        if budget_id is not None:
            async with self.uow() as uow:
                budget = await uow.budgets.get(budget_id)
            if budget is None or not can_read(actor, budget) or user not in budget_audience(budget):
                raise not_found(f"Budget with ID {budget_id} not found", "budgetId")
        return user

    async def replay(self, actor: Actor, user_id: str | None, budget_id: str | None, since_id: str) -> list[AlertEvent]:
        """Alerts for the filter raised after ``since_id``, oldest first."""
        user = require_user(actor, user_id, "userId")
        async with self.uow() as uow:
            since = await uow.alerts.get(since_id)
            if since is None:
                raise not_found(f"Alert with ID {since_id} not found: pass the id of an alert you received", "since")
            return await uow.alerts.after(since.seq, user, budget_id, REPLAY_MAX)

"""Alerts: the list, acknowledging, and the live ``budgetAlerts`` subscription."""

from __future__ import annotations

from typing import AsyncGenerator

import strawberry

from graph.api.alerts.types import BudgetAlert
from graph.api.context import Info


@strawberry.type
class AlertSubscriptions:
    @strawberry.subscription(
        description="Every alert for the user (default: the viewer) raised after subscribing, in order: those of "
        "their budgets and of budgets shared with them (and of one budget, if given). "
        "`since`: first replay stored alerts raised after that alert id, so a reconnecting client misses nothing."
    )
    async def budget_alerts(
        self,
        info: Info,
        user_id: str | None = None,
        budget_id: strawberry.ID | None = None,
        since: strawberry.ID | None = None,
    ) -> AsyncGenerator[BudgetAlert, None]:
        actor = info.context.actor
        budget = str(budget_id) if budget_id is not None else None
        user = await info.context.alerts.subscriber(actor, user_id, budget)
        # Subscribe before replaying, so nothing raised in between is missed; skip repeats.
        live = info.context.services.hub.subscribe(
            user, lambda e: user in e.recipients and (budget is None or e.budget_id == budget)
        )
        try:
            delivered: set[int] = set()
            if since:
                for event in await info.context.alerts.replay(actor, user, budget, str(since)):
                    delivered.add(event.seq)
                    yield BudgetAlert.from_domain(event)
            async for event in live:
                if event.seq not in delivered:
                    yield BudgetAlert.delivered(event)
        finally:
            live.close()

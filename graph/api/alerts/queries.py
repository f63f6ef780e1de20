"""Alerts: the list, acknowledging, and the live ``budgetAlerts`` subscription."""

from __future__ import annotations

import strawberry

from graph.api.alerts.types import AlertConnection, BudgetAlert
from graph.api.context import Info


@strawberry.type
class AlertQueries:
    @strawberry.field(
        description="A user's alerts (default: the viewer's), newest first: those of their budgets and of budgets "
        "shared with them."
    )
    async def alerts(
        self,
        info: Info,
        user_id: str | None = None,
        budget_id: strawberry.ID | None = None,
        unacknowledged_only: bool = False,
        first: int = 50,
        after: str | None = None,
    ) -> AlertConnection:
        page = await info.context.alerts.list(
            info.context.actor, user_id, str(budget_id) if budget_id else None, unacknowledged_only, first, after
        )
        return AlertConnection.from_page(page, BudgetAlert.from_domain)

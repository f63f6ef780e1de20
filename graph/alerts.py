"""Alerts: the list, acknowledging, and the live ``budgetAlerts`` subscription."""

from __future__ import annotations

from typing import AsyncGenerator

import strawberry

from domain.errors import BudgetError
from domain.validation import user_id as check_user_id

from .context import Info
from .errors import UserError, user_errors
from .types.alert import AlertConnection, BudgetAlert
from .types.pagination import connection_from_page


@strawberry.type
class AcknowledgeAlertPayload:
    alert: BudgetAlert | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AlertQueries:
    @strawberry.field(description="A user's alerts, newest first.")
    async def alerts(
        self,
        info: Info,
        user_id: str,
        budget_id: strawberry.ID | None = None,
        unacknowledged_only: bool = False,
        first: int = 50,
        after: str | None = None,
    ) -> AlertConnection:
        page = await info.context.alerts.list(
            user_id, str(budget_id) if budget_id else None, unacknowledged_only, first, after
        )
        return connection_from_page(AlertConnection, page, BudgetAlert.from_domain)


@strawberry.type
class AlertMutations:
    @strawberry.mutation(description="Mark an alert as seen.")
    async def acknowledge_alert(self, info: Info, id: strawberry.ID) -> AcknowledgeAlertPayload:
        try:
            event = await info.context.alerts.acknowledge(str(id))
        except BudgetError as exc:
            return AcknowledgeAlertPayload(errors=user_errors(exc))
        return AcknowledgeAlertPayload(alert=BudgetAlert.from_domain(event))


@strawberry.type
class AlertSubscriptions:
    @strawberry.subscription(
        description="Every alert for the user (and budget, if given) raised after subscribing, in order. "
        "`since`: first replay stored alerts raised after that alert id, so a reconnecting client misses nothing."
    )
    async def budget_alerts(
        self,
        info: Info,
        user_id: str,
        budget_id: strawberry.ID | None = None,
        since: strawberry.ID | None = None,
    ) -> AsyncGenerator[BudgetAlert, None]:
        user = check_user_id(user_id, "userId")
        budget = str(budget_id) if budget_id else None
        # Subscribe before replaying, so nothing raised in between is missed; skip repeats.
        live = info.context.services.hub.subscribe(
            user, lambda e: e.user_id == user and (budget is None or e.budget_id == budget)
        )
        try:
            delivered: set[int] = set()
            if since:
                for event in await info.context.alerts.replay(user, budget, str(since)):
                    delivered.add(event.seq)
                    yield BudgetAlert.from_domain(event)
            async for event in live:
                if event.seq not in delivered:
                    yield BudgetAlert.from_domain(event)
        finally:
            live.close()

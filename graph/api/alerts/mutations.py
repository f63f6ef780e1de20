"""Alerts: the list, acknowledging, and the live ``budgetAlerts`` subscription."""

from __future__ import annotations


import strawberry

from domain.errors import BudgetError

from graph.api.context import Info
from graph.api.core.errors import user_errors
from graph.api.alerts.types import BudgetAlert
from graph.api.alerts.types import AcknowledgeAlertPayload


@strawberry.type
class AlertMutations:
    @strawberry.mutation(description="Mark an alert as seen (its budget's owner and EDITOR members).")
    async def acknowledge_alert(self, info: Info, id: strawberry.ID) -> AcknowledgeAlertPayload:
        try:
            event = await info.context.alerts.acknowledge(info.context.actor, str(id))
        except BudgetError as exc:
            return AcknowledgeAlertPayload(errors=user_errors(exc))
        return AcknowledgeAlertPayload(alert=BudgetAlert.from_domain(event))

"""Alerts: the list, acknowledging, and the live ``budgetAlerts`` subscription."""

from __future__ import annotations

import strawberry

from graph.api.alerts.types import AcknowledgeAlertPayload
from graph.api.context import Info
from graph.api.core.errors import payload


@strawberry.type
class AlertMutations:
    @strawberry.mutation(description="Mark an alert as seen (its budget's owner and EDITOR members).")
    async def acknowledge_alert(self, info: Info, id: strawberry.ID) -> AcknowledgeAlertPayload:
        return await payload(
            AcknowledgeAlertPayload,
            lambda: info.context.alerts.acknowledge(info.context.actor, str(id)),
        )

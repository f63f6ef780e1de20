"""The ``BudgetAlert`` type (the spec's webhook payload) and its connection."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain.alerts import rules as alerts
from domain.mapping import copied
from graph.api.core.errors import payload_type
from graph.api.core.execution import shared_payload
from graph.api.core.identity_cache import IdentityCache
from graph.api.core.node import Node
from graph.api.core.pagination import Connection

# The hub hands one AlertEvent object to every subscription it reaches: one view of it.
_views: IdentityCache["BudgetAlert"] = IdentityCache(256)

AlertTypeEnum = strawberry.enum(
    alerts.AlertType,
    name="AlertType",
    description="WARNING at 80%, LIMIT_REACHED at 100%, OVERSPENDING at 110% of a limit (the budget's thresholds); "
    "PROJECTED_OVERSPEND when the pace of spending projects a category past its limit by period end; "
    "GOAL_REACHED once when a goal's saved amount reaches its target; GOAL_OFF_TRACK once per period that ended "
    "below what the goal needed.",
)


# Every field is a plain attribute, the same whoever receives the alert: one execution
# of a subscription's document serves every subscriber of a process (graph/execution.py).
@shared_payload
@strawberry.type(description="An alert raised when spending crossed a threshold; raised once per budget, period, category and type.")
class BudgetAlert(Node):
    id: strawberry.ID
    event: str = strawberry.field(description='Always "budget.alert".')
    alert_id: strawberry.ID
    budget_id: strawberry.ID
    user_id: str
    category: str | None = strawberry.field(description="Null for the budget's total.")
    alert_type: AlertTypeEnum
    severity: str = strawberry.field(description="info, warning, high or critical.")
    message: str
    percent_used: float | None
    spent_amount: Decimal
    budgeted_amount: Decimal
    remaining_amount: Decimal
    period_start: datetime
    timestamp: datetime
    acknowledged_at: datetime | None
    goal_id: strawberry.ID | None = strawberry.field(
        description="For GOAL_REACHED and GOAL_OFF_TRACK: the goal (spentAmount is what it saved, budgetedAmount "
        "its target or what the period needed)."
    )

    @classmethod
    def delivered(cls, e: alerts.AlertEvent) -> "BudgetAlert":
        """The view of a live event, shared by every subscriber it is delivered to."""
        return _views.get_or_make(e, cls.from_domain)

    @classmethod
    def from_domain(cls, e: alerts.AlertEvent) -> "BudgetAlert":
        return copied(
            cls, e,
            event=alerts.EVENT,
            alert_id=e.id,
            percent_used=None if e.percent_used is None else float(e.percent_used),
            goal_id=e.goal_id or None,
        )


@strawberry.type(description="A page of alerts, newest first.")
class AlertConnection(Connection[BudgetAlert]):
    pass


AcknowledgeAlertPayload = payload_type("AcknowledgeAlertPayload", alert=BudgetAlert)

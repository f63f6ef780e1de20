"""The ``Goal`` type: a goal with its figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from domain.goals.model import GoalProgress, GoalStatus
from graph.api.core.errors import payload_type
from graph.api.core.node import Node

GoalStatusEnum = strawberry.enum(
    GoalStatus, name="GoalStatus",
    description="ACTIVE while being saved for; REACHED once saved ≥ target; OVERDUE after the target date's period.",
)


@strawberry.type(description="A goal (\"save 10,000 for a vacation\"), funded by what its budget category counts plus "
                 "startingAmount. Figures are seen from the budget's current period, on its wall clock.")
class Goal(Node):
    id: strawberry.ID
    user_id: str
    name: str
    target_amount: Decimal
    target_date: date
    currency: str
    budget_id: strawberry.ID
    category: str = strawberry.field(description="The budget category whose spending funds it.")
    starting_amount: Decimal
    version: int
    created_at: datetime
    updated_at: datetime
    saved: Decimal = strawberry.field(description="startingAmount + everything put into its category.")
    remaining: Decimal = strawberry.field(description="max(target − saved, 0).")
    percent_complete: Decimal = strawberry.field(description="saved / target × 100, rounded down to 2 places.")
    per_period_needed: Decimal = strawberry.field(
        description="(target − saved before the current period) / periodsLeft, rounded up to the currency's "
        "minor unit so that it is enough."
    )
    periods_left: int = strawberry.field(
        description="The budget's periods from the current one (included) to the one containing targetDate."
    )
    this_period: Decimal = strawberry.field(description="What the current period has put in.")
    on_track: bool = strawberry.field(description="thisPeriod ≥ perPeriodNeeded (or reached).")
    projected_completion: date | None = strawberry.field(
        description="The last day of the period in which it is reached at the average of the last 3 periods; "
        "null when they put nothing in."
    )
    status: GoalStatusEnum

    @classmethod
    def from_progress(cls, p: GoalProgress) -> "Goal":
        g = p.goal
        return cls(
            id=strawberry.ID(g.id), user_id=g.user_id, name=g.name, target_amount=g.target_amount,
            target_date=g.target_date, currency=g.currency, budget_id=strawberry.ID(g.budget_id),
            category=g.category, starting_amount=g.starting_amount, version=g.version, created_at=g.created_at,
            updated_at=g.updated_at, saved=p.saved, remaining=p.remaining, percent_complete=p.percent_complete,
            per_period_needed=p.per_period_needed, periods_left=p.periods_left, this_period=p.this_period,
            on_track=p.on_track, projected_completion=p.projected_completion, status=p.status,
        )


GoalPayload = payload_type("GoalPayload", goal=Goal)
DeleteGoalPayload = payload_type("DeleteGoalPayload", deleted_id=strawberry.ID)

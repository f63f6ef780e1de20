"""Input types of the budget mutations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from graph.api.core.enums import BudgetPeriodEnum, BudgetTypeEnum, RolloverModeEnum


@strawberry.input
class CategoryLimitInput:
    name: str
    amount: Decimal


@strawberry.input(
    description="Fractions of the limit (0.8 = 80%): above 0, at most 100, at most 4 decimal places, increasing; "
    "omitted ones keep their value."
)
class AlertThresholdsInput:
    warning: Decimal | None = None
    limit_reached: Decimal | None = None
    overspending: Decimal | None = None


@strawberry.input
class CreateBudgetInput:
    user_id: str | None = strawberry.field(default=None, description="The owner; defaults to the viewer.")
    name: str
    type: BudgetTypeEnum
    period: BudgetPeriodEnum
    categories: list[CategoryLimitInput]
    start_date: datetime | None = strawberry.field(
        default=None,
        description="Defaults to the first day of the current period (Monday, the 1st, the quarter's or year's first day).",
    )
    rollover_enabled: bool = False
    rollover_mode: RolloverModeEnum | None = strawberry.field(
        default=None, description="Overrides rolloverEnabled when given."
    )
    currency: str = "USD"
    thresholds: AlertThresholdsInput | None = None
    time_zone: str = strawberry.field(
        default="UTC", description="An IANA time zone name (America/New_York): the calendar its days are counted on."
    )


@strawberry.input(description="Every field is optional; at least one must be given.")
class UpdateBudgetInput:
    name: str | None = None
    type: BudgetTypeEnum | None = None
    period: BudgetPeriodEnum | None = None
    categories: list[CategoryLimitInput] | None = None
    start_date: datetime | None = None
    rollover_enabled: bool | None = None
    rollover_mode: RolloverModeEnum | None = None
    currency: str | None = strawberry.field(
        default=None, description="Only while no spending is counted in the budget (VALIDATION after that)."
    )
    thresholds: AlertThresholdsInput | None = None
    time_zone: str | None = strawberry.field(default=None, description="An IANA time zone name.")
    effective_period: int | None = strawberry.field(
        default=None,
        description="The period index a change of categories applies from; earlier periods keep their amounts. "
        "Default: the current period. An earlier period is a correction: figures from it on are recomputed.",
    )


@strawberry.input(description="One category's amount for one period only.")
class SetPeriodAmountInput:
    budget_id: strawberry.ID
    period: int = strawberry.field(description="The period index (0 is the one starting at startDate).")
    category: str
    amount: Decimal | None = strawberry.field(description="Null removes it: back to the plan's amount.")


def limits_of(items: list[CategoryLimitInput] | None) -> list[tuple[str, Decimal]] | None:
    return None if items is None else [(c.name, c.amount) for c in items]


def thresholds_of(t: AlertThresholdsInput | None) -> dict[str, Any] | None:
    if t is None:
        return None
    values = {"warning": t.warning, "limit_reached": t.limit_reached, "overspending": t.overspending}
    return {k: v for k, v in values.items() if v is not None}

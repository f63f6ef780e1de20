"""Progress types: the spec's ``BudgetProgress`` and ``BudgetCategory`` in camelCase."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain.mapping import copied
from domain.progress import rules as p

ProgressStatus = strawberry.enum(
    p.Status,
    name="ProgressStatus",
    description="ON_TRACK below the warning threshold, WARNING from it (80%), LIMIT_REACHED from 100%, OVER from 110% "
    "(the budget's thresholds).",
)


def _pct(value: Decimal | None) -> float | None:
    # A display figure already rounded to 2 places; its decimal text is exact as a JSON number.
    return None if value is None else float(value)


@strawberry.type(description="Spent vs budgeted for one category in one period.")
class CategoryProgress:
    """Resolved from the domain's ``progress.CategoryProgress`` itself (same fields), so a
    page of budgets makes no copy of each category's figures."""

    category_name: str
    limit_amount: Decimal = strawberry.field(
        description="The category's own amount in this period (a period-only amount, or the plan in force), "
        "before rollover."
    )
    budgeted_amount: Decimal = strawberry.field(description="The limit plus any rollover carried in.")
    rollover_amount: Decimal = strawberry.field(description="Carried in from earlier periods (negative under FULL rollover after overspending).")
    spent_amount: Decimal
    remaining_amount: Decimal
    percent_used: float | None = strawberry.field(
        description="Spent / budgeted × 100, rounded down to 2 places (never up to a threshold not reached), "
        "not capped; null when budgeted is 0 or less."
    )
    status: ProgressStatus
    projected_spent: Decimal = strawberry.field(description="Linear forecast of spending by the end of the period.")


@strawberry.type(description="A budget's figures for one period.")
class BudgetProgress:
    budget_id: strawberry.ID
    current_period: str = strawberry.field(description='A label: "November 2025", "Q4 2025", "2025", "Nov 3 – Nov 9, 2025".')
    period_index: int = strawberry.field(description="0 for the period starting at startDate, 1 for the next, …")
    period_start: datetime
    period_end: datetime = strawberry.field(description="The last second of the period.")
    categories: list[CategoryProgress]
    total_budgeted: Decimal
    total_spent: Decimal
    total_remaining: Decimal
    percent_used: float | None = strawberry.field(
        description="Total spent / total budgeted × 100, rounded down to 2 places; null when budgeted is 0 or less."
    )
    period_days_elapsed: int
    period_days_total: int
    projected_spent: Decimal
    status: ProgressStatus
    unconverted_count: int = strawberry.field(
        description="Transactions in this period and these categories in another currency than the budget's: not added."
    )

    @classmethod
    def from_domain(cls, b: p.BudgetProgress) -> "BudgetProgress":
        # The domain's category figures serve as they are: CategoryProgress has exactly
        # their fields (a Decimal percent serializes as the same Float _pct would make),
        # and no per-category copy is made for the 1,000 categories of a page.
        return copied(cls, b, percent_used=_pct(b.percent_used))

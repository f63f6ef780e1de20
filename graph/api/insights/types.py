"""Insights, suggested limits and savings rates: advice as data."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain.insights import rules
from domain.mapping import copied


@strawberry.type(description="Spending statistics over the last complete periods (see the README's formulas).")
class SpendingStats:
    periods: int = strawberry.field(description="Complete periods looked at.")
    average: Decimal | None = strawberry.field(description="Σ spent / periods, rounded half-up to the minor unit.")
    median: Decimal | None
    min: Decimal | None
    max: Decimal | None
    trend: Decimal | None = strawberry.field(
        description="(last − mean of the ones before) / that mean × 100, rounded half-up to 2 places."
    )
    periods_over_limit: int = strawberry.field(description="Periods that spent more than they had (budgetedAmount).")

    from_domain = classmethod(copied)  # from a rules.Stats, field for field


@strawberry.type
class CategoryInsight:
    category_name: str
    average: Decimal | None
    median: Decimal | None
    min: Decimal | None
    max: Decimal | None
    trend: Decimal | None
    periods_over_limit: int
    periods: int


@strawberry.type(description="A budget's spending over its last complete periods, per category and in total.")
class BudgetInsights:
    periods: int
    categories: list[CategoryInsight]
    total: SpendingStats
    grew_most: list[str] = strawberry.field(description="Categories with the largest positive trend (at most 3).")

    @classmethod
    def from_domain(cls, i: rules.BudgetInsights) -> "BudgetInsights":
        return copied(
            cls, i,
            categories=[copied(CategoryInsight, c.stats, category_name=c.category_name) for c in i.categories],
            total=SpendingStats.from_domain(i.total),
        )


@strawberry.type(description="A suggested amount for a category from its recent spending.")
class SuggestedLimit:
    category: str
    current: Decimal
    suggested: Decimal = strawberry.field(description="The percentile of recent spending, rounded up to a whole unit.")
    difference: Decimal = strawberry.field(description="suggested − current.")
    reason: str

    from_domain = classmethod(copied)  # from a rules.SuggestedLimit, field for field


@strawberry.type(description="Income, spending and what was saved in one calendar month (or a whole range).")
class MonthSavings:
    month: str = strawberry.field(description='"2025-11" (for the total: "from/to").')
    income: Decimal
    spending: Decimal = strawberry.field(description="Every expense, refunds subtracted.")
    saved: Decimal
    rate: Decimal | None = strawberry.field(
        description="saved / income × 100, rounded half-up to 2 places; null without income."
    )

    from_domain = classmethod(copied)  # from a rules.MonthSavings, field for field


@strawberry.type
class SavingsRate:
    income: Decimal
    spending: Decimal
    saved: Decimal
    rate: Decimal | None
    months: list[MonthSavings]

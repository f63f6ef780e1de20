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

    @classmethod
    def from_domain(cls, s: rules.Stats) -> "SpendingStats":
        return copied(cls, s)


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
        return cls(
            periods=i.periods,
            categories=[
                copied(CategoryInsight, c.stats, category_name=c.category_name) for c in i.categories
            ],
            total=SpendingStats.from_domain(i.total),
            grew_most=i.grew_most,
        )


@strawberry.type(description="A suggested amount for a category from its recent spending.")
class SuggestedLimit:
    category: str
    current: Decimal
    suggested: Decimal = strawberry.field(description="The percentile of recent spending, rounded up to a whole unit.")
    difference: Decimal = strawberry.field(description="suggested − current.")
    reason: str

    @classmethod
    def from_domain(cls, s: rules.SuggestedLimit) -> "SuggestedLimit":
        return copied(cls, s)


@strawberry.type(description="Income, spending and what was saved in one calendar month (or a whole range).")
class MonthSavings:
    month: str = strawberry.field(description='"2025-11" (for the total: "from/to").')
    income: Decimal
    spending: Decimal = strawberry.field(description="Every expense, refunds subtracted.")
    saved: Decimal
    rate: Decimal | None = strawberry.field(
        description="saved / income × 100, rounded half-up to 2 places; null without income."
    )

    @classmethod
    def from_domain(cls, m: rules.MonthSavings) -> "MonthSavings":
        return copied(cls, m)


@strawberry.type
class SavingsRate:
    income: Decimal
    spending: Decimal
    saved: Decimal
    rate: Decimal | None
    months: list[MonthSavings]

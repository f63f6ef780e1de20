"""Insights, savings rate and suggested limits, as formulas on exact decimals.

Pure. Per category of a budget, over its last N complete periods (oldest first, the
periods the category existed in):

* ``average`` = Σ spent / n, ``median`` = the middle value (the mean of the two middle
  ones for even n), both rounded half-up to the currency's minor unit; ``min``, ``max``;
* ``trend`` = (last − mean of the ones before) / that mean × 100, rounded half-up to 2
  places; None with fewer than 2 periods or when that mean is 0;
* ``periodsOverLimit``: periods whose spending was above what they had to spend
  (``budgetedAmount``, rollover included);
* the budget's totals the same way, and the categories that grew the most: those with a
  positive trend, largest first (at most 3).

Savings rate of a calendar month: ``saved`` = income − spending (spending: every expense,
refunds subtracted), ``rate`` = saved / income × 100 rounded half-up to 2 places (None
without income).

Suggested limit: the ``percentile``-th value (nearest rank: the ⌈p/100 · n⌉-th smallest) of
the last N complete periods' spending, rounded UP to a whole currency unit; a category
with no complete period keeps its amount.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Sequence

from domain import money
from domain.models import BudgetPeriod

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
GREW_MOST = 3
UNITS = {
    BudgetPeriod.WEEKLY: ("week", "weeks"),
    BudgetPeriod.BIWEEKLY: ("two-week period", "two-week periods"),
    BudgetPeriod.MONTHLY: ("month", "months"),
    BudgetPeriod.QUARTERLY: ("quarter", "quarters"),
    BudgetPeriod.YEARLY: ("year", "years"),
}


@dataclass(frozen=True)
class Stats:
    periods: int
    average: Decimal | None
    median: Decimal | None
    min: Decimal | None
    max: Decimal | None
    trend: Decimal | None
    periods_over_limit: int


@dataclass(frozen=True)
class CategoryInsight:
    category_name: str
    stats: Stats


@dataclass(frozen=True)
class BudgetInsights:
    periods: int  # complete periods looked at
    categories: list[CategoryInsight]
    total: Stats
    grew_most: list[str]


@dataclass(frozen=True)
class SuggestedLimit:
    category: str
    current: Decimal
    suggested: Decimal
    difference: Decimal
    reason: str


@dataclass(frozen=True)
class MonthSavings:
    month: str  # "2025-11"
    income: Decimal
    spending: Decimal
    saved: Decimal
    rate: Decimal | None


def _q(value: Decimal, currency: str) -> Decimal:
    return value.quantize(money.quantum(currency), rounding=ROUND_HALF_UP)


def stats(values: Sequence[tuple[Decimal, Decimal]], currency: str) -> Stats:
    """``values``: (spent, budgeted) per period, oldest first."""
    spent = [s for s, _ in values]
    n = len(spent)
    if not n:
        return Stats(0, None, None, None, None, None, 0)
    ordered = sorted(spent)
    middle = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    trend = None
    if n >= 2:
        before = sum(spent[:-1], Decimal(0)) / (n - 1)
        if before != 0:
            trend = ((spent[-1] - before) / before * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    return Stats(
        periods=n,
        average=_q(sum(spent, Decimal(0)) / n, currency),
        median=_q(middle, currency),
        min=ordered[0],
        max=ordered[-1],
        trend=trend,
        periods_over_limit=sum(1 for s, b in values if s > b),
    )


def grew_most(categories: Sequence[CategoryInsight]) -> list[str]:
    rising = [c for c in categories if c.stats.trend is not None and c.stats.trend > 0]
    rising.sort(key=lambda c: (-c.stats.trend, c.category_name))
    return [c.category_name for c in rising[:GREW_MOST]]


def percentile(values: Sequence[Decimal], p: int) -> Decimal:
    ordered = sorted(values)
    rank = max(math.ceil(Decimal(p) / HUNDRED * len(ordered)), 1)
    return ordered[rank - 1]


def whole_unit_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_CEILING)


def suggestion(
    category: str, current: Decimal, spent: Sequence[Decimal], p: int, period: BudgetPeriod, currency: str
) -> SuggestedLimit:
    one, many = UNITS[period]
    q = money.quantum(currency)
    if not spent:
        return SuggestedLimit(category, current, current, Decimal(0).quantize(q),
                              f"No complete {one} yet: keeping the current amount")
    suggested = max(whole_unit_up(percentile(spent, p)), Decimal(0)).quantize(q)
    over = sum(1 for s in spent if s > current)
    n = len(spent)
    unit = one if n == 1 else many
    if over:
        reason = f"Spent more than {money_text(current)} in {over} of the last {n} {unit}"
    else:
        reason = f"Spent at most {money_text(max(spent))} in each of the last {n} {unit}"
    return SuggestedLimit(category, current, suggested, suggested - current, reason)


def money_text(value: Decimal) -> str:
    """600.00 → "600", 612.50 → "612.50"."""
    return format(value.quantize(Decimal(1)), "f") if value == value.to_integral_value() else format(value, "f")


def month_savings(month: str, income: Decimal, spending: Decimal, currency: str) -> MonthSavings:
    q = money.quantum(currency)
    saved = income - spending
    rate = (saved / income * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP) if income > 0 else None
    return MonthSavings(month, income.quantize(q), spending.quantize(q), saved.quantize(q), rate)

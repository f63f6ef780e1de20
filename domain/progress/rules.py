"""Progress and rollover, computed from per-period, per-category spending sums.

Pure: the caller supplies the sums (from the spending rollup) and the time.
Figures follow the spec's ``BudgetProgress`` / ``BudgetCategory``:

* ``budgeted_amount`` is what the category may spend this period: its limit plus
  whatever rollover carried in (600 + 150 = 750 in the spec's December example);
* ``percent_used`` is spent / budgeted × 100, rounded down to 2 places (so it never
  shows a threshold the status has not reached: 659.99 of 600 is 109.99, not 110.00)
  and not capped (250% is 250). A category with nothing to divide by (budgeted ≤ 0)
  has no percentage: ``None``, with status OVER if it has spending, ON_TRACK if not;
* ``status`` compares the exact ratio with the budget's alert thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Mapping, NamedTuple

from domain import money
from domain import periods
from domain.models import AlertThresholds, Budget, RolloverMode

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class Status(str, Enum):
    ON_TRACK = "on_track"
    WARNING = "warning"
    LIMIT_REACHED = "limit_reached"
    OVER = "over"


class CategoryProgress(NamedTuple):
    """One category's figures. A named tuple, not a frozen dataclass: one is built for
    every category of every budget shown, and a frozen dataclass costs three times as
    much to build."""

    category_name: str
    limit_amount: Decimal  # the category's own amount this period, before rollover
    budgeted_amount: Decimal
    rollover_amount: Decimal
    spent_amount: Decimal
    remaining_amount: Decimal
    percent_used: Decimal | None
    status: Status
    projected_spent: Decimal


@dataclass(frozen=True)
class BudgetProgress:
    budget_id: str
    current_period: str
    period_index: int
    period_start: datetime
    period_end: datetime
    categories: list[CategoryProgress]
    total_budgeted: Decimal
    total_spent: Decimal
    total_remaining: Decimal
    percent_used: Decimal | None
    period_days_elapsed: int
    period_days_total: int
    projected_spent: Decimal
    status: Status
    unconverted_count: int


# Spending of one budget: {period index: {category key: spent}}
PeriodSums = Mapping[int, Mapping[str, Decimal]]


def ratio(spent: Decimal, budgeted: Decimal) -> Decimal | None:
    return spent / budgeted if budgeted > 0 else None


def percent(spent: Decimal, budgeted: Decimal) -> Decimal | None:
    r = ratio(spent, budgeted)
    return None if r is None else percent_of(r)


def percent_of(r: Decimal) -> Decimal:
    """A ratio as a percentage, rounded down to 2 places (towards minus infinity, so a
    refund's figure never rounds up either; -0 is 0)."""
    shown = (r * HUNDRED).quantize(CENT, rounding=ROUND_FLOOR)
    return shown.copy_abs() if shown.is_zero() else shown


def status_of(spent: Decimal, budgeted: Decimal, thresholds: AlertThresholds) -> Status:
    r = ratio(spent, budgeted)
    if r is None:
        return Status.OVER if spent > 0 else Status.ON_TRACK
    if r >= thresholds.overspending:
        return Status.OVER
    if r >= thresholds.limit_reached:
        return Status.LIMIT_REACHED
    if r >= thresholds.warning:
        return Status.WARNING
    return Status.ON_TRACK


def days_elapsed(window: periods.PeriodWindow, now: datetime) -> int:
    """Days of the period that have begun by ``now``, today included (Nov 15 → 15 of 30)."""
    if now < window.start:
        return 0
    if now >= window.next_start:
        return window.days_total
    return min((now.date() - window.start.date()).days + 1, window.days_total)


def project(spent: Decimal, elapsed: int, total_days: int, currency: str) -> Decimal:
    """Linear end-of-period forecast from the pace so far."""
    if elapsed <= 0 or elapsed >= total_days:
        return spent
    return (spent * total_days / elapsed).quantize(money.quantum(currency), rounding=ROUND_HALF_UP)


def first_period_needed(budget: Budget, k: int) -> int:
    """The earliest period whose spending the figures of period ``k`` depend on."""
    if budget.rollover_mode is RolloverMode.NONE:
        return k
    earliest = min((max(c.since_period, 0) for c in budget.plan_at(k)), default=k)
    return min(earliest, k)


_NOTHING: Mapping[str, Decimal] = {}  # a period with no spending


def carried_in(budget: Budget, k: int, sums: PeriodSums) -> dict[str, Decimal]:
    """Rollover carried into period ``k``, per category key.

    UNUSED: each period passes on max(0, available − spent), so overspending is
    forgiven and the next amount never drops below the limit. FULL: it passes on
    available − spent, overspending included (a deduction next period). A category
    starts carrying from the period it was added in (``since_period``), and each
    period of the chain adds its own amount (its plan's, or its period-only amount).
    """
    zero = Decimal(0)
    limits = budget.plan_at(k)
    if budget.rollover_mode is RolloverMode.NONE:
        return {c.key: zero for c in limits}
    full = budget.rollover_mode is RolloverMode.FULL
    first = min((max(c.since_period, 0) for c in limits), default=k)
    spent_in = [sums.get(j, _NOTHING) for j in range(first, k)]  # period first + i
    carry: dict[str, Decimal] = {}
    if not budget.has_history:  # one amount for every period: the hot path
        for c in limits:
            amount = zero
            for spent in spent_in[max(c.since_period, 0) - first :]:
                left = c.amount + amount - spent.get(c.key, zero)
                amount = left if full or left > zero else zero
            carry[c.key] = amount
        return carry
    for c in limits:
        amount = zero
        start = max(c.since_period, 0)
        for j, spent in enumerate(spent_in[start - first :], start=start):
            own = budget.amount_at(c.key, j)
            left = (own if own is not None else zero) + amount - spent.get(c.key, zero)
            amount = left if full or left > zero else zero
        carry[c.key] = amount
    return carry


def compute(
    budget: Budget,
    k: int,
    sums: PeriodSums,
    *,
    now: datetime,
    unconverted_count: int = 0,
) -> BudgetProgress:
    """The figures of period ``k`` of ``budget`` as seen at ``now`` (naive wall-clock
    time in the budget's time zone)."""
    w = periods.window(periods.anchor_of(budget.start_date), budget.period, k)
    q = money.quantum(budget.currency)
    elapsed = days_elapsed(w, now)
    carry = carried_in(budget, k, sums)
    spent_now = sums.get(k, {})
    categories = []
    for c in budget.limits_at(k):
        spent = spent_now.get(c.key, Decimal(0)).quantize(q)
        budgeted = (c.amount + carry[c.key]).quantize(q)
        categories.append(
            CategoryProgress(
                category_name=c.name,
                limit_amount=c.amount.quantize(q),
                budgeted_amount=budgeted,
                rollover_amount=carry[c.key].quantize(q),
                spent_amount=spent,
                remaining_amount=budgeted - spent,
                percent_used=percent(spent, budgeted),
                status=status_of(spent, budgeted, budget.thresholds),
                projected_spent=project(spent, elapsed, w.days_total, budget.currency),
            )
        )
    total_budgeted = money.total(c.budgeted_amount for c in categories)
    total_spent = money.total(c.spent_amount for c in categories)
    return BudgetProgress(
        budget_id=budget.id,
        current_period=periods.label(w, budget.period),
        period_index=k,
        period_start=w.start,
        period_end=w.end,
        categories=categories,
        total_budgeted=total_budgeted,
        total_spent=total_spent,
        total_remaining=total_budgeted - total_spent,
        percent_used=percent(total_spent, total_budgeted),
        period_days_elapsed=elapsed,
        period_days_total=w.days_total,
        projected_spent=project(total_spent, elapsed, w.days_total, budget.currency),
        status=status_of(total_spent, total_budgeted, budget.thresholds),
        unconverted_count=unconverted_count,
    )

"""Goal figures and alerts, computed exactly from per-period contributions.

Pure. A goal linked to budget B and category C is funded by what B counts in C (its
owner's spending there, and a HOUSEHOLD budget's members'), plus its starting amount.
With ``k`` the budget's current period and ``T`` the period holding the target date:

* ``saved`` = starting + Σ contributions of periods 0..k; ``remaining`` = max(target − saved, 0);
* ``periodsLeft`` = T − k + 1 (the current period counted), 0 once T is past;
* ``perPeriodNeeded`` = (target − saved before period k) / periodsLeft, rounded UP to the
  currency's minor unit so that it is enough (0 when nothing is left to save);
* ``onTrack``: the current period put in at least ``perPeriodNeeded`` (or it is reached);
* ``projectedCompletion``: the last day of the period in which the remaining amount is in,
  the periods after the current one each putting in the average of the last 3 complete
  periods (the current one's, before any is complete); None when that is not positive;
* ``GOAL_REACHED`` once, when saved ≥ target; ``GOAL_OFF_TRACK`` once per complete period
  j ≤ T, from the one the goal was created in, that put in less than what was needed at
  its start (evaluated by the next write that funds it, or by a change of the goal).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, Mapping

from domain import money
from domain import periods
from domain import validation as v
from domain.goals.model import Goal, GoalProgress, GoalStatus
from domain.models import Budget
from domain.time_zones import wall_clock

NAME_MAX = 200
GOALS_PER_USER = 200
HUNDRED = Decimal(100)


def name(value: Any, *field: str) -> str:
    return v.sized(" ".join(v.text(value, *field, label="name").split()), NAME_MAX, *field, label="name")


def target_date(value: Any, *field: str) -> date:
    if isinstance(value, datetime):
        value = value.date()
    return v.calendar_date(value, *field, label="targetDate")


def _index(budget: Budget, day: date) -> int:
    return periods.index_at(periods.anchor_of(budget.start_date), budget.period, datetime(day.year, day.month, day.day))


def target_period(goal: Goal, budget: Budget) -> int:
    return _index(budget, goal.target_date)


def needed(goal: Goal, saved_before: Decimal, periods_left: int) -> Decimal:
    """What each of ``periods_left`` periods must put in, rounded up to the minor unit."""
    left = goal.target_amount - saved_before
    if left <= 0 or periods_left <= 0:
        return Decimal(0).quantize(money.quantum(goal.currency))
    return (left / periods_left).quantize(money.quantum(goal.currency), rounding=ROUND_CEILING)


def progress(goal: Goal, budget: Budget, contributions: Mapping[int, Decimal], current: int) -> GoalProgress:
    """The figures of ``goal`` in the budget's period ``current``; ``contributions`` maps
    period index → what was put in (periods before ``current - 3`` may be summed into
    any one index below it: only their total matters)."""
    q = money.quantum(goal.currency)
    zero = Decimal(0)
    before = goal.starting_amount + sum((c for j, c in contributions.items() if j < current), zero)
    this_period = contributions.get(current, zero)
    saved = (before + this_period).quantize(q)
    remaining = max(goal.target_amount - saved, zero).quantize(q)
    t = target_period(goal, budget)
    periods_left = max(t - current + 1, 0)
    per_period = needed(goal, before, periods_left)
    reached = saved >= goal.target_amount
    status = GoalStatus.REACHED if reached else GoalStatus.OVERDUE if current > t else GoalStatus.ACTIVE
    recent = [contributions.get(j, zero) for j in range(max(current - 3, 0), current)]
    pace = sum(recent, zero) / len(recent) if recent else this_period
    projected = None
    if reached:
        projected = _last_day(budget, current)
    elif pace > 0:
        # What is left comes in from the next period on, at that pace.
        projected = _last_day(budget, current + math.ceil(remaining / pace))
    percent = (saved / goal.target_amount * HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    return GoalProgress(
        goal=goal,
        saved=saved,
        remaining=remaining,
        percent_complete=percent,
        period_index=current,
        periods_left=periods_left,
        per_period_needed=per_period,
        this_period=this_period.quantize(q),
        on_track=reached or this_period >= per_period,
        projected_completion=projected,
        status=status,
    )


def first_judged(goal: Goal, budget: Budget) -> int:
    """The first period a goal is judged on: the one it was created in."""
    return _index(budget, wall_clock(goal.created_at, budget.time_zone).date())


def shortfall(
    goal: Goal, budget: Budget, contributions: Mapping[int, Decimal], j: int
) -> tuple[Decimal, Decimal] | None:
    """(put in, needed) when complete period ``j`` (not before the goal existed) put in
    less than was needed at its start; None when it did not fall short."""
    zero = Decimal(0)
    t = target_period(goal, budget)
    if j < max(first_judged(goal, budget), 0) or j > t:
        return None
    before = goal.starting_amount + sum((c for i, c in contributions.items() if i < j), zero)
    put_in = contributions.get(j, zero)
    if before + put_in >= goal.target_amount:
        return None
    need = needed(goal, before, t - j + 1)
    return (put_in, need) if put_in < need else None


def _last_day(budget: Budget, k: int) -> date:
    w = periods.window(periods.anchor_of(budget.start_date), budget.period, k)
    return (w.next_start - timedelta(days=1)).date()

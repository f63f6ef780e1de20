"""Budget periods: period k of a budget, its bounds, and a human label.

Periods repeat from the budget's anchor (its start date). Period k is
``[anchor + k·P, anchor + (k+1)·P)``, always computed from the anchor with
calendar arithmetic, never from the previous period, so there is no drift:
a monthly budget anchored on Jan 31 has periods starting Feb 28, Mar 31, Apr 30.
Budgets work in whole days: the anchor is midnight of the start date.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum


class BudgetPeriod(str, Enum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


# Each period is a whole number of weeks or of calendar months.
_WEEKS = {BudgetPeriod.WEEKLY: 1, BudgetPeriod.BIWEEKLY: 2}
_MONTHS = {BudgetPeriod.MONTHLY: 1, BudgetPeriod.QUARTERLY: 3, BudgetPeriod.YEARLY: 12}

ONE_SECOND = timedelta(seconds=1)


def anchor_of(start: datetime | date) -> datetime:
    """Midnight of the start date: the instant every period is counted from."""
    d = start.date() if isinstance(start, datetime) else start
    return datetime(d.year, d.month, d.day)


def period_start(anchor: datetime, period: BudgetPeriod, k: int) -> datetime:
    """``anchor + k·P``: whole weeks, or calendar months with the day clamped to the
    month's end (what ``dateutil.relativedelta`` does, without its cost on the hot path)."""
    weeks = _WEEKS.get(period)
    if weeks is not None:
        return anchor + timedelta(weeks=weeks * k)
    months = anchor.month - 1 + _MONTHS[period] * k
    year, month = anchor.year + months // 12, months % 12 + 1
    return anchor.replace(year=year, month=month, day=min(anchor.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PeriodWindow:
    index: int
    start: datetime  # inclusive
    next_start: datetime  # exclusive

    @property
    def end(self) -> datetime:
        """The last second of the period, as the spec reports ``end_date``."""
        return self.next_start - ONE_SECOND

    @property
    def days_total(self) -> int:
        return (self.next_start - self.start).days

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.next_start


def window(anchor: datetime, period: BudgetPeriod, k: int) -> PeriodWindow:
    return PeriodWindow(k, period_start(anchor, period, k), period_start(anchor, period, k + 1))


def end_date(anchor: datetime, period: BudgetPeriod) -> datetime:
    """End of period 0: the value stored and shown as a budget's ``end_date``."""
    return window(anchor, period, 0).end


def index_at(anchor: datetime, period: BudgetPeriod, at: datetime) -> int:
    """Index of the period containing ``at`` (negative before the anchor)."""
    if period in (BudgetPeriod.WEEKLY, BudgetPeriod.BIWEEKLY):
        return (at - anchor) // timedelta(weeks=1 if period is BudgetPeriod.WEEKLY else 2)
    months = _MONTHS[period]
    diff = (at.year - anchor.year) * 12 + (at.month - anchor.month)
    k = diff // months
    # Month-end clamping can put the boundary before or after the naive guess: step to it.
    while period_start(anchor, period, k) > at:
        k -= 1
    while period_start(anchor, period, k + 1) <= at:
        k += 1
    return k


def window_at(anchor: datetime, period: BudgetPeriod, at: datetime) -> PeriodWindow:
    return window(anchor, period, index_at(anchor, period, at))


_QUARTER_STARTS = {1, 4, 7, 10}


def label(w: PeriodWindow, period: BudgetPeriod) -> str:
    """A human label: "November 2025", "Q4 2025", "2025", "Nov 3 – Nov 9, 2025".

    Calendar-aligned months, quarters and years get their calendar names; any
    other window is shown as its first and last day.
    """
    s, last = w.start, w.end
    if s.day == 1:
        if period is BudgetPeriod.MONTHLY:
            return s.strftime("%B %Y")
        if period is BudgetPeriod.QUARTERLY and s.month in _QUARTER_STARTS:
            return f"Q{(s.month - 1) // 3 + 1} {s.year}"
        if period is BudgetPeriod.YEARLY and s.month == 1:
            return str(s.year)
    if s.year == last.year:
        return f"{s:%b} {s.day} – {last:%b} {last.day}, {s.year}"
    return f"{s:%b} {s.day}, {s.year} – {last:%b} {last.day}, {last.year}"


def calendar_start(period: BudgetPeriod, at: datetime | date) -> datetime:
    """Midnight of the first day of the calendar period containing ``at``, as the
    spec's periods reset: Monday of its week (weekly and biweekly), the 1st of its
    month, the first day of its quarter, or January 1."""
    d = at.date() if isinstance(at, datetime) else at
    if period in (BudgetPeriod.WEEKLY, BudgetPeriod.BIWEEKLY):
        d = d - timedelta(days=d.weekday())
    elif period is BudgetPeriod.MONTHLY:
        d = d.replace(day=1)
    elif period is BudgetPeriod.QUARTERLY:
        d = d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
    else:
        d = d.replace(month=1, day=1)
    return anchor_of(d)

"""A goal and its figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum


class GoalStatus(str, Enum):
    ACTIVE = "active"  # being saved for, before its target date
    REACHED = "reached"  # saved ≥ target
    OVERDUE = "overdue"  # its target date's period is over and it is not reached


@dataclass(frozen=True)
class Goal:
    id: str
    user_id: str
    name: str
    target_amount: Decimal
    target_date: date
    currency: str
    budget_id: str
    category: str  # the budget category whose spending funds it ("Vacation")
    starting_amount: Decimal
    created_at: datetime
    updated_at: datetime
    version: int = 1


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    saved: Decimal  # starting amount + everything put into its category
    remaining: Decimal  # max(target − saved, 0)
    percent_complete: Decimal  # saved / target × 100, rounded down to 2 places
    period_index: int  # the budget's current period
    periods_left: int  # from the current period (included) to the one holding the target date
    per_period_needed: Decimal  # what each of those periods must put in (rounded up to the minor unit)
    this_period: Decimal  # put in during the current period
    on_track: bool
    projected_completion: date | None  # at the pace of the last 3 periods; None without any
    status: GoalStatus

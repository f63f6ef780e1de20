"""Progress for many (budget, period) pairs from one read of the spending rollup."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from decimal import Decimal
from typing import Sequence

from . import periods, progress
from .models import Budget
from .ports import DaySum, SpendingQuery, UnitOfWork
from .progress import BudgetProgress

# (budget, period index, the moment it is seen from, or None for now)
ProgressKey = tuple[Budget, int, "datetime | None"]


def naive(moment: datetime) -> datetime:
    """A moment on the budgets' calendar: naive UTC."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


async def progress_in(uow: UnitOfWork, keys: Sequence[ProgressKey], now: datetime) -> list[BudgetProgress]:
    """Progress of each (budget, period index, as of): one rollup query for all.
    ``as of`` (default ``now``) is the moment days elapsed and the forecast are seen from."""
    now = naive(now)
    plans = [_plan(budget, k) for budget, k, _ in keys]
    rows = await uow.spending.daily_sums([query for query, _ in plans])
    by_user: dict[str, list[DaySum]] = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append(row)
    result = []
    for (budget, k, as_of), (query, first) in zip(keys, plans):
        sums, unconverted = _bucket(budget, k, first, query, by_user)
        seen_at = naive(as_of) if as_of is not None else now
        result.append(progress.compute(budget, k, sums, now=seen_at, unconverted_count=unconverted))
    return result


def _plan(budget: Budget, k: int) -> tuple[SpendingQuery, int]:
    anchor = periods.anchor_of(budget.start_date)
    first = progress.first_period_needed(budget, k)
    query = SpendingQuery(
        user_ids=budget.spender_ids,
        category_keys=frozenset(c.key for c in budget.limits),
        start=periods.period_start(anchor, budget.period, first).date(),
        end=periods.period_start(anchor, budget.period, k + 1).date(),
    )
    return query, first


def _bucket(
    budget: Budget, k: int, first: int, query: SpendingQuery, by_user: dict[str, list[DaySum]]
) -> tuple[dict[int, dict[str, Decimal]], int]:
    """Sum the rollup rows of one budget per period and category. Rows in another
    currency are not added: those in period ``k`` are counted as unconverted."""
    anchor = periods.anchor_of(budget.start_date)
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    index_of_day: dict = {}
    unconverted = 0
    for user in query.user_ids:
        for row in by_user.get(user, ()):
            if row.category_key not in query.category_keys or not query.start <= row.day < query.end:
                continue
            j = index_of_day.get(row.day)
            if j is None:
                j = index_of_day[row.day] = periods.index_at(
                    anchor, budget.period, datetime(row.day.year, row.day.month, row.day.day)
                )
            if row.currency == budget.currency:
                sums[j][row.category_key] += row.total
            elif j == k:
                unconverted += row.count
    return sums, unconverted

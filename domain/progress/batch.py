"""Progress for many (budget, period) pairs from one read of the spending rollup."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Sequence

from domain import periods
from domain.progress import rules as progress
from domain.models import Budget
from domain.time_zones import wall_clock
from domain.ports import SpendingWindow, UnitOfWork, WindowSum
from domain.progress.rules import BudgetProgress

# (budget, period index, the moment it is seen from, or None for now)
ProgressKey = tuple[Budget, int, "datetime | None"]


async def progress_in(uow: UnitOfWork, keys: Sequence[ProgressKey], now: datetime) -> list[BudgetProgress]:
    """Progress of each (budget, period index, as of): one rollup query for all of them,
    returning a sum per spender, period and category (so its size grows with periods and
    categories, never with the number of transactions). ``as of`` (default ``now``) is
    the moment days elapsed and the forecast are seen from, on each budget's own
    wall clock (an aware ``as of`` is converted to its time zone; a naive one is read
    as its wall-clock time)."""
    plans = [_windows(budget, k) for budget, k, _ in keys]
    rows = await uow.spending.window_sums(list(dict.fromkeys(w for _, windows in plans for _, w in windows)))
    by_window: dict[tuple, list[WindowSum]] = defaultdict(list)
    for row in rows:
        by_window[(row.user_id, row.start, row.end, row.since)].append(row)
    result = []
    for (budget, k, as_of), (first, windows) in zip(keys, plans):
        sums, unconverted = _bucket(budget, k, windows, by_window)
        seen_at = seen_from(budget, as_of, now)
        result.append(progress.compute(budget, k, sums, now=seen_at, unconverted_count=unconverted))
    return result


def seen_from(budget: Budget, as_of: datetime | None, now: datetime) -> datetime:
    """The wall-clock time in the budget's zone that figures are seen from: ``as_of``
    (aware: converted; naive: already its wall clock), else ``now`` (a moment)."""
    if as_of is not None and as_of.tzinfo is None:
        return as_of
    return wall_clock(as_of if as_of is not None else now, budget.time_zone)


def _windows(budget: Budget, k: int) -> tuple[int, list[tuple[int, SpendingWindow]]]:
    """The (period index, window) pairs the figures of period ``k`` need: every period
    from the first one rollover depends on, for every spender (a HOUSEHOLD budget's
    members spend into it too, from the moment they consented). A period before period 0
    needs none: it is empty."""
    if k < 0:
        return k, []  # before the budget's first period: it counts nothing yet
    anchor = periods.anchor_of(budget.start_date)
    first = progress.first_period_needed(budget, k)
    keys = budget.all_keys if budget.has_history else frozenset(c.key for c in budget.limits)
    bounds = [periods.period_start(anchor, budget.period, j).date() for j in range(first, k + 2)]
    spans = list(enumerate(zip(bounds, bounds[1:]), start=first))
    windows = []
    for user in sorted(budget.spender_ids):
        since = budget.counts_from(user)
        local = wall_clock(since, budget.time_zone) if since is not None else None
        for j, (start, end) in spans:
            window = after_consent(SpendingWindow(user, keys, start, end), since, local)
            if window is not None:
                windows.append((j, window))
    return first, windows


def after_consent(window: SpendingWindow, since: datetime | None, local: datetime | None) -> SpendingWindow | None:
    """``window`` without what occurred before ``since`` (naive UTC; ``local``: the same
    moment on the budget's wall clock, whose date is the day it falls on); None when
    nothing is left."""
    if since is None or local is None or local.date() < window.start:
        return window
    if local.date() >= window.end:
        return None
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return SpendingWindow(
        window.user_id, window.category_keys, local.date(), window.end, None if local == midnight else since
    )


def _bucket(
    budget: Budget, k: int, windows: list[tuple[int, SpendingWindow]], by_window: dict[tuple, list[WindowSum]]
) -> tuple[dict[int, dict[str, Decimal]], int]:
    """Spending of one budget per period and category. Sums in another currency are
    not added: those in period ``k`` are counted as unconverted."""
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    keys = budget.all_keys if budget.has_history else {c.key for c in budget.limits}
    now_keys = {c.key for c in budget.plan_at(k)}
    unconverted = 0
    for j, w in windows:
        for row in by_window.get((w.user_id, w.start, w.end, w.since), ()):
            if row.category_key not in keys:
                continue
            if row.currency == budget.currency:
                sums[j][row.category_key] += row.total
            elif j == k and row.category_key in now_keys:
                unconverted += row.count
    return sums, unconverted

"""Use cases for spending: record and delete transactions, list them, and compute
progress for many (budget, period) pairs with one read of the spending rollup."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from decimal import Decimal
from typing import Callable, Sequence

from . import periods, progress, transactions, validation as v
from .errors import not_found, validation
from .models import Budget, Transaction, category_key, utcnow
from .ports import DaySum, Page, SpendingQuery, UnitOfWork, UnitOfWorkFactory
from .progress import BudgetProgress
from .service import PAGE_MAX

PERIODS_MAX = 120

# (budget, period index, the moment it is seen from or None for now)
ProgressKey = tuple[Budget, int, "datetime | None"]


def naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


class SpendingService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Callable[[], datetime] = utcnow):
        self.uow = uow
        self.clock = clock

    def now(self) -> datetime:
        return naive(self.clock())

    # -- transactions ------------------------------------------------------------
    async def record(self, data: transactions.TransactionInput) -> tuple[Transaction, bool]:
        """Store one transaction; ``(stored, created)``: ``created`` is False when the
        same externalId was already recorded for the user (nothing is counted twice)."""
        built = transactions.build(data, self.clock())
        async with self.uow(write=True) as uow:
            return (await uow.spending.insert([built]))[0]

    async def record_many(self, items: Sequence[transactions.TransactionInput]) -> list[tuple[Transaction, bool]]:
        """All or nothing: any invalid item rejects the whole batch."""
        built = transactions.build_batch(list(items), self.clock())
        async with self.uow(write=True) as uow:
            return await uow.spending.insert(built)

    async def delete(self, transaction_id: str) -> Transaction:
        async with self.uow(write=True) as uow:
            removed = await uow.spending.delete(transaction_id)
        if removed is None:
            raise not_found(f"Transaction with ID {transaction_id} not found", "id")
        return removed

    async def get(self, transaction_id: str) -> Transaction | None:
        async with self.uow() as uow:
            return await uow.spending.get(transaction_id)

    async def list(
        self,
        user_id: str,
        category: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Page[Transaction]:
        user = v.user_id(user_id, "userId")
        if not isinstance(first, int) or not 0 <= first <= PAGE_MAX:
            raise validation(f"first must be between 0 and {PAGE_MAX} (got {first})", "first")
        start = transactions.naive_utc(start, "from") if start is not None else None
        end = transactions.naive_utc(end, "to") if end is not None else None
        if start and end and start >= end:
            raise validation("`from` must be before `to`", "from")
        key = category_key(category) if category else None
        async with self.uow() as uow:
            return await uow.spending.page(user, key, start, end, first, after)

    # -- progress ------------------------------------------------------------------
    def period_at(self, budget: Budget, at: datetime | None) -> int:
        moment = naive(at) if at is not None else self.now()
        return periods.index_at(periods.anchor_of(budget.start_date), budget.period, moment)

    async def progress_many(self, keys: Sequence[ProgressKey]) -> list[BudgetProgress]:
        async with self.uow() as uow:
            return await self.progress_in(uow, keys)

    async def progress_in(self, uow: UnitOfWork, keys: Sequence[ProgressKey]) -> list[BudgetProgress]:
        """Progress of each (budget, period index, as of): one rollup query for all.
        ``as of`` (default now) is the moment days elapsed and the forecast are seen from."""
        now = self.now()
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

    def history(self, budget: Budget, last: int) -> list[int]:
        """Indexes of the current period and those before it (from period 0 on),
        newest first, at most ``last`` of them."""
        if not isinstance(last, int) or not 1 <= last <= PERIODS_MAX:
            raise validation(f"last must be between 1 and {PERIODS_MAX}", "last")
        current = self.period_at(budget, None)
        first = max(0, current - last + 1) if current >= 0 else current
        return list(range(current, first - 1, -1))


def _plan(budget: Budget, k: int) -> tuple[SpendingQuery, int]:
    anchor = periods.anchor_of(budget.start_date)
    first = progress.first_period_needed(budget, k)
    query = SpendingQuery(
        user_ids=frozenset({budget.user_id}),
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

"""A realistic data set, written through the product's own write path.

Budgets go through ``BudgetService.create_budget`` and transactions through
``SpendingService.record_many`` (what ``recordTransactions`` calls: validation, the
insert and the per-day rollup in one database transaction), 1,000 at a time in
chronological order, as a bank feed would deliver them.

Users:
* ``pop_*``: the population, three budgets each (monthly 15 categories with
  rollover, weekly 10, yearly 20) and a few months of transactions;
* ``hist_<n>``: the same budgets and ``n`` transactions over ``history_months``
  (1,000 … 1,000,000): the history-independence figure and the chart;
* ``page_<n>``: ``n`` monthly budgets of 20 categories: the N+1 figure;
* ``writer``: the write-path figure.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from domain.access import TRUSTED
from domain.models import RolloverMode
from domain.budgets.service import BudgetService
from domain.spending.service import SpendingService
from domain.spending.rules import BATCH_MAX, TransactionInput

VERSION = 1  # bump when the shape of the data changes: cached databases are keyed by it

CATEGORIES = [
    "Groceries", "Restaurants", "Transport", "Fuel", "Rent", "Utilities", "Phone", "Internet",
    "Insurance", "Health", "Pharmacy", "Clothing", "Entertainment", "Streaming", "Travel",
    "Gifts", "Education", "Childcare", "Pets", "Home",
]
# (name, period, number of categories, rollover)
BUDGET_SHAPES = [
    ("Household", "monthly", 15, RolloverMode.UNUSED),
    ("Everyday", "weekly", 10, RolloverMode.NONE),
    ("Annual", "yearly", 20, RolloverMode.NONE),
]


@dataclass(frozen=True)
class DataSet:
    name: str
    population_users: int
    population_transactions: int  # per user
    population_months: int
    history_sizes: tuple[int, ...]  # transactions of each hist_<n> user
    history_months: int
    page_sizes: tuple[int, ...]  # budgets of each page_<n> user
    writer_rows: int  # rows per write-path round

    @property
    def key(self) -> str:
        return f"v{VERSION}_{self.name}"

    @property
    def history_users(self) -> dict[int, str]:
        return {n: f"hist_{n}" for n in self.history_sizes}

    @property
    def page_users(self) -> dict[int, str]:
        return {n: f"page_{n}" for n in self.page_sizes}

    @property
    def population(self) -> list[str]:
        return [f"pop_{i:05d}" for i in range(self.population_users)]


FULL = DataSet("full", 100, 600, 6, (1_000, 10_000, 100_000, 1_000_000), 12, (1, 10, 50), 1_000)
SMOKE = DataSet("smoke", 4, 40, 2, (100, 1_000), 2, (1, 5), 100)


def month_start(now: datetime, months_back: int) -> datetime:
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return first - relativedelta(months=months_back)


async def create_budgets(budgets: BudgetService, user: str, start: datetime, rng: random.Random) -> list[str]:
    ids = []
    for name, period, size, rollover in BUDGET_SHAPES:
        names = rng.sample(CATEGORIES, size)
        created = await budgets.create_budget(
            TRUSTED,
            user_id=user, name=name, type="personal", period=period, start_date=start, rollover_mode=rollover,
            categories=[(n, Decimal(rng.randrange(50, 1500))) for n in names],
        )
        ids.append(created.id)
    return ids


async def record_history(
    spending: SpendingService, user: str, count: int, start: datetime, end: datetime, rng: random.Random
) -> None:
    """``count`` transactions spread evenly from ``start`` to ``end``, oldest first."""
    span = (end - start).total_seconds()
    for first in range(0, count, BATCH_MAX):
        batch = [
            TransactionInput(
                user_id=user,
                category=rng.choice(CATEGORIES),
                amount=Decimal(rng.randrange(100, 12_000)) / 100,
                occurred_at=start + timedelta(seconds=span * (i + rng.random()) / count),
                description="seed",
            )
            for i in range(first, min(first + BATCH_MAX, count))
        ]
        await spending.record_many(TRUSTED, batch)


async def seed(data: DataSet, budgets: BudgetService, spending: SpendingService, now: datetime, log=print) -> None:
    rng = random.Random(20251101)
    jobs = []
    pop_start = month_start(now, data.population_months)
    for user in data.population:
        await create_budgets(budgets, user, pop_start, rng)
        jobs.append((user, data.population_transactions, pop_start))
    hist_start = month_start(now, data.history_months)
    for n, user in data.history_users.items():
        await create_budgets(budgets, user, hist_start, rng)
        jobs.append((user, n, hist_start))
    for n, user in data.page_users.items():
        for i in range(n):
            await budgets.create_budget(
                TRUSTED,
                user_id=user, name=f"Budget {i}", type="personal", period="monthly", start_date=pop_start,
                rollover_mode=RolloverMode.UNUSED if i % 2 else RolloverMode.NONE,
                categories=[(c, Decimal(500)) for c in CATEGORIES],
            )
        jobs.append((user, BATCH_MAX, pop_start))
    await create_budgets(budgets, "writer", month_start(now, 0), rng)
    # Biggest first, two at a time: PostgreSQL gets the second core while Python builds batches.
    jobs.sort(key=lambda job: -job[1])
    total = sum(n for _, n, _ in jobs)
    done = 0
    lock = asyncio.Semaphore(2)

    async def run(user: str, n: int, start: datetime) -> None:
        nonlocal done
        async with lock:
            await record_history(spending, user, n, start, now, random.Random(user))
            done += n
            log(f"  seeded {user}: {n:,} transactions ({done:,}/{total:,})")

    await asyncio.gather(*(run(*job) for job in jobs))

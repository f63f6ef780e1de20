"""Property: with amounts changed at random periods (plans from a period on, corrections,
period-only amounts), every period's figures equal a brute-force recomputation from the
transactions and the changes, on both databases."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from tests.graphql.test_history import PERIODS, set_period_amount, update
from tests.support.queries import RECORD_MANY, create_budget

CATEGORIES = ("Groceries", "Fun")
START = date(2024, 1, 1)  # monthly: 36 periods to December 2026, so at least 24 complete ones
PERIODS_CHECKED = 24


def month(k: int) -> str:
    y, m = divmod(START.month - 1 + k, 12)
    return f"{START.year + y}-{m + 1:02d}"


def cents(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low, high)) / 100


def expected(mode: str, base: dict, overrides: dict, spent: dict, periods: int) -> dict:
    """{(k, category): (limit, rollover, budgeted)} computed the slow way."""
    result = {}
    for c in CATEGORIES:
        carry = Decimal(0)
        for k in range(periods):
            own = overrides.get((k, c), base[c][k])
            result[(k, c)] = (own, carry, own + carry)
            left = own + carry - spent.get((k, c), Decimal(0))
            carry = left if mode == "FULL" or left > 0 else Decimal(0)
    return result


@pytest.mark.parametrize("seed", range(6))
async def test_rollover_with_amounts_changing_at_random_periods_matches_brute_force(gql, user_id, seed):
    rng = random.Random(seed)
    mode = rng.choice(["UNUSED", "FULL"])
    first = {c: cents(rng, 10_000, 90_000) for c in CATEGORIES}
    b = await create_budget(
        gql, user_id, startDate=f"{START.isoformat()}T00:00:00", rolloverMode=mode,
        categories=[{"name": c, "amount": str(first[c])} for c in CATEGORIES],
    )
    horizon = 36  # periods(last:) below reaches period 0 from the current one
    base = {c: [first[c]] * horizon for c in CATEGORIES}
    overrides: dict[tuple[int, str], Decimal] = {}
    spent: dict[tuple[int, str], Decimal] = {}
    inputs = []
    for k in range(PERIODS_CHECKED):
        for c in CATEGORIES:
            for _ in range(rng.randint(0, 3)):
                amount = cents(rng, -5_000, 60_000) or Decimal("0.01")
                day = rng.randint(1, 28)
                inputs.append({"userId": user_id, "category": c, "amount": str(amount),
                               "occurredAt": f"{month(k)}-{day:02d}T{rng.randint(0, 23):02d}:30:00"})
                spent[(k, c)] = spent.get((k, c), Decimal(0)) + amount
    assert (await gql(RECORD_MANY, {"inputs": inputs}))["recordTransactions"]["errors"] == []
    for _ in range(rng.randint(3, 7)):
        if rng.random() < 0.6:
            p = rng.randint(0, PERIODS_CHECKED - 1)
            new = {c: cents(rng, 0, 90_000) for c in CATEGORIES}
            await update(gql, b["id"], effectivePeriod=p, categories=[{"name": c, "amount": str(new[c])} for c in CATEGORIES])
            for c in CATEGORIES:
                base[c][p:] = [new[c]] * (horizon - p)
        else:
            k, c = rng.randint(0, PERIODS_CHECKED - 1), rng.choice(CATEGORIES)
            amount = None if rng.random() < 0.25 else cents(rng, 0, 90_000)
            assert (await set_period_amount(gql, b["id"], k, c, None if amount is None else str(amount)))["errors"] == []
            if amount is None:
                overrides.pop((k, c), None)
            else:
                overrides[(k, c)] = amount
    want = expected(mode, base, overrides, spent, PERIODS_CHECKED)
    data = await gql(PERIODS, {"id": b["id"], "last": horizon})
    got = {
        (p["periodIndex"], c["categoryName"]): (Decimal(c["limitAmount"]), Decimal(c["rolloverAmount"]),
                                                Decimal(c["budgetedAmount"]))
        for p in data["budget"]["periods"]
        for c in p["categories"]
        if p["periodIndex"] < PERIODS_CHECKED
    }
    assert got == want

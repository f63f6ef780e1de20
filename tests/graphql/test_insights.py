"""Insights, savings rate and suggested limits through GraphQL on both databases, each
figure recomputed from the transactions by brute force."""

from __future__ import annotations

import math
import random
from datetime import datetime, timezone
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

import pytest

from tests.support.queries import RECORD_MANY, create_budget

INSIGHTS = """
query($id: ID!, $n: Int!) { budget(id: $id) { insights(periods: $n) {
  periods grewMost
  categories { categoryName average median min max trend periodsOverLimit periods }
  total { periods average median min max trend periodsOverLimit }
} } }
"""
SUGGESTED = """
query($id: ID!, $n: Int!, $p: Int!) { budget(id: $id) { suggestedLimits(periods: $n, percentile: $p) {
  category current suggested difference reason } } }
"""
APPLY = """
mutation($id: ID!, $c: [String!]!, $k: Int, $p: Int! = 75) {
  applySuggestedLimits(budgetId: $id, categories: $c, effectivePeriod: $k, percentile: $p) {
    budget { categories { name amount } } errors { field code message }
  }
}
"""
SAVINGS = """
query($u: String, $from: Date!, $to: Date!) { savingsRate(userId: $u, from: $from, to: $to) {
  income spending saved rate months { month income spending saved rate } } }
"""
CATEGORIES = ("Groceries", "Fun")
CENT = Decimal("0.01")


def month(offset: int) -> tuple[int, int]:
    today = datetime.now(timezone.utc).date()
    y, m = divmod(today.month - 1 + offset, 12)
    return today.year + y, m + 1


def half_up(x: Decimal, q: Decimal = CENT) -> Decimal:
    return x.quantize(q, rounding=ROUND_HALF_UP)


async def random_history(gql, user_id: str, seed: int, months: int = 8) -> tuple[dict, dict]:
    """A monthly budget starting ``months`` months ago with random spending each month;
    the spending per (period, category)."""
    rng = random.Random(seed)
    y, m = month(-months)
    b = await create_budget(gql, user_id, startDate=f"{y}-{m:02d}-01T00:00:00", rolloverEnabled=False,
                            categories=[{"name": "Groceries", "amount": "400.00"}, {"name": "Fun", "amount": "100.00"}])
    spent: dict[tuple[int, str], Decimal] = {}
    inputs = []
    for k in range(months):
        y, m = month(k - months)
        for c in CATEGORIES:
            for _ in range(rng.randint(0, 4)):
                amount = Decimal(rng.randint(-2000, 30000)) / 100 or Decimal("1.00")
                inputs.append({"userId": user_id, "category": c, "amount": str(amount),
                               "occurredAt": f"{y}-{m:02d}-{rng.randint(1, 28):02d}T12:00:00"})
                spent[(k, c)] = spent.get((k, c), Decimal(0)) + amount
    if inputs:
        assert (await gql(RECORD_MANY, {"inputs": inputs}))["recordTransactions"]["errors"] == []
    return b, spent


def brute_stats(values: list[Decimal], limit: Decimal) -> dict:
    n = len(values)
    ordered = sorted(values)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    before = sum(values[:-1]) / (n - 1) if n > 1 else None
    trend = None if not before else half_up((values[-1] - before) / before * 100)
    return {"average": half_up(sum(values) / n), "median": half_up(median), "min": min(values), "max": max(values),
            "trend": trend, "periodsOverLimit": sum(1 for v in values if v > limit), "periods": n}


def as_decimals(d: dict) -> dict:
    return {k: (Decimal(v) if isinstance(v, str) else v) for k, v in d.items()}


@pytest.mark.parametrize("seed", range(4))
async def test_insights_equal_a_brute_force_recomputation(gql, user_id, seed):
    months = 8
    b, spent = await random_history(gql, user_id, seed, months)
    n = 6
    got = (await gql(INSIGHTS, {"id": b["id"], "n": n}))["budget"]["insights"]
    assert got["periods"] == n
    limits = {"Groceries": Decimal("400.00"), "Fun": Decimal("100.00")}
    expected = {}
    for c in CATEGORIES:
        values = [spent.get((k, c), Decimal("0.00")) for k in range(months - n, months)]
        expected[c] = brute_stats(values, limits[c])
    for c in got["categories"]:
        name = c.pop("categoryName")
        assert as_decimals(c) == expected[name], name
    totals = [sum((spent.get((k, c), Decimal(0)) for c in CATEGORIES), Decimal(0)) for k in range(months - n, months)]
    want_total = brute_stats(totals, Decimal("500.00"))
    assert as_decimals(got["total"]) == want_total
    rising = sorted((c for c in CATEGORIES if expected[c]["trend"] is not None and expected[c]["trend"] > 0),
                    key=lambda c: (-expected[c]["trend"], c))
    assert got["grewMost"] == rising[:3]


@pytest.mark.parametrize("seed,percentile", [(0, 75), (1, 50), (2, 90), (3, 100)])
async def test_suggested_limits_equal_a_brute_force_recomputation(gql, user_id, seed, percentile):
    months = 8
    b, spent = await random_history(gql, user_id, seed, months)
    n = 6
    got = (await gql(SUGGESTED, {"id": b["id"], "n": n, "p": percentile}))["budget"]["suggestedLimits"]
    for s in got:
        values = sorted(spent.get((k, s["category"]), Decimal("0.00")) for k in range(months - n, months))
        pick = values[max(math.ceil(Decimal(percentile) / 100 * n), 1) - 1]
        suggested = max(pick.quantize(Decimal(1), rounding=ROUND_CEILING), Decimal(0))
        current = Decimal(s["current"])
        assert (Decimal(s["suggested"]), Decimal(s["difference"])) == (suggested, suggested - current)
        over = sum(1 for v in values if v > current)
        if over:
            assert s["reason"] == f"Spent more than {current.normalize():f} in {over} of the last {n} months"
    chosen = got[0]["category"]
    applied = (await gql(APPLY, {"id": b["id"], "c": [chosen], "k": None, "p": percentile}))["applySuggestedLimits"]
    assert applied["errors"] == []
    amounts = {c["name"]: c["amount"] for c in applied["budget"]["categories"]}
    assert Decimal(amounts[chosen]) == Decimal(got[0]["suggested"])
    assert amounts[got[1]["category"]] == got[1]["current"]  # the others keep theirs


async def test_a_category_without_history_keeps_its_amount_and_bad_arguments_are_refused(gql, user_id):
    b = await create_budget(gql, user_id, startDate=None)  # the current period: nothing complete yet
    got = (await gql(SUGGESTED, {"id": b["id"], "n": 6, "p": 75}))["budget"]["suggestedLimits"]
    assert [(s["current"], s["suggested"], s["difference"]) for s in got] == [("600.00", "600.00", "0.00"),
                                                                              ("200.00", "200.00", "0.00")]
    assert got[0]["reason"] == "No complete month yet: keeping the current amount"
    for n, p in ((0, 75), (61, 75), (6, 0), (6, 101)):
        raw = await gql.raw(SUGGESTED, {"id": b["id"], "n": n, "p": p})
        assert raw["errors"][0]["extensions"]["code"] == "VALIDATION"
    bad = (await gql(APPLY, {"id": b["id"], "c": ["Travel"], "k": None}))["applySuggestedLimits"]
    assert bad["errors"][0]["field"] == ["categories", "0"] and bad["budget"] is None


async def test_the_savings_rate_of_a_month_with_5000_income_and_3750_spending_is_25_percent(gql, user_id):
    inputs = [
        {"userId": user_id, "category": "Salary", "amount": "5000.00", "kind": "INCOME", "occurredOn": "2025-11-01"},
        {"userId": user_id, "category": "Rent", "amount": "2000.00", "occurredOn": "2025-11-02"},
        {"userId": user_id, "amount": "1800.00", "occurredOn": "2025-11-15"},  # uncategorized: still spending
        {"userId": user_id, "category": "Groceries", "amount": "-50.00", "occurredOn": "2025-11-20"},  # a refund
        {"userId": user_id, "category": "Groceries", "amount": "100.00", "occurredOn": "2025-12-03"},
        {"userId": user_id, "category": "Salary", "amount": "7.00", "kind": "INCOME", "currency": "EUR",
         "occurredOn": "2025-11-05"},  # another currency: not in a USD rate
    ]
    assert (await gql(RECORD_MANY, {"inputs": inputs}))["recordTransactions"]["errors"] == []
    got = (await gql(SAVINGS, {"u": user_id, "from": "2025-11-01", "to": "2025-12-31"}))["savingsRate"]
    assert got["months"] == [
        {"month": "2025-11", "income": "5000.00", "spending": "3750.00", "saved": "1250.00", "rate": "25.00"},
        {"month": "2025-12", "income": "0.00", "spending": "100.00", "saved": "-100.00", "rate": None},
    ]
    assert (got["income"], got["spending"], got["saved"], got["rate"]) == ("5000.00", "3850.00", "1150.00", "23.00")
    bad = await gql.raw(SAVINGS, {"u": user_id, "from": "2025-12-01", "to": "2025-11-01"})
    assert bad["errors"][0]["extensions"]["code"] == "VALIDATION"


async def test_the_savings_rate_rounds_half_up(gql, user_id):
    inputs = [
        {"userId": user_id, "category": "Salary", "amount": "3.00", "kind": "INCOME", "occurredOn": "2025-01-10"},
        {"userId": user_id, "category": "Food", "amount": "1.00", "occurredOn": "2025-01-11"},
        {"userId": user_id, "category": "Salary", "amount": "8.00", "kind": "INCOME", "occurredOn": "2025-02-10"},
        {"userId": user_id, "category": "Food", "amount": "6.99", "occurredOn": "2025-02-11"},
    ]
    assert (await gql(RECORD_MANY, {"inputs": inputs}))["recordTransactions"]["errors"] == []
    got = (await gql(SAVINGS, {"u": user_id, "from": "2025-01-01", "to": "2025-02-28"}))["savingsRate"]
    # 2/3 = 66.666…% → 66.67; 1.01/8 = 12.625% → 12.63 (half-up, not half-even's 12.62).
    assert [m["rate"] for m in got["months"]] == ["66.67", "12.63"]

"""Progress and rollover arithmetic without a database."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

from domain import periods
from domain.progress import rules as progress
from domain.models import AlertThresholds, Budget, BudgetPeriod, BudgetType, CategoryLimit, RolloverMode

NOW = datetime(2025, 11, 15, 14, 30)


def budget(mode=RolloverMode.NONE, limits=(("Groceries", "600"), ("Restaurants", "200")), since=0) -> Budget:
    return Budget(
        id="bud_test", user_id="u", name="n", type=BudgetType.PERSONAL, period=BudgetPeriod.MONTHLY, currency="USD",
        limits=tuple(CategoryLimit(n, D(a), since) for n, a in limits),
        start_date=datetime(2025, 11, 1), end_date=datetime(2025, 11, 30, 23, 59, 59), rollover_mode=mode,
        created_at=NOW, updated_at=NOW, thresholds=AlertThresholds(),
    )


def test_spec_example():
    p = progress.compute(budget(), 0, {0: {"groceries": D("425.50"), "restaurants": D("180.25")}}, now=NOW)
    assert (p.total_budgeted, p.total_spent, p.total_remaining, p.percent_used) == (D("800.00"), D("605.75"), D("194.25"), D("75.71"))
    # Rounded down, so a figure never shows a threshold not reached: 90.125 is 90.12.
    assert [c.percent_used for c in p.categories] == [D("70.91"), D("90.12")]
    assert (p.period_days_elapsed, p.period_days_total) == (15, 30)


def test_days_elapsed_before_during_after():
    w = periods.window(datetime(2025, 11, 1), BudgetPeriod.MONTHLY, 0)
    assert progress.days_elapsed(w, datetime(2025, 10, 31, 23)) == 0
    assert progress.days_elapsed(w, datetime(2025, 11, 1)) == 1
    assert progress.days_elapsed(w, datetime(2025, 11, 30, 23, 59)) == 30
    assert progress.days_elapsed(w, datetime(2026, 1, 1)) == 30


def test_projection_is_linear_and_exact():
    assert progress.project(D("100.00"), 10, 30, "USD") == D("300.00")
    assert progress.project(D("100.00"), 30, 30, "USD") == D("100.00")
    assert progress.project(D("10.00"), 3, 7, "USD") == D("23.33")


def test_unused_rollover_never_goes_negative_and_full_does():
    sums = {0: {"groceries": D("450")}, 1: {"groceries": D("900")}}
    unused = progress.carried_in(budget(RolloverMode.UNUSED), 2, sums)["groceries"]
    full = progress.carried_in(budget(RolloverMode.FULL), 2, sums)["groceries"]
    assert (unused, full) == (D("0"), D("-150"))


def test_rollover_starts_at_since_period():
    b = budget(RolloverMode.UNUSED, since=2)
    assert progress.carried_in(b, 2, {})["groceries"] == D("0")
    assert progress.carried_in(b, 4, {})["groceries"] == D("1200")
    assert progress.first_period_needed(b, 4) == 2
    assert progress.first_period_needed(budget(RolloverMode.NONE), 4) == 4

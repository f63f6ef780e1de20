"""The spec's "Real-Time Progress" through the Python API, and the tracker's spending and
alerts (record_transaction(s), get_alerts, acknowledge_alert), on both databases."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain import BudgetError, BudgetPeriod, BudgetType
from domain.alerts.rules import AlertType

SPEC_CATEGORIES = {"Groceries": 600.00, "Restaurants": 200.00}
# The spec's "Example Progress Output" (2025-11-15, 425.50 and 180.25 spent), with
# percentages rounded down (README: a figure never shows a threshold not reached), where
# the spec printed them rounded half-up (70.92, 90.13, 75.72).
SPEC_OUTPUT = {
    "current_period": "November 2025",
    "categories": [
        {"category_name": "Groceries", "budgeted_amount": Decimal("600.00"), "spent_amount": Decimal("425.50"),
         "remaining_amount": Decimal("174.50"), "percent_used": Decimal("70.91")},
        {"category_name": "Restaurants", "budgeted_amount": Decimal("200.00"), "spent_amount": Decimal("180.25"),
         "remaining_amount": Decimal("19.75"), "percent_used": Decimal("90.12")},
    ],
    "total_budgeted": Decimal("800.00"),
    "total_spent": Decimal("605.75"),
    "total_remaining": Decimal("194.25"),
    "percent_used": Decimal("75.71"),
    "period_days_elapsed": 15,
    "period_days_total": 30,
}


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _as_spec_dict(progress) -> dict:
    """``progress`` as the spec prints it: the fields of ``SPEC_OUTPUT`` and its categories'."""
    view = {key: getattr(progress, key) for key in ("budget_id", *SPEC_OUTPUT)}
    view["categories"] = [{key: getattr(c, key) for key in SPEC_OUTPUT["categories"][0]} for c in progress.categories]
    return view


def _snippet_output(moment: datetime, month_start: datetime, spent: dict[str, Decimal]) -> str:
    """What the spec's snippet prints for a monthly budget starting ``month_start``
    (no rollover) when read at ``moment``: ``spent`` counts only in that month."""
    in_month = (moment.year, moment.month) == (month_start.year, month_start.month)
    spent = {name: (amount if in_month else Decimal("0.00")) for name, amount in spent.items()}
    budgeted = {name: Decimal(str(a)).quantize(Decimal("0.01")) for name, a in SPEC_CATEGORIES.items()}
    total_spent, total_budgeted = sum(spent.values()), sum(budgeted.values())
    days_total = calendar.monthrange(moment.year, moment.month)[1]
    lines = [
        f"Budget: {moment:%B %Y}",
        f"Total: ${total_spent:.2f} / ${total_budgeted:.2f}",
        f"Overall: {total_spent / total_budgeted * 100:.1f}% used",
        f"Days Remaining: {days_total - moment.day}",
    ]
    for name in SPEC_CATEGORIES:
        lines += [
            f"\n{name}:",
            f" Budgeted: ${budgeted[name]:.2f}",
            f" Spent: ${spent[name]:.2f}",
            f" Remaining: ${budgeted[name] - spent[name]:.2f}",
            f" Progress: {spent[name] / budgeted[name] * 100:.1f}%",
        ]
    return "\n".join(lines) + "\n"


async def _november_budget(tracker, user_id, **more):
    return await tracker.create_budget(
        user_id=user_id,
        name="November 2025",
        type=BudgetType.PERSONAL,
        period=BudgetPeriod.MONTHLY,
        categories=SPEC_CATEGORIES,
        start_date=datetime(2025, 11, 1),
        **more,
    )


async def test_real_time_progress_snippet(tracker, user_id, capsys):
    month_start = _utcnow().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    budget = await tracker.create_budget(
        user_id=user_id,
        name="This month",
        type=BudgetType.PERSONAL,
        period=BudgetPeriod.MONTHLY,
        categories=SPEC_CATEGORIES,
        start_date=month_start,
    )
    day_one = month_start + timedelta(hours=1)
    await tracker.record_transaction(
        user_id=user_id, category="Groceries", amount="425.50", occurred_at=day_one, external_id="bank-1"
    )
    await tracker.record_transaction(  # the same bank transaction again: counted once
        user_id=user_id, category="Groceries", amount="425.50", occurred_at=day_one, external_id="bank-1"
    )
    await tracker.record_transaction(user_id=user_id, category="restaurants ", amount=180.25, occurred_at=day_one)
    capsys.readouterr()

    before = _utcnow()
    # -- the spec's "Real-Time Progress", as written --------------------------
    progress = await tracker.get_budget_progress(budget_id=budget.id)
    print(f"Budget: {progress.current_period}")
    print(f"Total: ${progress.total_spent:.2f} / ${progress.total_budgeted:.2f}")
    print(f"Overall: {progress.percent_used:.1f}% used")
    print(f"Days Remaining: {progress.period_days_total - progress.period_days_elapsed}")
    # Category breakdown
    for category in progress.categories:
        print(f"\n{category.category_name}:")
        print(f" Budgeted: ${category.budgeted_amount:.2f}")
        print(f" Spent: ${category.spent_amount:.2f}")
        print(f" Remaining: ${category.remaining_amount:.2f}")
        print(f" Progress: {category.percent_used:.1f}%")
    # ---------------------------------------------------------------------------
    after = _utcnow()

    printed = capsys.readouterr().out
    spent = {"Groceries": Decimal("425.50"), "Restaurants": Decimal("180.25")}
    # The read happened between `before` and `after` (the same moment but for a
    # midnight in between).
    assert printed in {_snippet_output(m, month_start, spent) for m in (before, after)}, printed
    assert progress.budget_id == budget.id
    assert isinstance(progress.total_spent, Decimal) and isinstance(progress.categories[0].percent_used, Decimal)


async def test_progress_gives_the_spec_example_output_exactly(tracker, user_id):
    budget = await _november_budget(tracker, user_id, rollover_enabled=True)
    results = await tracker.record_transactions(
        [
            {"user_id": user_id, "category": "Groceries", "amount": "400.00", "occurred_at": datetime(2025, 11, 3, 10)},
            {"user_id": user_id, "category": "Groceries", "amount": 25.50, "occurred_at": "2025-11-14T18:00:00"},
            {"user_id": user_id, "category": "Restaurants", "amount": Decimal("180.25"),
             "occurred_at": datetime(2025, 11, 7, 20, tzinfo=timezone.utc), "description": "Dinner"},
            # Outside the period, or in no category of the budget: not counted.
            {"user_id": user_id, "category": "Groceries", "amount": "99.00", "occurred_at": datetime(2025, 10, 31, 23, 59)},
            {"user_id": user_id, "category": "Travel", "amount": "99.00", "occurred_at": datetime(2025, 11, 5)},
        ]
    )
    assert [r.created for r in results] == [True] * 5

    progress = await tracker.get_budget_progress(budget_id=budget.id, at=datetime(2025, 11, 15, 14, 30))
    assert _as_spec_dict(progress) == {"budget_id": budget.id, **SPEC_OUTPUT}
    # The same moment given aware or as ISO 8601 text, or the period by its index.
    for same in (
        await tracker.get_budget_progress(budget.id, datetime(2025, 11, 15, 15, 30, tzinfo=timezone(timedelta(hours=1)))),
        await tracker.get_budget_progress(budget.id, "2025-11-15T14:30:00Z"),
    ):
        assert _as_spec_dict(same) == _as_spec_dict(progress)
    assert _as_spec_dict(await tracker.get_budget_progress(budget.id, period=0)) | {
        "period_days_elapsed": 15
    } == _as_spec_dict(progress)

    # December: the unused amounts roll over (600 - 425.50 → 774.50 for Groceries).
    december = await tracker.get_budget_progress(budget.id, period=1)
    assert december.current_period == "December 2025" and december.period_days_total == 31
    assert [(c.category_name, c.budgeted_amount, c.rollover_amount, c.spent_amount) for c in december.categories] == [
        ("Groceries", Decimal("774.50"), Decimal("174.50"), Decimal("0.00")),
        ("Restaurants", Decimal("219.75"), Decimal("19.75"), Decimal("0.00")),
    ]

    with pytest.raises(BudgetError, match="Budget with ID bud_missing not found") as missing:
        await tracker.get_budget_progress(budget_id="bud_missing")
    assert missing.value.code.value == "NOT_FOUND"
    with pytest.raises(BudgetError, match="not an ISO 8601 date or date-time") as bad_at:
        await tracker.get_budget_progress(budget.id, at="mid-November")
    assert bad_at.value.code.value == "VALIDATION" and bad_at.value.field == ("at",)
    with pytest.raises(BudgetError, match="period must be a period index") as bad_period:
        await tracker.get_budget_progress(budget.id, period="current")
    assert bad_period.value.field == ("period",)


async def _spent(tracker, budget_id) -> dict[str, Decimal]:
    progress = await tracker.get_budget_progress(budget_id, at=datetime(2025, 11, 15))
    return {c.category_name: c.spent_amount for c in progress.categories}


async def test_record_transaction_is_idempotent_and_rejects_bad_input(tracker, user_id):
    budget = await _november_budget(tracker, user_id)
    first, created = await tracker.record_transaction(
        user_id=user_id,
        category="Groceries",
        amount="425.50",
        occurred_at=datetime(2025, 11, 3, 10),
        description="  Whole Foods ",
        currency="usd",
        external_id="bank-txn-981",
    )
    assert created is True and first.id.startswith("txn_")
    assert (first.user_id, first.category, first.amount, first.currency) == (user_id, "Groceries", Decimal("425.50"), "USD")
    assert (first.occurred_at, first.description, first.external_id) == (datetime(2025, 11, 3, 10), "Whole Foods", "bank-txn-981")

    again = await tracker.record_transaction(
        user_id=user_id, category="Groceries", amount="999.00", occurred_at=datetime(2025, 11, 4), external_id="bank-txn-981"
    )
    assert again.created is False and again.transaction == first
    assert await _spent(tracker, budget.id) == {"Groceries": Decimal("425.50"), "Restaurants": Decimal("0.00")}

    refund = await tracker.record_transaction(
        user_id=user_id, category="Groceries", amount=-25.50, occurred_at=datetime(2025, 11, 5)
    )
    assert refund.created and refund.transaction.external_id is None
    assert (await _spent(tracker, budget.id))["Groceries"] == Decimal("400.00")
    assert (await tracker.delete_transaction(refund.transaction.id)).id == refund.transaction.id
    assert (await _spent(tracker, budget.id))["Groceries"] == Decimal("425.50")
    with pytest.raises(BudgetError, match=f"Transaction with ID {refund.transaction.id} not found"):
        await tracker.delete_transaction(refund.transaction.id)

    # Every problem at once, and nothing stored.
    with pytest.raises(BudgetError) as bad:
        await tracker.record_transaction(
            user_id=user_id, category=" ", amount="12.345", occurred_at="yesterday", external_id="bank-bad"
        )
    assert bad.value.code.value == "VALIDATION"
    assert [(p.field[-1], p.message) for p in bad.value.problems] == [
        ("category", "Category must not be empty"),
        ("amount", "Amount 12.345 has more decimal places than USD allows (2)"),
        ("occurredAt", "Date 'yesterday' is not an ISO 8601 date or date-time"),
    ]
    with pytest.raises(BudgetError, match="must not be zero"):
        await tracker.record_transaction(user_id=user_id, category="Groceries", amount=0, external_id="bank-zero")
    with pytest.raises(BudgetError, match="is not a number"):
        await tracker.record_transaction(user_id=user_id, category="Groceries", amount="ten", external_id="bank-ten")
    assert await _spent(tracker, budget.id) == {"Groceries": Decimal("425.50"), "Restaurants": Decimal("0.00")}
    # The rejected externalIds were not stored: recording them properly creates them.
    fixed = await tracker.record_transaction(
        user_id=user_id, category="Restaurants", amount="12.34", occurred_at=datetime(2025, 11, 6), external_id="bank-bad"
    )
    assert fixed.created is True


async def test_record_transactions_all_or_nothing(tracker, user_id):
    budget = await _november_budget(tracker, user_id)
    good = {"user_id": user_id, "category": "Groceries", "amount": "100.00", "occurred_at": datetime(2025, 11, 2), "external_id": "b-1"}
    with pytest.raises(BudgetError) as bad:
        await tracker.record_transactions(
            [
                good,
                {"user_id": user_id, "category": "Restaurants", "amount": "-"},
                {"user_id": user_id, "category": "Restaurants", "amount": 5, "merchant": "Cafe"},
                "Groceries 5.00",
            ]
        )
    assert bad.value.code.value == "VALIDATION"
    assert sorted(p.field for p in bad.value.problems) == [
        ("inputs", "1", "amount"),
        ("inputs", "2", "merchant"),
        ("inputs", "3"),
    ]
    assert "Unknown field 'merchant'" in {p.field[-1]: p.message for p in bad.value.problems}["merchant"]
    assert await _spent(tracker, budget.id) == {"Groceries": Decimal("0.00"), "Restaurants": Decimal("0.00")}

    with pytest.raises(BudgetError, match="at least one transaction"):
        await tracker.record_transactions([])
    with pytest.raises(BudgetError, match="takes a list of transactions"):
        await tracker.record_transactions(good)

    results = await tracker.record_transactions(
        [
            good,
            {**good, "external_id": "b-2", "category": "Restaurants", "amount": 50},
            {**good, "amount": "1.00"},  # b-1 again, in the same batch: the first one stands
        ]
    )
    assert [r.created for r in results] == [True, True, False]
    assert results[2].transaction == results[0].transaction
    again = await tracker.record_transactions([good])  # and in a later batch
    assert [(r.transaction.id, r.created) for r in again] == [(results[0].transaction.id, False)]
    assert await _spent(tracker, budget.id) == {"Groceries": Decimal("100.00"), "Restaurants": Decimal("50.00")}


async def test_alerts_are_read_and_acknowledged(tracker, user_id):
    budget = await _november_budget(tracker, user_id)
    assert (await tracker.get_alerts(budget_id=budget.id)).total_count == 0

    await tracker.record_transaction(user_id=user_id, category="Groceries", amount="540.00", occurred_at=datetime(2025, 11, 3))
    alerts = await tracker.get_alerts(budget_id=budget.id)
    assert alerts.total_count == 1 and len(alerts) == 1 and not alerts.has_next_page
    (warning,) = alerts
    assert (warning.budget_id, warning.user_id, warning.category) == (budget.id, user_id, "Groceries")
    assert (warning.alert_type, warning.severity) == (AlertType.WARNING, "warning")
    assert warning.message == "WARNING: Groceries budget at 90.0%"
    assert (warning.percent_used, warning.spent_amount, warning.budgeted_amount, warning.remaining_amount) == (
        Decimal("90.00"), Decimal("540.00"), Decimal("600.00"), Decimal("60.00"),
    )
    assert warning.alert_id == warning.id and warning.id.startswith("alr_")
    assert warning.triggered_at == warning.timestamp and warning.acknowledged_at is None

    await tracker.record_transaction(user_id=user_id, category="Groceries", amount="60.00", occurred_at=datetime(2025, 11, 4))
    listed = await tracker.get_alerts(user_id=user_id)
    assert [(a.alert_type, a.category) for a in listed] == [(AlertType.LIMIT_REACHED, "Groceries"), (AlertType.WARNING, "Groceries")]
    assert [a.id for a in await tracker.get_alerts(user_id=user_id, budget_id=budget.id)] == [a.id for a in listed]

    page = await tracker.get_alerts(user_id=user_id, first=1)
    assert page.total_count == 2 and page.has_next_page and [a.id for a in page] == [listed.nodes[0].id]
    rest = await tracker.get_alerts(user_id=user_id, first=1, after=page.end_cursor)
    assert [a.id for a in rest] == [warning.id] and not rest.has_next_page

    acknowledged = await tracker.acknowledge_alert(warning.id)
    assert acknowledged.id == warning.id and acknowledged.acknowledged_at is not None
    assert (await tracker.acknowledge_alert(warning.id)).acknowledged_at == acknowledged.acknowledged_at
    unread = await tracker.get_alerts(user_id=user_id, unacknowledged_only=True)
    assert unread.total_count == 1 and [a.alert_type for a in unread] == [AlertType.LIMIT_REACHED]

    # Another user's alerts are theirs alone.
    assert (await tracker.get_alerts(user_id=f"{user_id}_other")).total_count == 0

    with pytest.raises(BudgetError, match="Alert with ID alr_missing not found") as missing:
        await tracker.acknowledge_alert("alr_missing")
    assert missing.value.code.value == "NOT_FOUND"
    with pytest.raises(BudgetError, match="needs a user_id or a budget_id"):
        await tracker.get_alerts()
    with pytest.raises(BudgetError, match="Budget with ID bud_missing not found"):
        await tracker.get_alerts(budget_id="bud_missing")
    with pytest.raises(BudgetError, match="first must be between 0 and 500"):
        await tracker.get_alerts(user_id=user_id, first=501)

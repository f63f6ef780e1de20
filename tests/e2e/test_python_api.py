"""The spec's "Quick Start" 1 and 2 through the Python API, on both databases."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from domain import BudgetPeriod, BudgetType
from persistence import apply_template, easy_budgets, list_templates


async def test_quick_start_snippet(tracker, user_id):
    budget = await tracker.create_budget(
        user_id=user_id,
        name="November 2025",
        type=BudgetType.PERSONAL,
        period=BudgetPeriod.MONTHLY,
        categories={
            "Groceries": 600.00,
            "Restaurants": 200.00,
            "Transportation": 150.00,
            "Entertainment": 100.00,
        },
        start_date=datetime(2025, 11, 1),
        rollover_enabled=True,
    )
    assert budget.id.startswith("bud_")
    assert budget.name == "November 2025"
    assert budget.categories["Groceries"] == 600.00
    assert f"Total Budgeted: ${sum(budget.categories.values()):,.2f}" == "Total Budgeted: $1,050.00"
    assert budget.end_date == datetime(2025, 11, 30, 23, 59, 59)

    listed = await tracker.get_budgets(user_id=user_id)
    assert [b.id for b in listed] == [budget.id]
    assert (await tracker.get_budgets(user_id, type=BudgetType.BUSINESS)) == []

    fetched = await tracker.get_budget(budget.id)
    assert fetched.categories == {
        "Groceries": Decimal("600.00"),
        "Restaurants": Decimal("200.00"),
        "Transportation": Decimal("150.00"),
        "Entertainment": Decimal("100.00"),
    }

    updated = await tracker.update_budget(budget.id, updates={"name": "Updated Name"})
    assert updated.name == "Updated Name" and updated.created_at == budget.created_at

    with pytest.raises(ValueError, match="No updates provided"):
        await tracker.update_budget(budget.id, updates={})

    await tracker.delete_budget(budget.id)
    with pytest.raises(ValueError, match=f"Budget with ID {budget.id} not found"):
        await tracker.get_budget(budget.id)


async def test_in_memory_database_from_the_spec_unit_test():
    tracker = easy_budgets(db_url="sqlite+aiosqlite:///:memory:")
    try:
        budget = await tracker.create_budget(
            user_id="user_123",
            name="November 2025",
            type=BudgetType.PERSONAL,
            period=BudgetPeriod.MONTHLY,
            categories={"Groceries": 600.00},
            start_date=datetime(2025, 11, 1),
        )
        assert budget.id.startswith("bud_")
        assert budget.categories["Groceries"] == 600.00
    finally:
        await tracker.close()


def test_missing_url_is_the_spec_error(monkeypatch):
    monkeypatch.delenv("SQL_URL", raising=False)
    monkeypatch.delenv("BUDGETQL_DATABASE_URL", raising=False)
    with pytest.raises(ValueError, match="Database URL required"):
        easy_budgets()


async def test_quick_start_2_using_templates(tracker, user_id):
    budget = await apply_template(
        user_id=user_id,
        template_name="50_30_20",
        total_income=5000.00,  # Monthly income
        tracker=tracker,
        budget_name="November 2025 - 50/30/20",
        start_date=datetime(2025, 11, 1),
    )
    assert budget.name == "November 2025 - 50/30/20"
    lines = [f" {category}: ${amount:,.2f}" for category, amount in budget.categories.items()]
    assert lines[:2] == [" Housing: $1,250.00", " Groceries: $500.00"]
    assert len(lines) == 13
    assert sum(budget.categories.values()) == Decimal("5000.00")
    assert budget.end_date == datetime(2025, 11, 30, 23, 59, 59)
    assert (await tracker.get_budget(budget.id)).categories == budget.categories

    with pytest.raises(ValueError, match="Template 'invalid_name' not found") as exc:
        await apply_template(user_id=user_id, template_name="invalid_name", total_income=5000, tracker=tracker)
    assert exc.value.code.value == "NOT_FOUND"
    assert list(list_templates().keys()) == [
        "50_30_20",
        "zero_based",
        "envelope",
        "pay_yourself_first",
        "business_essentials",
    ]

    own = await tracker.create_template(
        user_id=user_id, key="mine", name="Mine", categories=[{"name": "All", "percent": 100}]
    )
    assert [t.key for t in await tracker.get_templates(user_id)][-1] == own.key
    from_own = await apply_template(user_id=user_id, template_name="mine", total_income="12.34", tracker=tracker)
    assert from_own.categories == {"All": Decimal("12.34")}
    await tracker.delete_template(user_id, "mine")
    assert [t.key for t in await tracker.get_templates(user_id)] == list(list_templates())

"""The spec's "Quick Start 1" through the Python API, on both databases."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from domain import BudgetPeriod, BudgetType
from persistence import easy_budgets


async def test_quick_start_snippet(db_url, user_id):
    tracker = easy_budgets(db_url=db_url)
    try:
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
    finally:
        await tracker.close()


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

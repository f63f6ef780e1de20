"""Template use cases at the service level, with a fixed clock, on both databases."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from domain import BudgetError, ErrorCode
from domain.access import TRUSTED
from domain.budgets.service import BudgetService
from domain.templates.service import TemplateService
from persistence.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2025, 11, 19, 15, 30, tzinfo=timezone.utc)  # a Wednesday


@pytest.fixture
def templates(app) -> TemplateService:
    return TemplateService(BudgetService(SqlUnitOfWorkFactory(app.state.engine), clock=lambda: NOW))


@pytest.mark.parametrize(
    "period,start,name",
    [
        (None, datetime(2025, 11, 1), "50/30/20 Rule - November 2025"),
        ("weekly", datetime(2025, 11, 17), "50/30/20 Rule - November 2025"),
        ("biweekly", datetime(2025, 11, 17), "50/30/20 Rule - November 2025"),
        ("quarterly", datetime(2025, 10, 1), "50/30/20 Rule - October 2025"),
        ("yearly", datetime(2025, 1, 1), "50/30/20 Rule - January 2025"),
    ],
)
async def test_default_start_is_the_first_day_of_the_current_period(templates, user_id, period, start, name):
    budget = await templates.apply_template(TRUSTED, user_id=user_id, template_key="50_30_20", total_income=5000, period=period)
    assert (budget.start_date, budget.name) == (start, name)


async def test_concurrent_creates_of_one_key_store_one(templates, user_id):
    async def create(i: int):
        return await templates.create_template(
            TRUSTED, user_id=user_id, key="race", name=f"Race {i}", categories=[{"name": "All", "weight": 1}]
        )

    results = await asyncio.gather(*(create(i) for i in range(5)), return_exceptions=True)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 4 and all(isinstance(e, BudgetError) and e.code is ErrorCode.CONFLICT for e in errors)
    assert [t.key for t in await templates.list_templates(TRUSTED, user_id) if not t.built_in] == ["race"]

"""The Python API of the spec ("Quick Start" 1 and 2): ``easy_budgets``, its tracker,
and ``apply_template``.

    tracker = easy_budgets(db_url="postgresql+asyncpg://localhost/mydb")
    budget = await tracker.create_budget(user_id=..., name=..., type=BudgetType.PERSONAL, ...)
    budget = await apply_template(user_id=..., template_name="50_30_20", total_income=5000, tracker=tracker)

The tracker applies migrations on first use, so it works on an empty database
(including ``sqlite+aiosqlite:///:memory:``). It is the embedded API of a trusted
caller: it acts as :data:`domain.access.TRUSTED` (like ``BUDGETQL_AUTH=none``).
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.access import TRUSTED
from domain.models import Budget, BudgetType
from domain.service import BudgetService
from domain.template_service import TemplateService
from domain.templates import Template

from .database import create_engine, resolve_database_url
from .migrate import migrate
from .unit_of_work import SqlUnitOfWorkFactory


class BudgetTracker:
    def __init__(self, db_engine: AsyncEngine):
        self.db_engine = db_engine
        self.service = BudgetService(SqlUnitOfWorkFactory(db_engine))
        self.templates = TemplateService(self.service)
        self._ready = False
        self._lock = asyncio.Lock()

    async def _ensure_schema(self) -> None:
        if self._ready:
            return
        async with self._lock:
            if not self._ready:
                await migrate(self.db_engine)
                self._ready = True

    async def create_budget(self, **kwargs: Any) -> Budget:
        await self._ensure_schema()
        return await self.service.create_budget(TRUSTED, **kwargs)

    async def get_budgets(self, user_id: str, type: BudgetType | str | None = None) -> list[Budget]:
        await self._ensure_schema()
        return await self.service.get_budgets(TRUSTED, user_id, type)

    async def get_budget(self, budget_id: str) -> Budget:
        await self._ensure_schema()
        return await self.service.get_budget(TRUSTED, budget_id)

    async def update_budget(self, budget_id: str, updates: dict[str, Any]) -> Budget:
        await self._ensure_schema()
        return await self.service.update_budget(TRUSTED, budget_id, updates)

    async def delete_budget(self, budget_id: str) -> None:
        await self._ensure_schema()
        await self.service.delete_budget(TRUSTED, budget_id)

    async def apply_template(self, **kwargs: Any) -> Budget:
        """See :meth:`TemplateService.apply_template` (``template_key``, ``total_income``, …)."""
        await self._ensure_schema()
        return await self.templates.apply_template(TRUSTED, **kwargs)

    async def get_templates(self, user_id: str | None = None) -> list[Template]:
        """The built-in templates, then ``user_id``'s own."""
        await self._ensure_schema()
        return await self.templates.list_templates(TRUSTED, user_id)

    async def create_template(self, **kwargs: Any) -> Template:
        await self._ensure_schema()
        return await self.templates.create_template(TRUSTED, **kwargs)

    async def delete_template(self, user_id: str, key: str) -> None:
        await self._ensure_schema()
        await self.templates.delete_template(TRUSTED, user_id, key)

    async def close(self) -> None:
        await self.db_engine.dispose()


async def apply_template(
    user_id: str,
    template_name: str,
    total_income: Any,
    tracker: BudgetTracker,
    budget_name: str | None = None,
    start_date: datetime | None = None,
    **kwargs: Any,
) -> Budget:
    """The spec's ``apply_template``: a budget from a template (built in or ``user_id``'s own),
    its categories the template's exact split of ``total_income``. ``kwargs``: ``type``,
    ``period``, ``rollover_enabled``, ``currency``. Raises ``BudgetError`` (a ``ValueError``)."""
    return await tracker.apply_template(
        user_id=user_id,
        template_key=template_name,
        total_income=total_income,
        budget_name=budget_name,
        start_date=start_date,
        **kwargs,
    )


def easy_budgets(
    db_url: str | None = None,
    pool_size: int = 5,
    max_overflow: int = 10,
    pool_pre_ping: bool = True,
    echo: bool = False,
) -> BudgetTracker:
    """A tracker with sensible defaults. The URL falls back to ``BUDGETQL_DATABASE_URL``
    or ``SQL_URL``; with neither set, this raises ``ValueError`` as the spec says."""
    if not (db_url or os.environ.get("BUDGETQL_DATABASE_URL") or os.environ.get("SQL_URL")):
        raise ValueError("Database URL required (db_url or SQL_URL env var)")
    engine = create_engine(resolve_database_url(db_url), pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=pool_pre_ping, echo=echo)
    return BudgetTracker(db_engine=engine)


"""The Python API of the spec ("Quick Start 1"): ``easy_budgets`` and its tracker.

    tracker = easy_budgets(db_url="postgresql+asyncpg://localhost/mydb")
    budget = await tracker.create_budget(user_id=..., name=..., type=BudgetType.PERSONAL, ...)

The tracker applies migrations on first use, so it works on an empty database
(including ``sqlite+aiosqlite:///:memory:``).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.models import Budget, BudgetType
from domain.service import BudgetService

from .database import create_engine, resolve_database_url
from .migrate import migrate
from .unit_of_work import SqlUnitOfWorkFactory


class BudgetTracker:
    def __init__(self, db_engine: AsyncEngine):
        self.db_engine = db_engine
        self.service = BudgetService(SqlUnitOfWorkFactory(db_engine))
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
        return await self.service.create_budget(**kwargs)

    async def get_budgets(self, user_id: str, type: BudgetType | str | None = None) -> list[Budget]:
        await self._ensure_schema()
        return await self.service.get_budgets(user_id, type)

    async def get_budget(self, budget_id: str) -> Budget:
        await self._ensure_schema()
        return await self.service.get_budget(budget_id)

    async def update_budget(self, budget_id: str, updates: dict[str, Any]) -> Budget:
        await self._ensure_schema()
        return await self.service.update_budget(budget_id, updates)

    async def delete_budget(self, budget_id: str) -> None:
        await self._ensure_schema()
        await self.service.delete_budget(budget_id)

    async def close(self) -> None:
        await self.db_engine.dispose()


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


"""Per-request dataloaders: every progress asked for in one request is computed from
one batched read, whatever the number of budgets and categories."""

from __future__ import annotations

from aiodataloader import DataLoader

from domain.progress import BudgetProgress
from domain.spending import ProgressKey, SpendingService


class ProgressLoader(DataLoader):
    """Keys are ``(budget, period index, as of)``; the budget is already loaded by the parent."""

    def __init__(self, spending: SpendingService):
        super().__init__()
        self.spending = spending

    async def batch_load_fn(self, keys: list[ProgressKey]) -> list[BudgetProgress]:
        return await self.spending.progress_many(keys)

"""Spending: transaction queries and mutations, and root-level progress."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from graph.api.budgets.dataloaders import progress_loader
from graph.api.context import Info
from graph.api.core.enums import TransactionKindEnum
from graph.api.progress.types import BudgetProgress
from graph.api.spending.types import CategoryRule, Transaction, TransactionConnection


@strawberry.type
class SpendingQueries:
    @strawberry.field(
        description="A user's transactions (default: the viewer's), most recent first; `from` inclusive, `to` exclusive."
    )
    async def transactions(
        self,
        info: Info,
        user_id: str | None = None,
        category: str | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int = 50,
        after: str | None = None,
        kind: TransactionKindEnum | None = None,
        uncategorized: Annotated[
            bool | None,
            strawberry.argument(
                description="true: only those without a category (nor splits); false: only categorized ones."
            ),
        ] = None,
    ) -> TransactionConnection:
        page = await info.context.spending.list(
            info.context.actor, user_id, category, from_, to, first, after, kind, uncategorized
        )
        return TransactionConnection.from_page(page, Transaction.from_domain)

    @strawberry.field(description="A user's category rules (default: the viewer's), in the order they are tried.")
    async def category_rules(self, info: Info, user_id: str | None = None) -> list[CategoryRule]:
        return [CategoryRule.from_domain(r) for r in await info.context.rules.list(info.context.actor, user_id)]

    @strawberry.field(description="A budget's figures for the period containing `at` (default now); null if no such budget (or it is not yours nor shared with you).")
    async def budget_progress(self, info: Info, budget_id: strawberry.ID, at: datetime | None = None) -> BudgetProgress | None:
        budget = await info.context.budgets.find_budget(info.context.actor, str(budget_id))
        if budget is None:
            return None
        k = info.context.spending.period_at(budget, at)
        return BudgetProgress.from_domain(await progress_loader(info.context).load((budget, k, at)))

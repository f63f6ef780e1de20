"""Root query fields for budgets."""

from __future__ import annotations

import strawberry

from graph.api.budgets.types import Budget, BudgetConnection
from graph.api.context import Info
from graph.api.core.enums import BudgetTypeEnum


@strawberry.type
class BudgetQueries:
    @strawberry.field(description="A budget by id, or null when there is none (or it is not yours nor shared with you).")
    async def budget(self, info: Info, id: strawberry.ID) -> Budget | None:
        found = await info.context.budgets.find_budget(info.context.actor, str(id))
        return Budget.from_domain(found) if found else None

    @strawberry.field(
        description="A user's budgets (default: the viewer's), newest first: their own and those shared with them. "
        "`shared`: null both, false only their own, true only those shared with them. `first` is capped at 500."
    )
    async def budgets(
        self,
        info: Info,
        user_id: str | None = None,
        type: BudgetTypeEnum | None = None,
        first: int = 50,
        after: str | None = None,
        shared: bool | None = None,
    ) -> BudgetConnection:
        page = await info.context.budgets.list_budgets(info.context.actor, user_id, type, first, after, shared)
        return BudgetConnection.from_page(page, Budget.from_domain)

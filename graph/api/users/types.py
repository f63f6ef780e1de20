"""The ``User`` entity: a user as Apollo Federation knows them, with their budgets.

budgetql keeps no user records (a user is the ``sub`` of a token, or a ``userId``), so
another subgraph owns the user; this one contributes ``budgets``. Nothing here is read
when a reference is resolved: ``budgets`` applies ``budgets(userId:)``'s rules when asked.
"""

from __future__ import annotations

import strawberry

from graph.api.budgets.types import Budget, BudgetConnection
from graph.api.context import Info
from graph.api.core.enums import BudgetTypeEnum


@strawberry.federation.type(
    keys=["id"],
    description="A user, for Apollo Federation (key: id): this subgraph adds their budgets. The id is a userId "
    "(a token's sub).",
)
class User:
    id: strawberry.ID

    @strawberry.field(
        description="Their budgets, newest first: the same page, filters and rules as budgets(userId:) (yours "
        "only: another user's is FORBIDDEN, unless the server runs without authentication)."
    )
    async def budgets(
        self,
        info: Info,
        type: BudgetTypeEnum | None = None,
        first: int = 50,
        after: str | None = None,
        shared: bool | None = None,
    ) -> BudgetConnection:
        page = await info.context.budgets.list_budgets(info.context.actor, str(self.id), type, first, after, shared)
        return BudgetConnection.from_page(page, Budget.from_domain)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> "User":
        return cls(id=id)

"""Sharing a budget with other users (households): ``shareBudget``, ``unshareBudget``."""

from __future__ import annotations

import strawberry

from domain.errors import BudgetError

from .context import Info
from .errors import user_errors
from .mutations import BudgetPayload
from .types.budget import Budget
from .types.enums import MemberRoleEnum


@strawberry.type
class SharingMutations:
    @strawberry.mutation(
        description="Share a budget with a user as VIEWER or EDITOR (its owner only); sharing again changes the role. "
        "Members see it in budgets(), read its progress and alerts, and receive its alerts; a HOUSEHOLD budget "
        "counts their spending too."
    )
    async def share_budget(
        self, info: Info, budget_id: strawberry.ID, user_id: str, role: MemberRoleEnum
    ) -> BudgetPayload:
        try:
            budget = await info.context.budgets.share_budget(info.context.actor, str(budget_id), user_id, role)
        except BudgetError as exc:
            return BudgetPayload(errors=user_errors(exc))
        return BudgetPayload(budget=Budget.from_domain(budget))

    @strawberry.mutation(description="Stop sharing a budget with a user (its owner only).")
    async def unshare_budget(self, info: Info, budget_id: strawberry.ID, user_id: str) -> BudgetPayload:
        try:
            budget = await info.context.budgets.unshare_budget(info.context.actor, str(budget_id), user_id)
        except BudgetError as exc:
            return BudgetPayload(errors=user_errors(exc))
        return BudgetPayload(budget=Budget.from_domain(budget))

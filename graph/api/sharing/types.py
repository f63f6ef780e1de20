"""The ``BudgetInvitation`` type: sharing a budget asks the invitee first."""

from __future__ import annotations

import strawberry

from graph.api.budgets.types import Budget, BudgetInvitation
from graph.api.core.errors import UserError, payload_type


@strawberry.type
class ShareBudgetPayload:
    budget: Budget | None = None
    invitation: BudgetInvitation | None = strawberry.field(
        default=None, description="The invitation sent; null when the user was a member already and only their role changed."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)

@strawberry.type
class InvitationPayload:
    invitation: BudgetInvitation | None = None
    budget: Budget | None = strawberry.field(default=None, description="The budget joined (acceptInvitation only).")
    errors: list[UserError] = strawberry.field(default_factory=list)

LeaveBudgetPayload = payload_type("LeaveBudgetPayload", left_budget_id=strawberry.ID)

"""Sharing a budget, with the invitee's consent: ``shareBudget`` sends an invitation,
``acceptInvitation`` / ``declineInvitation`` answer it, ``cancelInvitation`` and
``unshareBudget`` withdraw it, ``leaveBudget`` ends a membership; ``invitations`` lists
what a user received."""

from __future__ import annotations

import strawberry

from graph.api.budgets.types import BudgetInvitation
from graph.api.context import Info
from graph.api.core.enums import InvitationStatusEnum


@strawberry.type
class SharingQueries:
    @strawberry.field(
        description="Invitations a user received (default the viewer), newest first; `status` filters them "
        "(PENDING: those still open)."
    )
    async def invitations(
        self, info: Info, user_id: str | None = None, status: InvitationStatusEnum | None = None, first: int = 50
    ) -> list[BudgetInvitation]:
        found = await info.context.sharing.received(info.context.actor, user_id, status, first)
        return [BudgetInvitation.from_domain(i) for i in found]

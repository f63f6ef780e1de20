"""Sharing a budget, with the invitee's consent: ``shareBudget`` sends an invitation,
``acceptInvitation`` / ``declineInvitation`` answer it, ``cancelInvitation`` and
``unshareBudget`` withdraw it, ``leaveBudget`` ends a membership; ``invitations`` lists
what a user received."""

from __future__ import annotations

import strawberry

from graph.api.budgets.types import Budget, BudgetInvitation, BudgetPayload
from graph.api.context import Info
from graph.api.core.enums import MemberRoleEnum
from graph.api.core.errors import payload
from graph.api.sharing.types import InvitationPayload, LeaveBudgetPayload, ShareBudgetPayload


def _invitation_payload(invitation, budget=None) -> InvitationPayload:
    return InvitationPayload(
        invitation=BudgetInvitation.from_domain(invitation),
        budget=Budget.from_domain(budget) if budget is not None else None,
    )

def _shared(shared) -> ShareBudgetPayload:
    return ShareBudgetPayload(
        budget=Budget.from_domain(shared.budget),
        invitation=BudgetInvitation.from_domain(shared.invitation) if shared.invitation else None,
    )


@strawberry.type
class SharingMutations:
    @strawberry.mutation(
        description="Invite a user to a budget as VIEWER or EDITOR (its owner only). Nothing is shared until they "
        "accept: then they see it, its progress and its alerts, and a HOUSEHOLD budget counts their spending from "
        "that moment. Inviting again while it is open changes the invitation's role; for a member, it changes "
        "their role. Invitations expire after 14 days; a budget has at most 20 open ones and a user may send at "
        "most 50 in 24 hours (RATE_LIMITED)."
    )
    async def share_budget(
        self, info: Info, budget_id: strawberry.ID, user_id: str, role: MemberRoleEnum
    ) -> ShareBudgetPayload:
        return await payload(
            ShareBudgetPayload,
            lambda: info.context.sharing.share(info.context.actor, str(budget_id), user_id, role),
            _shared,
        )

    @strawberry.mutation(
        description="Stop sharing a budget with a user (its owner only): removes the member (their spending stops "
        "counting at once) or cancels their open invitation."
    )
    async def unshare_budget(self, info: Info, budget_id: strawberry.ID, user_id: str) -> BudgetPayload:
        return await payload(
            BudgetPayload,
            lambda: info.context.sharing.unshare(info.context.actor, str(budget_id), user_id),
        )

    @strawberry.mutation(
        description="Accept an invitation (the invitee): become a member. A HOUSEHOLD budget counts your spending "
        "from now on; with shareHistory: true, your earlier spending too."
    )
    async def accept_invitation(self, info: Info, id: strawberry.ID, share_history: bool = False) -> InvitationPayload:
        return await payload(
            InvitationPayload,
            lambda: info.context.sharing.accept(info.context.actor, str(id), share_history),
            lambda answered: _invitation_payload(answered.invitation, answered.budget),
        )

    @strawberry.mutation(description="Decline an invitation (the invitee).")
    async def decline_invitation(self, info: Info, id: strawberry.ID) -> InvitationPayload:
        return await payload(
            InvitationPayload, lambda: info.context.sharing.decline(info.context.actor, str(id)), _invitation_payload
        )

    @strawberry.mutation(description="Withdraw an open invitation (the budget's owner).")
    async def cancel_invitation(self, info: Info, id: strawberry.ID) -> InvitationPayload:
        return await payload(
            InvitationPayload, lambda: info.context.sharing.cancel(info.context.actor, str(id)), _invitation_payload
        )

    @strawberry.mutation(
        description="Stop being a member of a budget shared with you: you no longer see it, and a HOUSEHOLD budget "
        "stops counting your spending at once. `userId` only with authentication off."
    )
    async def leave_budget(
        self, info: Info, budget_id: strawberry.ID, user_id: str | None = None
    ) -> LeaveBudgetPayload:
        return await payload(
            LeaveBudgetPayload,
            lambda: info.context.sharing.leave(info.context.actor, str(budget_id), user_id),
            lambda _: LeaveBudgetPayload(left_budget_id=budget_id),
        )

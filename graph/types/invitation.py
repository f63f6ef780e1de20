"""The ``BudgetInvitation`` type: sharing a budget asks the invitee first."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.models import utcnow
from domain.sharing import Invitation

from .enums import InvitationStatusEnum, MemberRoleEnum


@strawberry.type(description="An invitation to a budget. Nobody is a member, sees it or counts in it before accepting.")
class BudgetInvitation:
    id: strawberry.ID
    budget_id: strawberry.ID
    budget_name: str = strawberry.field(description="The budget's name, so the invitee knows what they are asked to join.")
    user_id: str = strawberry.field(description="The invitee.")
    role: MemberRoleEnum
    invited_by: str
    created_at: datetime
    expires_at: datetime
    responded_at: datetime | None = strawberry.field(description="When it was accepted, declined or cancelled.")
    status: InvitationStatusEnum
    share_history: bool = strawberry.field(
        description="For an accepted invitation: whether the member let a HOUSEHOLD budget count their spending "
        "from before they accepted."
    )

    @classmethod
    def from_domain(cls, i: Invitation) -> "BudgetInvitation":
        return cls(
            id=strawberry.ID(i.id),
            budget_id=strawberry.ID(i.budget_id),
            budget_name=i.budget_name,
            user_id=i.user_id,
            role=i.role,
            invited_by=i.invited_by,
            created_at=i.created_at,
            expires_at=i.expires_at,
            responded_at=i.responded_at,
            status=i.status_at(utcnow()),
            share_history=i.share_history,
        )

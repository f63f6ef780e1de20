"""GraphQL enums mirroring the domain's."""

from __future__ import annotations

import strawberry

from domain.models import BudgetPeriod, BudgetType, MemberRole, RolloverMode
from domain.sharing.rules import InvitationStatus

BudgetTypeEnum = strawberry.enum(BudgetType, name="BudgetType", description="What a budget is for.")
BudgetPeriodEnum = strawberry.enum(BudgetPeriod, name="BudgetPeriod", description="How often a budget resets.")
MemberRoleEnum = strawberry.enum(
    MemberRole,
    name="MemberRole",
    description="VIEWER reads a shared budget, its progress and its alerts; EDITOR also updates it. "
    "Only the owner deletes or shares it.",
)
RolloverModeEnum = strawberry.enum(
    RolloverMode,
    name="RolloverMode",
    description="NONE: each period starts from its limit. UNUSED: unused amounts carry forward. "
    "FULL: unused amounts and overspending both carry forward.",
)
InvitationStatusEnum = strawberry.enum(
    InvitationStatus,
    name="InvitationStatus",
    description="PENDING until the invitee accepts or declines, the owner cancels, or it expires (14 days).",
)

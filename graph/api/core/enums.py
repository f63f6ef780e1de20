"""GraphQL enums mirroring the domain's."""

from __future__ import annotations

import strawberry

from domain.models import BudgetPeriod, BudgetType, CategorizedBy, MemberRole, RolloverMode, TransactionKind
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

TransactionKindEnum = strawberry.enum(
    TransactionKind,
    name="TransactionKind",
    description="EXPENSE is spending (a negative amount is a refund); INCOME never counts as spending.",
)
CategorizedByEnum = strawberry.enum(
    CategorizedBy,
    name="CategorizedBy",
    description="What gave a transaction its category: MANUAL (the caller), RULE (one of the user's rules: "
    "ruleId) or SOURCE_MAPPING (the built-in mapping of the bank's category).",
)

"""The ``Budget`` type and its parts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Awaitable

import strawberry

from domain import models, money
from domain.budgets.service import current_period
from domain.mapping import copied
from domain.models import utcnow
from domain.sharing.rules import Invitation
from graph.api.budgets.dataloaders import budget_loader, invitation_loader, progress_loader
from graph.api.context import Info
from graph.api.core.enums import (
    BudgetPeriodEnum,
    BudgetTypeEnum,
    InvitationStatusEnum,
    MemberRoleEnum,
    RolloverModeEnum,
)
from graph.api.core.errors import payload_type
from graph.api.core.node import Node
from graph.api.core.pagination import Connection
from graph.api.goals.types import Goal
from graph.api.insights.types import BudgetInsights, SuggestedLimit
from graph.api.progress.types import BudgetProgress


@strawberry.type(description="A spending limit for one category.")
class CategoryLimit:
    name: str
    amount: Decimal


@strawberry.type(description="Fractions of a category's limit at which alerts fire (0.8 = 80%).")
class AlertThresholds:
    warning: Decimal
    limit_reached: Decimal
    overspending: Decimal


@strawberry.type(description="A user who accepted an invitation to a budget.")
class BudgetMember:
    user_id: str
    role: MemberRoleEnum
    created_at: datetime = strawberry.field(description="When they were invited.")
    accepted_at: datetime = strawberry.field(
        description="When they accepted: a HOUSEHOLD budget counts their spending from this moment."
    )
    shares_history: bool = strawberry.field(
        description="Whether they also let it count their spending from before acceptedAt."
    )


def _in_force(root: "Budget", info: Info) -> tuple[models.CategoryLimit, ...]:
    b = root.domain
    if not b.has_history:
        return b.limits
    return b.limits_at(current_period(b, info.context.budgets.clock()))


def _categories(root: "Budget", info: Info) -> list[CategoryLimit]:
    # Built when asked for: a page of budgets with progress never pays for it.
    return [CategoryLimit(name=c.name, amount=c.amount) for c in _in_force(root, info)]


def _total_budgeted(root: "Budget", info: Info) -> Decimal:
    return money.total(c.amount for c in _in_force(root, info))


@strawberry.type(description="One field of a budget before and after a change (text; null: not set).")
class FieldChange:
    field: str = strawberry.field(
        description="`name`, `thresholds.warning`, `categories.Groceries.amount` (from the revision's "
        "effectivePeriod on), `periods.3.categories.Groceries.amount` (that period only), `members.bob.role`, …"
    )
    before: str | None
    after: str | None


@strawberry.type(description="One recorded change of a budget, its creation included.")
class BudgetRevision:
    version: int = strawberry.field(
        description="The budget's version after the change (sharing changes are recorded but are not edits: "
        "they leave the version, and so editors' expectedVersion, as it was)."
    )
    changed_at: datetime
    changed_by: str | None = strawberry.field(description="Who made it (null: the trusted local caller or a restore).")
    effective_period: int | None = strawberry.field(
        description="The period a change of categories or amounts applies from (or the one period of a "
        "period-only amount); null for other changes."
    )
    changes: list[FieldChange]

    @classmethod
    def from_domain(cls, r: models.BudgetRevision) -> "BudgetRevision":
        return copied(cls, r, changes=[copied(FieldChange, c) for c in r.changes])


@strawberry.type(description="A budget's change log, newest first.")
class BudgetRevisionConnection(Connection[BudgetRevision]):
    pass


@strawberry.federation.type(
    keys=["id"],
    description="A budget: a limit per category, repeating every period from its start date. An Apollo Federation "
    "entity (key: id): a gateway resolves a reference with budget(id:)'s rules (null when it is not yours to see).",
)
class Budget(Node):
    id: strawberry.ID
    user_id: str
    name: str
    type: BudgetTypeEnum
    period: BudgetPeriodEnum
    currency: str
    categories: list[CategoryLimit] = strawberry.field(
        resolver=_categories,
        description="The amounts in force now (the current period's, on the budget's wall clock), in the order "
        "they were given. See categoriesAt for any other period.",
    )
    total_budgeted: Decimal = strawberry.field(resolver=_total_budgeted, description="The sum of categories.")
    time_zone: str = strawberry.field(
        description="The IANA time zone its days are counted in: periods start at local midnight, and now is "
        "the wall-clock time there."
    )
    start_date: datetime = strawberry.field(description="Start of period 0 (midnight).")
    end_date: datetime = strawberry.field(description="The last second of period 0.")
    rollover_enabled: bool
    rollover_mode: RolloverModeEnum
    thresholds: AlertThresholds
    version: int = strawberry.field(description="Increases on every update; pass it as expectedVersion to update safely.")
    created_at: datetime
    updated_at: datetime
    members: list[BudgetMember] = strawberry.field(
        description="Users who accepted an invitation to it (not its owner, userId), oldest first. A HOUSEHOLD "
        "budget counts their spending from the moment they accepted (or all of it, if they chose to share "
        "their history)."
    )

    domain: strawberry.Private[models.Budget]

    @strawberry.field(
        description="The categories of period `period` with that period's own amounts (its plan's, or a "
        "period-only amount set by setPeriodAmount)."
    )
    def categories_at(self, info: Info, period: int) -> list[CategoryLimit]:
        k = info.context.spending.period_of(self.domain, None, period)
        return [CategoryLimit(name=c.name, amount=c.amount) for c in self.domain.limits_at(k)]

    @strawberry.field(description="Its spending over its last `periods` complete periods, per category and in total.")
    async def insights(self, info: Info, periods: int = 6) -> BudgetInsights:
        found = await info.context.services.insights.insights(info.context.actor, self.domain, periods)
        return BudgetInsights.from_domain(found)

    @strawberry.field(
        description="Per category, the `percentile` of its last `periods` complete periods' spending, rounded up "
        "to a whole currency unit; a category without history keeps its amount."
    )
    async def suggested_limits(self, info: Info, periods: int = 6, percentile: int = 75) -> list[SuggestedLimit]:
        found = await info.context.services.insights.suggested_limits(info.context.actor, self.domain, periods,
                                                                      percentile)
        return [SuggestedLimit.from_domain(s) for s in found]

    @strawberry.field(description="The goals funded by its categories (anyone who may read the budget sees them).")
    async def goals(self, info: Info) -> list[Goal]:
        service = info.context.services.goals
        linked = (await service.for_budgets([self.domain]))[self.domain.id]
        return [Goal.from_progress(p) for p in await service.progress_many(linked)]

    @strawberry.field(description="Its change log, newest first: every change with its fields before and after.")
    async def history(self, info: Info, first: int = 20, after: str | None = None) -> BudgetRevisionConnection:
        page = await info.context.budgets.history(info.context.actor, self.domain, first, after)
        return BudgetRevisionConnection.from_page(page, BudgetRevision.from_domain)

    @strawberry.field(description="Figures for the period containing `at` (default now), or for period index `period`.")
    async def progress(self, info: Info, at: datetime | None = None, period: int | None = None) -> BudgetProgress:
        k = info.context.spending.period_of(self.domain, at, period)
        return BudgetProgress.from_domain(await progress_loader(info.context).load((self.domain, k, at)))

    @strawberry.field(
        description="Its invitations, newest first (at most 200): its owner's to read; anyone else gets an empty list."
    )
    async def invitations(self, info: Info) -> list[BudgetInvitation]:
        return [BudgetInvitation.from_domain(i) for i in await invitation_loader(info.context).load(self.domain)]

    @strawberry.field(description="Progress of the current period and up to `last - 1` before it, newest first.")
    async def periods(self, info: Info, last: int = 12) -> list[BudgetProgress]:
        keys = [(self.domain, k, None) for k in info.context.spending.history(self.domain, last)]
        return [BudgetProgress.from_domain(p) for p in await progress_loader(info.context).load_many(keys)]

    @classmethod
    def resolve_reference(cls, info: Info, id: strawberry.ID) -> Awaitable["Budget | None"]:
        """A gateway's reference (``_entities``): the budget, or None when there is none or
        it is not the caller's to see; a request's references are read together."""
        return _budget_view(budget_loader(info.context).load(str(id)))

    @classmethod
    def from_domain(cls, b: models.Budget) -> "Budget":
        return copied(
            cls, b,
            thresholds=copied(AlertThresholds, b.thresholds),
            members=[copied(BudgetMember, m, shares_history=m.share_history) for m in b.members],
            domain=b,
        )


async def _budget_view(found: Awaitable[models.Budget | None]) -> Budget | None:
    budget = await found
    return Budget.from_domain(budget) if budget is not None else None


BudgetPayload = payload_type("BudgetPayload", budget=Budget)
DeleteBudgetPayload = payload_type("DeleteBudgetPayload", deleted_id=strawberry.ID)


@strawberry.type(description="A page of budgets, newest first.")
class BudgetConnection(Connection[Budget]):
    pass


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
        return copied(cls, i, status=i.status_at(utcnow()))

"""Per-request dataloaders: every progress asked for in one request is computed from
one batched read, whatever the number of budgets and categories."""

from __future__ import annotations

from aiodataloader import DataLoader

from domain.access import Actor
from domain.budgets.service import BudgetService
from domain.models import Budget
from domain.progress.rules import BudgetProgress
from domain.sharing.rules import Invitation
from domain.sharing.service import SharingService
from domain.spending.service import ProgressKey, SpendingService


class ProgressLoader(DataLoader):
    """Keys are ``(budget, period index, as of)``; the budget is already loaded by the parent."""

    def __init__(self, spending: SpendingService):
        # Keyed by the budget's id and version: hashing the whole budget (every
        # category) for each key showed up in the profile of a page of budgets.
        super().__init__(get_cache_key=lambda key: (key[0].id, key[0].version, key[1], key[2]))
        self.spending = spending

    async def batch_load_fn(self, keys: list[ProgressKey]) -> list[BudgetProgress]:
        return await self.spending.progress_many(keys)


class InvitationLoader(DataLoader):
    """Keys are budgets; each gets its invitations (its owner's to read, nobody else's)."""

    def __init__(self, sharing: SharingService, actor: Actor):
        super().__init__(get_cache_key=lambda budget: budget.id)
        self.sharing = sharing
        self.actor = actor

    async def batch_load_fn(self, budgets: list[Budget]) -> list[list[Invitation]]:
        found = await self.sharing.sent(self.actor, budgets)
        return [found[b.id] for b in budgets]


def progress_loader(context) -> ProgressLoader:
    """The request's progress loader: every progress asked for in it, from one read."""
    return context.loader("progress", lambda: ProgressLoader(context.services.spending))


def invitation_loader(context) -> InvitationLoader:
    """Each budget's invitations, for its owner: one read for a page of budgets."""
    return context.loader("invitations", lambda: InvitationLoader(context.services.sharing, context.actor))


class BudgetLoader(DataLoader):
    """Keys are budget ids; each gets its budget, or None when there is none or the
    caller may not read it (``budget(id)``'s rules), all of a request's from one read."""

    def __init__(self, budgets: BudgetService, actor: Actor):
        super().__init__()
        self.budgets = budgets
        self.actor = actor

    async def batch_load_fn(self, ids: list[str]) -> list[Budget | None]:
        found = await self.budgets.find_budgets(self.actor, ids)
        return [found.get(i) for i in ids]


def budget_loader(context) -> BudgetLoader:
    """The request's budgets by id: the federation's references to budgets, in one read."""
    return context.loader("budgets", lambda: BudgetLoader(context.services.budgets, context.actor))

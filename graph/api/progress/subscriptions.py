"""The live ``budgetProgress`` subscription: a budget's current-period figures now, and
again after each committed write that changes them (in any process), coalesced."""

from __future__ import annotations

import asyncio
from typing import AsyncGenerator

import strawberry

from domain.errors import not_found
from graph.api.context import Info
from graph.api.progress.types import BudgetProgress

COALESCE = 0.25  # seconds: at most one update per subscription in this window


@strawberry.type
class ProgressSubscriptions:
    @strawberry.subscription(
        description="The budget's figures for its current period at once, then again after every committed write "
        "that changes them (its spenders' transactions, edits of the budget, its amounts or its sharing), at most "
        "one update per 250 ms, the latest figures. Only for those who may read the budget (NOT_FOUND otherwise); "
        "it ends when the budget is deleted or the caller loses access to it."
    )
    async def budget_progress(self, info: Info, budget_id: strawberry.ID) -> AsyncGenerator[BudgetProgress, None]:
        actor = info.context.actor
        bid = str(budget_id)
        budget = await info.context.budgets.find_budget(actor, bid)
        if budget is None:
            raise not_found(f"Budget with ID {bid} not found", "budgetId")
        # Counted with the caller's budgetAlerts subscriptions (the owner's, for the trusted caller).
        watch = info.context.services.hub.watch(actor.user_id or budget.user_id, bid, frozenset(budget.spender_ids))
        loop = asyncio.get_running_loop()
        try:
            last = None
            while True:
                spending = info.context.spending
                (figures,) = await spending.progress_many([(budget, spending.period_at(budget, None), None)])
                if figures != last:
                    last = figures
                    yield BudgetProgress.from_domain(figures)
                sent_at = loop.time()
                await watch.changed.wait()
                # Coalesce: whatever commits within the window is read once, after it.
                await asyncio.sleep(max(0.0, sent_at + COALESCE - loop.time()))
                if watch.closed:
                    return
                watch.changed.clear()  # before re-reading: a later write wakes it again
                budget = await info.context.budgets.find_budget(actor, bid)
                if budget is None:  # deleted, or no longer shared with the caller
                    return
                watch.users = frozenset(budget.spender_ids)
        finally:
            watch.close()

"""Budget mutations. Errors come back as data in ``errors``; nothing is stored then."""

from __future__ import annotations

import strawberry

from domain.errors import BudgetError

from graph.api.context import Info
from graph.api.core.errors import input_errors, user_errors
from graph.api.budgets.inputs import CreateBudgetInput, UpdateBudgetInput, limits_of, thresholds_of
from graph.api.budgets.types import Budget
from graph.api.budgets.types import BudgetPayload
from graph.api.budgets.types import DeleteBudgetPayload


@strawberry.type
class BudgetMutations:
    @strawberry.mutation(description="Create a budget.")
    async def create_budget(self, info: Info, input: CreateBudgetInput) -> BudgetPayload:
        try:
            budget = await info.context.budgets.create_budget(
                info.context.actor,
                user_id=input.user_id,
                name=input.name,
                type=input.type,
                period=input.period,
                categories=limits_of(input.categories),
                start_date=input.start_date,
                rollover_enabled=input.rollover_enabled,
                rollover_mode=input.rollover_mode,
                currency=input.currency,
                thresholds=thresholds_of(input.thresholds),
            )
        except BudgetError as exc:
            return BudgetPayload(errors=input_errors(exc))
        return BudgetPayload(budget=Budget.from_domain(budget))

    @strawberry.mutation(
        description="Change some fields of a budget (its owner and EDITOR members). "
        "Pass expectedVersion to fail with CONFLICT instead of overwriting a concurrent change."
    )
    async def update_budget(
        self, info: Info, id: strawberry.ID, input: UpdateBudgetInput, expected_version: int | None = None
    ) -> BudgetPayload:
        updates = {
            "name": input.name,
            "type": input.type,
            "period": input.period,
            "categories": limits_of(input.categories),
            "start_date": input.start_date,
            "rollover_enabled": input.rollover_enabled,
            "rollover_mode": input.rollover_mode,
            "currency": input.currency,
            "thresholds": thresholds_of(input.thresholds),
        }
        try:
            budget = await info.context.budgets.update_budget(
                info.context.actor, str(id), updates, expected_version=expected_version
            )
        except BudgetError as exc:
            return BudgetPayload(errors=input_errors(exc))
        return BudgetPayload(budget=Budget.from_domain(budget))

    @strawberry.mutation(description="Delete a budget (its owner only).")
    async def delete_budget(self, info: Info, id: strawberry.ID) -> DeleteBudgetPayload:
        try:
            await info.context.budgets.delete_budget(info.context.actor, str(id))
        except BudgetError as exc:
            return DeleteBudgetPayload(errors=user_errors(exc))
        return DeleteBudgetPayload(deleted_id=id)

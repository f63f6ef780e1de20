"""Budget mutations. Errors come back as data in ``errors``; nothing is stored then."""

from __future__ import annotations

import strawberry

from graph.api.budgets.inputs import (
    CreateBudgetInput,
    SetPeriodAmountInput,
    UpdateBudgetInput,
    limits_of,
    thresholds_of,
)
from graph.api.budgets.types import BudgetPayload, DeleteBudgetPayload
from graph.api.context import Info
from graph.api.core.errors import deleted, input_errors, payload
from graph.api.core.mapping import arguments


@strawberry.type
class BudgetMutations:
    @strawberry.mutation(description="Create a budget.")
    async def create_budget(self, info: Info, input: CreateBudgetInput) -> BudgetPayload:
        return await payload(
            BudgetPayload,
            lambda: info.context.budgets.create_budget(
                info.context.actor,
                **arguments(input, categories=limits_of(input.categories), thresholds=thresholds_of(input.thresholds)),
            ),
            errors=input_errors,
        )

    @strawberry.mutation(
        description="Change some fields of a budget (its owner and EDITOR members). "
        "Pass expectedVersion to fail with CONFLICT instead of overwriting a concurrent change."
    )
    async def update_budget(
        self, info: Info, id: strawberry.ID, input: UpdateBudgetInput, expected_version: int | None = None
    ) -> BudgetPayload:
        updates = arguments(input, categories=limits_of(input.categories), thresholds=thresholds_of(input.thresholds))
        return await payload(
            BudgetPayload,
            lambda: info.context.budgets.update_budget(
                info.context.actor, str(id), updates, expected_version=expected_version
            ),
            errors=input_errors,
        )

    @strawberry.mutation(
        description="Set one category's amount for one period only (assigning money); amount null removes it. "
        "Its owner and EDITOR members."
    )
    async def set_period_amount(
        self, info: Info, input: SetPeriodAmountInput, expected_version: int | None = None
    ) -> BudgetPayload:
        return await payload(
            BudgetPayload,
            lambda: info.context.budgets.set_period_amount(
                info.context.actor, str(input.budget_id), input.period, input.category, input.amount,
                expected_version=expected_version,
            ),
            errors=input_errors,
        )

    @strawberry.mutation(
        description="Set the chosen categories to their suggested limits (Budget.suggestedLimits) from "
        "effectivePeriod on (default: the current period); the other categories keep their amounts."
    )
    async def apply_suggested_limits(
        self,
        info: Info,
        budget_id: strawberry.ID,
        categories: list[str],
        effective_period: int | None = None,
        periods: int = 6,
        percentile: int = 75,
    ) -> BudgetPayload:
        return await payload(
            BudgetPayload,
            lambda: info.context.services.insights.apply_suggested_limits(
                info.context.actor, str(budget_id), categories, effective_period, periods, percentile
            ),
        )

    @strawberry.mutation(description="Delete a budget (its owner only).")
    async def delete_budget(self, info: Info, id: strawberry.ID) -> DeleteBudgetPayload:
        return await deleted(
            DeleteBudgetPayload, id, lambda: info.context.budgets.delete_budget(info.context.actor, str(id))
        )

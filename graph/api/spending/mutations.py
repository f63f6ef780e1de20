"""Spending: transaction queries and mutations, and root-level progress."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from graph.api.context import Info
from graph.api.core.errors import deleted, input_errors, payload
from graph.api.core.mapping import arguments
from graph.api.spending.inputs import (
    CreateCategoryRuleInput,
    RecordTransactionInput,
    UpdateCategoryRuleInput,
    UpdateTransactionInput,
)
from graph.api.spending.types import (
    ApplyCategoryRulesPayload,
    CategoryRulePayload,
    DeleteCategoryRulePayload,
    DeleteTransactionPayload,
    Transaction,
    TransactionPayload,
    TransactionsPayload,
)


@strawberry.type
class SpendingMutations:
    @strawberry.mutation(description="Record spending (idempotent on externalId).")
    async def record_transaction(self, info: Info, input: RecordTransactionInput) -> TransactionPayload:
        def recorded(result) -> TransactionPayload:
            stored, created = result
            return TransactionPayload(transaction=Transaction.from_domain(stored), created=created)

        return await payload(
            TransactionPayload,
            lambda: info.context.spending.record(info.context.actor, input.to_domain()),
            recorded,
            lambda exc: input_errors(exc, outside=()),
        )

    @strawberry.mutation(description="Record up to 1,000 transactions, all or nothing.")
    async def record_transactions(self, info: Info, inputs: list[RecordTransactionInput]) -> TransactionsPayload:
        def recorded(results) -> TransactionsPayload:
            created = sum(1 for _, is_new in results if is_new)
            return TransactionsPayload(
                transactions=[Transaction.from_domain(t) for t, _ in results],
                created_count=created,
                duplicate_count=len(results) - created,
            )

        return await payload(
            TransactionsPayload,
            lambda: info.context.spending.record_many(info.context.actor, [i.to_domain() for i in inputs]),
            recorded,
        )

    @strawberry.mutation(
        description="Change a transaction (its owner): the spending moves between categories and periods at once, "
        "and alerts are evaluated where it now counts. Pass expectedVersion to get CONFLICT instead of "
        "overwriting a concurrent change."
    )
    async def update_transaction(
        self, info: Info, id: strawberry.ID, input: UpdateTransactionInput, expected_version: int | None = None
    ) -> TransactionPayload:
        return await payload(
            TransactionPayload,
            lambda: info.context.spending.update(
                info.context.actor, str(id), input.changes(), expected_version=expected_version
            ),
            lambda t: TransactionPayload(transaction=Transaction.from_domain(t), created=False),
            lambda exc: input_errors(exc, outside=("id", "expectedVersion")),
        )

    @strawberry.mutation(description="Create a category rule (at most 500 per user).")
    async def create_category_rule(self, info: Info, input: CreateCategoryRuleInput) -> CategoryRulePayload:
        return await payload(
            CategoryRulePayload,
            lambda: info.context.rules.create(info.context.actor, **arguments(input, match=input.match.to_dict())),
            errors=input_errors,
        )

    @strawberry.mutation(description="Change a category rule (its owner).")
    async def update_category_rule(
        self, info: Info, id: strawberry.ID, input: UpdateCategoryRuleInput
    ) -> CategoryRulePayload:
        changes = arguments(input, match=input.match.to_dict() if input.match is not None else None)
        return await payload(
            CategoryRulePayload,
            lambda: info.context.rules.update(info.context.actor, str(id), changes),
        )

    @strawberry.mutation(description="Delete a category rule (its owner). Transactions it categorized keep their category.")
    async def delete_category_rule(self, info: Info, id: strawberry.ID) -> DeleteCategoryRulePayload:
        return await deleted(
            DeleteCategoryRulePayload, id, lambda: info.context.rules.delete(info.context.actor, str(id))
        )

    @strawberry.mutation(
        description="Re-categorize the user's stored transactions (occurredAt in [from, to)) by their rules and the "
        "bank mapping, in batches, rollups and alerts kept right. Transactions categorized by hand are never "
        "changed; onlyUncategorized: false also re-applies to those a rule or the mapping categorized."
    )
    async def apply_category_rules(
        self,
        info: Info,
        user_id: str | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        only_uncategorized: bool = True,
    ) -> ApplyCategoryRulesPayload:
        return await payload(
            ApplyCategoryRulesPayload,
            lambda: info.context.spending.apply_rules(info.context.actor, user_id, from_, to, only_uncategorized),
            lambda n: ApplyCategoryRulesPayload(changed_count=n),
        )

    @strawberry.mutation(description="Delete a transaction; its amount leaves every budget's progress.")
    async def delete_transaction(self, info: Info, id: strawberry.ID) -> DeleteTransactionPayload:
        return await deleted(
            DeleteTransactionPayload, id, lambda: info.context.spending.delete(info.context.actor, str(id))
        )

"""Spending: transaction queries and mutations, and root-level progress."""

from __future__ import annotations


import strawberry

from domain.errors import BudgetError

from graph.api.context import Info
from graph.api.core.errors import input_errors, user_errors
from graph.api.spending.inputs import RecordTransactionInput
from graph.api.spending.types import Transaction
from graph.api.spending.types import DeleteTransactionPayload
from graph.api.spending.types import TransactionPayload
from graph.api.spending.types import TransactionsPayload


@strawberry.type
class SpendingMutations:
    @strawberry.mutation(description="Record spending (idempotent on externalId).")
    async def record_transaction(self, info: Info, input: RecordTransactionInput) -> TransactionPayload:
        try:
            stored, created = await info.context.spending.record(info.context.actor, input.to_domain())
        except BudgetError as exc:
            return TransactionPayload(errors=input_errors(exc, outside=()))
        return TransactionPayload(transaction=Transaction.from_domain(stored), created=created)

    @strawberry.mutation(description="Record up to 1,000 transactions, all or nothing.")
    async def record_transactions(self, info: Info, inputs: list[RecordTransactionInput]) -> TransactionsPayload:
        try:
            results = await info.context.spending.record_many(info.context.actor, [i.to_domain() for i in inputs])
        except BudgetError as exc:
            return TransactionsPayload(errors=user_errors(exc))
        created = sum(1 for _, is_new in results if is_new)
        return TransactionsPayload(
            transactions=[Transaction.from_domain(t) for t, _ in results],
            created_count=created,
            duplicate_count=len(results) - created,
        )

    @strawberry.mutation(description="Delete a transaction; its amount leaves every budget's progress.")
    async def delete_transaction(self, info: Info, id: strawberry.ID) -> DeleteTransactionPayload:
        try:
            await info.context.spending.delete(info.context.actor, str(id))
        except BudgetError as exc:
            return DeleteTransactionPayload(errors=user_errors(exc))
        return DeleteTransactionPayload(deleted_id=id)

"""Spending: transaction queries and mutations, and root-level progress."""

from __future__ import annotations


import strawberry


from graph.api.context import Info
from graph.api.core.errors import input_errors
from graph.api.spending.inputs import RecordTransactionInput
from graph.api.spending.types import Transaction
from graph.api.spending.types import DeleteTransactionPayload
from graph.api.spending.types import TransactionPayload
from graph.api.spending.types import TransactionsPayload
from graph.api.core.errors import payload


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

    @strawberry.mutation(description="Delete a transaction; its amount leaves every budget's progress.")
    async def delete_transaction(self, info: Info, id: strawberry.ID) -> DeleteTransactionPayload:
        return await payload(
            DeleteTransactionPayload,
            lambda: info.context.spending.delete(info.context.actor, str(id)),
            lambda _: DeleteTransactionPayload(deleted_id=id),
        )

"""Spending: transaction queries and mutations, and root-level progress."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.errors import BudgetError

from .context import Info
from .errors import UserError, input_errors, user_errors
from .transaction_inputs import RecordTransactionInput
from .types.pagination import connection_from_page
from .types.progress import BudgetProgress
from .types.transaction import Transaction, TransactionConnection


@strawberry.type
class TransactionPayload:
    transaction: Transaction | None = None
    created: bool = strawberry.field(default=False, description="False when the externalId was already recorded.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TransactionsPayload:
    transactions: list[Transaction] = strawberry.field(default_factory=list, description="In the order given.")
    created_count: int = 0
    duplicate_count: int = 0
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteTransactionPayload:
    deleted_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SpendingQueries:
    @strawberry.field(
        description="A user's transactions (default: the viewer's), most recent first; `from` inclusive, `to` exclusive."
    )
    async def transactions(
        self,
        info: Info,
        user_id: str | None = None,
        category: str | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> TransactionConnection:
        page = await info.context.spending.list(info.context.actor, user_id, category, from_, to, first, after)
        return connection_from_page(TransactionConnection, page, Transaction.from_domain)

    @strawberry.field(description="A budget's figures for the period containing `at` (default now); null if no such budget (or it is not yours nor shared with you).")
    async def budget_progress(self, info: Info, budget_id: strawberry.ID, at: datetime | None = None) -> BudgetProgress | None:
        budget = await info.context.budgets.find_budget(info.context.actor, str(budget_id))
        if budget is None:
            return None
        k = info.context.spending.period_at(budget, at)
        return BudgetProgress.from_domain(await info.context.progress_loader.load((budget, k, at)))


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

"""The ``Transaction`` type and its connection."""

from __future__ import annotations

from datetime import datetime
import strawberry
from graph.api.core.errors import UserError


from decimal import Decimal


from domain import models

from graph.api.core.node import Node
from graph.api.core.pagination import Connection


@strawberry.type(description="Spending in one category; a negative amount is a refund.")
class Transaction(Node):
    id: strawberry.ID
    user_id: str
    category: str
    amount: Decimal
    currency: str
    occurred_at: datetime
    description: str
    external_id: str | None
    created_at: datetime

    @classmethod
    def from_domain(cls, t: models.Transaction) -> "Transaction":
        return cls(
            id=strawberry.ID(t.id),
            user_id=t.user_id,
            category=t.category,
            amount=t.amount,
            currency=t.currency,
            occurred_at=t.occurred_at,
            description=t.description,
            external_id=t.external_id,
            created_at=t.created_at,
        )


@strawberry.type(description="A page of transactions, most recent occurredAt first.")
class TransactionConnection(Connection[Transaction]):
    pass


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

"""The ``Transaction`` type and its connection."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain import models

from .pagination import Edge, PageInfo


@strawberry.type(description="Spending in one category; a negative amount is a refund.")
class Transaction:
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
class TransactionConnection:
    nodes: list[Transaction]
    edges: list[Edge[Transaction]]
    page_info: PageInfo
    total_count: int

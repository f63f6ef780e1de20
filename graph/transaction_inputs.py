"""Input types of the spending mutations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain.transactions import TransactionInput


@strawberry.input(description="Spending to record. A negative amount is a refund.")
class RecordTransactionInput:
    user_id: str | None = strawberry.field(default=None, description="Whose spending; defaults to the viewer.")
    category: str
    amount: Decimal
    currency: str = "USD"
    occurred_at: datetime | None = strawberry.field(default=None, description="Defaults to now.")
    description: str | None = None
    external_id: str | None = strawberry.field(
        default=None, description="Your id for it, unique per user: recording it again returns the stored one."
    )

    def to_domain(self) -> TransactionInput:
        return TransactionInput(
            user_id=self.user_id,
            category=self.category,
            amount=self.amount,
            currency=self.currency,
            occurred_at=self.occurred_at,
            description=self.description,
            external_id=self.external_id,
        )

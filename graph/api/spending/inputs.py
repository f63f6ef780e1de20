"""Input types of the spending mutations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping

import strawberry
from strawberry.types.base import StrawberryObjectDefinition

from domain.spending.rules import TransactionInput


def _flat_input(cls: type) -> type:
    """Build ``cls`` straight from graphql-core's coerced value.

    An input of scalars only needs its fields renamed: graphql-core has already
    parsed every scalar. Strawberry's generic conversion re-resolves each field's
    type and GraphQL name for every item, which was half the time of a
    ``recordTransactions`` of 1,000 inputs in the profile.
    """
    definition: StrawberryObjectDefinition = cls.__strawberry_definition__
    names: dict[str, str] = {}

    def from_input(target: type, value: Mapping[str, Any], context) -> Any:
        if not names:
            for f in definition.fields:
                assert not hasattr(f.type, "__strawberry_definition__"), f"{f.python_name} is not a scalar"
                names[context.config.name_converter.from_field(f)] = f.python_name
        return target(**{names[k]: v for k, v in value.items()})

    definition.from_input = from_input
    return cls


@_flat_input
@strawberry.input(description="Spending to record. A negative amount is a refund.")
class RecordTransactionInput:
    user_id: str | None = strawberry.field(default=None, description="Whose spending; defaults to the viewer.")
    category: str
    amount: Decimal
    currency: str = "USD"
    occurred_at: datetime | None = strawberry.field(
        default=None,
        description="When it happened (default now). With an offset it counts on its wall-clock date in that "
        "offset (2025-11-30T21:00:00-05:00 is November 30); without one, or with Z, as given.",
    )
    occurred_on: date | None = strawberry.field(
        default=None,
        description="The calendar day it counts on (what bank exports give); wins over occurredAt's date.",
    )
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
            occurred_on=self.occurred_on,
        )

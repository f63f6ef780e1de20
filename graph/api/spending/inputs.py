"""Input types of the spending mutations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping

import strawberry
from strawberry.types.base import StrawberryObjectDefinition

from domain.spending.rules import SplitInput as SplitData
from domain.spending.rules import TransactionInput
from graph.api.core.enums import TransactionKindEnum
from graph.api.core.mapping import arguments

# Input fields holding a list of input objects: each item becomes this domain record
# (their fields' GraphQL and Python names are the same single words).
_NESTED = {"splits": SplitData}


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
                assert f.python_name in _NESTED or not hasattr(f.type, "__strawberry_definition__"), (
                    f"{f.python_name} is not a scalar"
                )
                names[context.config.name_converter.from_field(f)] = f.python_name
        fields = {names[k]: v for k, v in value.items()}
        for name, record in _NESTED.items():
            items = fields.get(name)
            if items is not None:
                fields[name] = [record(**item) for item in items]
        return target(**fields)

    definition.from_input = from_input
    return cls


@strawberry.input(description="One part of a split transaction, counted in its own category.")
class SplitInput:
    category: str
    amount: Decimal
    memo: str | None = None


@_flat_input
@strawberry.input(description="Spending to record. A negative amount is a refund.")
class RecordTransactionInput:
    user_id: str | None = strawberry.field(default=None, description="Whose spending; defaults to the viewer.")
    category: str | None = strawberry.field(
        default=None,
        description="Without one (and without splits) the user's rules, then the bank category mapping, give it "
        "one; failing both it is uncategorized: stored, counted in no budget.",
    )
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
    kind: TransactionKindEnum = TransactionKindEnum.EXPENSE  # type: ignore[attr-defined]
    splits: list[SplitInput] | None = strawberry.field(
        default=None, description="Parts in their own categories, summing exactly to amount (instead of category)."
    )
    source_category: str | None = strawberry.field(
        default=None, description="The bank's category (Plaid's personal_finance_category.detailed)."
    )

    def to_domain(self) -> TransactionInput:
        # The same fields by name (splits already SplitData, see _flat_input): built as
        # cheaply as naming each one, for each of a recordTransactions' 1,000 inputs.
        return TransactionInput(**vars(self))


@strawberry.input(description="Only the fields given change. A category or splits make it categorized by hand.")
class UpdateTransactionInput:
    category: str | None = strawberry.field(
        default=strawberry.UNSET, description="null uncategorizes it: the user's rules then apply."
    )
    amount: Decimal | None = strawberry.UNSET
    currency: str | None = strawberry.UNSET
    occurred_at: datetime | None = strawberry.UNSET
    occurred_on: date | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    splits: list[SplitInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replace its category with these parts (they must sum to amount)."
    )
    kind: TransactionKindEnum | None = strawberry.UNSET
    source_category: str | None = strawberry.UNSET

    def changes(self) -> dict[str, Any]:
        """What was given (null included where it means something)."""
        given = {
            name: getattr(self, name)
            for name in (
                "category", "amount", "currency", "occurred_at", "occurred_on", "description", "splits", "kind",
                "source_category",
            )
            if getattr(self, name) is not strawberry.UNSET
        }
        for name in ("amount", "currency", "kind", "description"):
            if name in given and given[name] is None:
                given.pop(name)  # null for these means unchanged
        if given.get("splits") is not None:
            given["splits"] = [SplitData(s.category, s.amount, s.memo) for s in given["splits"]]
        return given


@strawberry.input(description="At least one condition; texts compare trimmed and case-insensitively (no regular expressions).")
class CategoryRuleMatchInput:
    description_contains: str | None = None
    description_equals: str | None = None
    description_starts_with: str | None = None
    source_category: str | None = strawberry.field(default=None, description="The bank's category, e.g. FOOD_AND_DRINK_GROCERIES.")
    amount_min: Decimal | None = strawberry.field(default=None, description="Inclusive.")
    amount_max: Decimal | None = strawberry.field(default=None, description="Inclusive.")

    def to_dict(self) -> dict[str, Any]:
        return arguments(self)


@strawberry.input
class CreateCategoryRuleInput:
    user_id: str | None = strawberry.field(default=None, description="The owner; defaults to the viewer.")
    category: str
    priority: int = strawberry.field(default=0, description="Higher is tried first; ties: the oldest.")
    match: CategoryRuleMatchInput


@strawberry.input(description="Only the fields given change; match is replaced whole.")
class UpdateCategoryRuleInput:
    category: str | None = None
    priority: int | None = None
    match: CategoryRuleMatchInput | None = None

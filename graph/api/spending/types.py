"""The ``Transaction`` type, its connection, and category rules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from domain import models
from domain.mapping import copied
from domain.spending import category_rules
from graph.api.core.enums import CategorizedByEnum, TransactionKindEnum
from graph.api.core.errors import UserError, payload_type
from graph.api.core.node import Node
from graph.api.core.pagination import Connection


@strawberry.type(description="One part of a split transaction.")
class Split:
    category: str
    amount: Decimal
    memo: str | None


@strawberry.type(description="Spending in one category (or split over several), or income; a negative amount is a refund.")
class Transaction(Node):
    id: strawberry.ID
    user_id: str
    category: str | None = strawberry.field(description="null: uncategorized (counted nowhere) or split.")
    amount: Decimal
    currency: str
    occurred_at: datetime
    occurred_on: date = strawberry.field(description="The calendar day it counts on in budgets.")
    description: str
    external_id: str | None
    created_at: datetime
    kind: TransactionKindEnum
    splits: list[Split] = strawberry.field(description="Its parts when split (empty otherwise).")
    source_category: str | None = strawberry.field(description="The bank's category, as given.")
    categorized_by: CategorizedByEnum | None = strawberry.field(description="null: uncategorized.")
    rule_id: strawberry.ID | None = strawberry.field(description="The rule that categorized it (categorizedBy RULE).")
    version: int = strawberry.field(description="Raised by every update; pass it as expectedVersion.")

    @classmethod
    def from_domain(cls, t: models.Transaction) -> "Transaction":
        return copied(cls, t, splits=[copied(Split, s) for s in t.splits], rule_id=t.rule_id or None)


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

@strawberry.type(description="A user's category rule: all of its conditions must hold.")
class CategoryRuleMatch:
    description_contains: str | None
    description_equals: str | None
    description_starts_with: str | None
    source_category: str | None
    amount_min: Decimal | None
    amount_max: Decimal | None


@strawberry.type(description="Sets the category of a transaction recorded without one: highest priority first, then oldest.")
class CategoryRule(Node):
    id: strawberry.ID
    user_id: str
    category: str
    priority: int
    match: CategoryRuleMatch
    created_at: datetime

    @classmethod
    def from_domain(cls, r: category_rules.CategoryRule) -> "CategoryRule":
        return copied(cls, r, match=CategoryRuleMatch(**r.match.as_dict()))


CategoryRulePayload = payload_type("CategoryRulePayload", rule=CategoryRule)
DeleteCategoryRulePayload = payload_type("DeleteCategoryRulePayload", deleted_id=strawberry.ID)


@strawberry.type
class ApplyCategoryRulesPayload:
    changed_count: int = strawberry.field(default=0, description="How many transactions got another category.")
    errors: list[UserError] = strawberry.field(default_factory=list)


DeleteTransactionPayload = payload_type("DeleteTransactionPayload", deleted_id=strawberry.ID)

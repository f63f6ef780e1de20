"""Validation of recorded spending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain import money
from domain import validation as v
from domain.access import Actor, require_user
from domain.errors import validation
from domain.models import Transaction, new_id
from domain.validation import Problems

DESCRIPTION_MAX = 1000
EXTERNAL_ID_MAX = 200
BATCH_MAX = 1000


@dataclass(frozen=True)
class TransactionInput:
    user_id: str | None
    category: str
    amount: Any
    currency: str | None = None
    occurred_at: datetime | str | None = None
    description: str | None = None
    external_id: str | None = None


def naive_utc(value: datetime | str, *field: str) -> datetime:
    """A moment on the budgets' calendar: aware values are converted to UTC; years
    1900–2999."""
    if not isinstance(value, (datetime, str)):
        raise validation("Expected a date-time", *field)
    return v.moment(value, *field, label="Date")


def category_name(value: Any, *field: str) -> str:
    return v.category_name(value, *field)


def build(actor: Actor, data: TransactionInput, now: datetime, *path: str) -> Transaction:
    """Validate one input for ``actor``; raise every problem at once with its field path."""
    p = Problems()
    user = p.attempt(require_user, actor, data.user_id, *path, "userId")
    category = p.attempt(category_name, data.category, *path, "category")
    currency = p.attempt(money.normalize_currency, data.currency or money.DEFAULT_CURRENCY, *path, "currency")
    amount = p.attempt(
        money.check_amount,
        data.amount,
        currency or money.DEFAULT_CURRENCY,
        *path,
        "amount",
        allow_negative=True,
        allow_zero=False,
    )
    occurred = p.attempt(naive_utc, data.occurred_at or now, *path, "occurredAt")
    description = p.attempt(
        v.text, data.description or "", *path, "description", label="Description", multiline=True
    )
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        p.add(validation(f"Description must be at most {DESCRIPTION_MAX} characters", *path, "description"))
    external = data.external_id
    if isinstance(external, str):
        external = p.attempt(v.text, external, *path, "externalId", label="externalId")
        external = external.strip() if external is not None else None
    if external is not None and not isinstance(external, str):
        p.add(validation("externalId must be a string", *path, "externalId"))
    elif external is not None and not external:
        p.add(validation("externalId must not be empty when given", *path, "externalId"))
    elif external and len(external) > EXTERNAL_ID_MAX:
        p.add(validation(f"externalId must be at most {EXTERNAL_ID_MAX} characters", *path, "externalId"))
    p.check()
    return Transaction(
        id=new_id("txn"),
        user_id=user,
        category=category,
        amount=amount,
        currency=currency,
        occurred_at=occurred,
        description=description,
        external_id=external or None,
        created_at=now,
    )


def build_batch(actor: Actor, items: list[TransactionInput], now: datetime) -> list[Transaction]:
    if len(items) > BATCH_MAX:
        raise validation(f"A batch holds at most {BATCH_MAX} transactions (got {len(items)})", "inputs")
    if not items:
        raise validation("A batch needs at least one transaction", "inputs")
    p = Problems()
    built = [p.attempt(build, actor, item, now, "inputs", str(i)) for i, item in enumerate(items)]
    p.check()
    return built


def zero_amount(currency: str) -> Decimal:
    return Decimal(0).quantize(money.quantum(currency))

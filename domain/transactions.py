"""Validation of recorded spending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from . import money
from .access import Actor, require_user
from .errors import validation
from .models import Transaction, new_id
from .validation import CATEGORY_NAME_MAX, Problems

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
    """A moment on the budgets' calendar: aware values are converted to UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise validation(f"{value!r} is not an ISO 8601 date-time", *field) from None
    if not isinstance(value, datetime):
        raise validation("Expected a date-time", *field)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    if not (1900 <= value.year <= 2999):
        raise validation("Date must be between the years 1900 and 2999", *field)
    return value


def category_name(value: Any, *field: str) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise validation("Category must not be empty", *field)
    if len(name) > CATEGORY_NAME_MAX:
        raise validation(f"Category must be at most {CATEGORY_NAME_MAX} characters", *field)
    return name


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
    description = (data.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        p.add(validation(f"Description must be at most {DESCRIPTION_MAX} characters", *path, "description"))
    external = data.external_id.strip() if isinstance(data.external_id, str) else None
    if data.external_id is not None and not external:
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

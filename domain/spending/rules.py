"""Validation of recorded spending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain import money
from domain import validation as v
from domain.access import Actor, require_user
from domain.errors import validation
from domain.models import Transaction, new_id, parse_iso
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
    occurred_on: date | str | None = None


def occurrence(at: Any, on: Any, now: datetime, *path: str) -> tuple[datetime, date]:
    """(the moment, naive UTC; the calendar day it counts on) of a transaction.

    ``occurredAt`` with an offset counts on its wall-clock date in that offset
    (``2025-11-30T21:00:00-05:00`` is November 30); without one, or with ``Z``, it is
    taken as given. ``occurredOn`` (a bank export's date) is the day; alone, its
    moment is that day's midnight. Neither: now, on today's date in UTC.
    """
    p = Problems()
    moment = day = None
    if at is not None:
        local = at
        if isinstance(at, str):
            try:
                local = parse_iso(at.strip())
            except ValueError:
                local = None
        moment = p.attempt(naive_utc, at, *path, "occurredAt")
        if moment is not None and isinstance(local, datetime):
            day = local.date()
    if on is not None:
        day = p.attempt(calendar_day, on, *path, "occurredOn")
        if moment is None and day is not None and at is None:
            moment = datetime(day.year, day.month, day.day)
    p.check()
    if moment is None:
        moment = naive_utc(now)
        day = moment.date()
    return moment, day or moment.date()


def calendar_day(value: Any, *field: str) -> date:
    """A calendar date (``2025-11-30``) in the years 1900–2999."""
    if isinstance(value, datetime):
        raise validation("occurredOn is a date without a time (2025-11-30)", *field)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise validation(f"occurredOn {value!r} is not an ISO 8601 date (2025-11-30)", *field) from None
    if not isinstance(value, date):
        raise validation("occurredOn must be a date (2025-11-30)", *field)
    if not (v.YEAR_MIN <= value.year <= v.YEAR_MAX):
        raise validation(f"occurredOn must be between the years {v.YEAR_MIN} and {v.YEAR_MAX}", *field)
    return value


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
    when = p.attempt(occurrence, data.occurred_at, data.occurred_on, now, *path)
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
        occurred_at=when[0],
        description=description,
        external_id=external or None,
        created_at=now,
        occurred_on=when[1],
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

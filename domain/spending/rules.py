"""Validation of recorded spending."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Sequence

from domain import money
from domain import validation as v
from domain.access import TRUSTED, Actor, require_user
from domain.errors import validation
from domain.models import CategorizedBy, Split, Transaction, TransactionKind, new_id, parse_iso
from domain.validation import Problems

DESCRIPTION_MAX = 1000
EXTERNAL_ID_MAX = 200
BATCH_MAX = 1000
SPLITS_MAX = 50
MEMO_MAX = 200
SOURCE_CATEGORY_MAX = 100


@dataclass(frozen=True)
class SplitInput:
    category: Any
    amount: Any
    memo: Any = None


@dataclass(frozen=True)
class TransactionInput:
    user_id: str | None
    category: str | None
    amount: Any
    currency: str | None = None
    occurred_at: datetime | str | None = None
    description: str | None = None
    external_id: str | None = None
    occurred_on: date | str | None = None
    kind: Any = None  # default EXPENSE
    splits: Sequence[SplitInput] | None = None
    source_category: str | None = None


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
        # Parsed once: a text that does not parse is handed on as it came, for its error.
        moment = p.attempt(naive_utc, local if isinstance(local, datetime) else at, *path, "occurredAt")
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
    """A transaction's ``occurredOn``."""
    return v.calendar_date(value, *field, label="occurredOn")


def naive_utc(value: datetime | str, *field: str) -> datetime:
    """A moment on the budgets' calendar: aware values are converted to UTC; years
    1900–2999."""
    if not isinstance(value, (datetime, str)):
        raise validation("Expected a date-time", *field)
    return v.moment(value, *field, label="Date")


def time_range(start: datetime | str | None, end: datetime | str | None) -> tuple[datetime | None, datetime | None]:
    """The ``[from, to)`` of the transactions a call reads or re-categorizes, either end
    open (None); ``from`` must be before ``to``."""
    start = naive_utc(start, "from") if start is not None else None
    end = naive_utc(end, "to") if end is not None else None
    if start and end and start >= end:
        raise validation("`from` must be before `to`", "from")
    return start, end


def category_name(value: Any, *field: str) -> str:
    return v.category_name(value, *field)


def kind_of(value: Any, *field: str) -> TransactionKind:
    if value is None:
        return TransactionKind.EXPENSE
    return v.enum_value(TransactionKind, value, *field)


def source_category(value: Any, *field: str) -> str | None:
    if value is None:
        return None
    text = " ".join(v.text(value, *field, label="sourceCategory").split())
    if not text:
        return None
    if len(text) > SOURCE_CATEGORY_MAX:
        raise validation(f"sourceCategory must be at most {SOURCE_CATEGORY_MAX} characters", *field)
    return text


def splits_of(items: Sequence[SplitInput] | None, amount: Decimal | None, currency: str, *path: str) -> tuple[Split, ...]:
    """Splits that sum exactly to ``amount``, each in a category of its own amount."""
    if items is None:
        return ()
    if not isinstance(items, (list, tuple)):
        raise validation("splits must be a list", *path, "splits")
    if not items:
        raise validation("splits, when given, needs at least one split", *path, "splits")
    if len(items) > SPLITS_MAX:
        raise validation(f"A transaction has at most {SPLITS_MAX} splits (got {len(items)})", *path, "splits")
    p = Problems()
    result = []
    for i, item in enumerate(items):
        at = (*path, "splits", str(i))
        name = p.attempt(category_name, item.category, *at, "category")
        part = p.attempt(
            money.check_amount, item.amount, currency, *at, "amount", allow_negative=True, allow_zero=False
        )
        memo = None
        if item.memo is not None:
            memo = p.attempt(v.text, item.memo, *at, "memo", label="memo")
            memo = " ".join(memo.split()) if memo is not None else None
            if memo and len(memo) > MEMO_MAX:
                p.add(validation(f"memo must be at most {MEMO_MAX} characters", *at, "memo"))
        result.append(Split(name, part, memo or None) if name is not None and part is not None else None)
    p.check()
    total = money.total(s.amount for s in result)
    if amount is not None and total != amount:
        raise validation(f"The splits sum to {total}, not to the amount {amount}: they must add up exactly", *path, "splits")
    return tuple(result)


def build(actor: Actor, data: TransactionInput, now: datetime, *path: str) -> Transaction:
    """Validate one input for ``actor``; raise every problem at once with its field path.
    Without a category (nor splits) it is uncategorized: the caller's rules may give it one."""
    p = Problems()
    user = p.attempt(require_user, actor, data.user_id, *path, "userId")
    category = None
    if data.category is not None:
        category = p.attempt(category_name, data.category, *path, "category")
    kind = p.attempt(kind_of, data.kind, *path, "kind")
    source = p.attempt(source_category, data.source_category, *path, "sourceCategory")
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
    splits: tuple[Split, ...] = ()
    if data.splits is not None:
        if data.category is not None:
            p.add(validation("Give a category or splits, not both", *path, "splits"))
        elif kind is TransactionKind.INCOME:
            p.add(validation("Income is not split: record it in one category (or none)", *path, "splits"))
        elif currency is not None:
            splits = p.attempt(splits_of, data.splits, amount, currency, *path) or ()
    p.check()
    manual = category is not None or bool(splits)
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
        kind=kind,
        splits=splits,
        source_category=source,
        categorized_by=CategorizedBy.MANUAL if manual else None,
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


UPDATABLE = frozenset(
    {"category", "amount", "currency", "occurred_at", "occurred_on", "description", "splits", "kind", "source_category"}
)


def updated(current: Transaction, changes: dict[str, Any], now: datetime, *path: str) -> Transaction:
    """``current`` with ``changes`` (validated like a new transaction, every problem at
    once): its id, owner, externalId and creation stay; its version moves on.

    A category or splits given make it categorized by hand; ``category: None`` leaves it
    to the owner's rules. One categorized by a rule or the bank mapping is categorized
    again (its description or bank category may have changed)."""
    given = dict(changes)
    if "splits" in given and given["splits"] is not None:
        category = None
        splits = given["splits"]
    elif "category" in given:
        category, splits = given["category"], None
    elif current.splits:
        category = None
        splits = [SplitInput(s.category, s.amount, s.memo) for s in current.splits]
    else:
        category = current.category if current.categorized_by is CategorizedBy.MANUAL else None
        splits = None
    if "splits" in given and given["splits"] is None and "category" in given:
        category = given["category"]
    moved = "occurred_at" in given or "occurred_on" in given
    data = TransactionInput(
        user_id=current.user_id,
        category=category,
        amount=given.get("amount", current.amount),
        currency=given.get("currency", current.currency),
        occurred_at=given.get("occurred_at") if moved else current.occurred_at,
        occurred_on=given.get("occurred_on") if moved else current.occurred_on,
        description=given.get("description", current.description),
        external_id=None,
        kind=given.get("kind", current.kind),
        splits=splits,
        source_category=given.get("source_category", current.source_category),
    )
    built = build(TRUSTED, data, now, *path)  # no rule_id: the owner's rules categorize it again
    return replace(
        built,
        id=current.id,
        user_id=current.user_id,
        external_id=current.external_id,
        created_at=current.created_at,
        version=current.version + 1,
    )

"""A user's backup: budgets, own templates and transactions, as a JSON-ready document.

Pure: records to plain dicts and back. Reading a document checks everything with the
rules any other input meets (names, categories, amounts in the currency's minor units,
thresholds, template shares, transaction fields) and reports every problem with its
path (``budgets.3.categories.0.amount``), so a damaged file stores nothing.

Amounts, thresholds and weights are decimal strings ("600.00"), never JSON numbers
(which many tools read as binary floats). Calendar times (``start_date``,
``occurred_at``) have no zone; timestamps (``created_at``, ``updated_at``) are UTC
with a ``Z``. Everything a record holds is written, so a backup restored into an
empty database exports to the same document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Mapping

from . import money, template_rules as rules, validation as v
from .errors import BudgetError, validation
from .models import AlertThresholds, Budget, CategoryLimit, Transaction
from .periods import anchor_of, end_date
from .templates import Template
from .access import TRUSTED
from .transactions import TransactionInput, build

FORMAT = "budgetql-backup"
VERSION = 1
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")


@dataclass(frozen=True)
class Backup:
    user_id: str
    budgets: tuple[Budget, ...]  # oldest first
    templates: tuple[Template, ...]  # the user's own, oldest first
    transactions: tuple[Transaction, ...]  # by occurred_at, then as recorded


# -- records to a document -------------------------------------------------------
def _decimal(value: Decimal) -> str:
    return format(value, "f")


def _timestamp(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _budget(b: Budget) -> dict[str, Any]:
    return {
        "id": b.id,
        "name": b.name,
        "type": b.type.value,
        "period": b.period.value,
        "currency": b.currency,
        "start_date": b.start_date.isoformat(),
        "rollover_mode": b.rollover_mode.value,
        "thresholds": {
            "warning": _decimal(b.thresholds.warning),
            "limit_reached": _decimal(b.thresholds.limit_reached),
            "overspending": _decimal(b.thresholds.overspending),
        },
        "categories": [
            {"name": c.name, "amount": _decimal(c.amount), "since_period": c.since_period} for c in b.limits
        ],
        "version": b.version,
        "created_at": _timestamp(b.created_at),
        "updated_at": _timestamp(b.updated_at),
    }


def _template(t: Template) -> dict[str, Any]:
    return {
        "key": t.key,
        "name": t.name,
        "description": t.description,
        "type": t.type.value,
        "period": t.period.value,
        "categories": [{"name": c.name, "group": c.group, "weight": _decimal(c.weight)} for c in t.categories],
        "created_at": _timestamp(t.created_at),
    }


def _transaction(t: Transaction) -> dict[str, Any]:
    return {
        "id": t.id,
        "category": t.category,
        "amount": _decimal(t.amount),
        "currency": t.currency,
        "occurred_at": t.occurred_at.isoformat(),
        "description": t.description,
        "external_id": t.external_id,
        "created_at": _timestamp(t.created_at),
    }


def to_document(backup: Backup) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "user_id": backup.user_id,
        "budgets": [_budget(b) for b in backup.budgets],
        "templates": [_template(t) for t in backup.templates],
        "transactions": [_transaction(t) for t in backup.transactions],
    }


# -- a document to records -------------------------------------------------------
def _object(value: Any, keys: tuple[str, ...], *path: str) -> Mapping[str, Any]:
    """A JSON object with exactly ``keys``."""
    if not isinstance(value, Mapping):
        raise validation("must be an object", *path)
    unknown = sorted(set(value) - set(keys))
    missing = [k for k in keys if k not in value]
    if unknown or missing:
        parts = ([f"unknown {', '.join(unknown)}"] if unknown else []) + (
            [f"missing {', '.join(missing)}"] if missing else []
        )
        raise validation(f"fields: {'; '.join(parts)}", *path)
    return value


def _list(value: Any, *path: str) -> list:
    if not isinstance(value, list):
        raise validation("must be a list", *path)
    return value


def _id(value: Any, *path: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise validation(f"id {value!r} must be 1–40 letters, digits, _ or -", *path)
    return value


INT_MAX = 2**31 - 1  # the database's INTEGER columns (version, since_period)


def _int(value: Any, least: int, *path: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= INT_MAX:
        raise validation(f"must be a whole number from {least} to {INT_MAX:,}", *path)
    return value


def _calendar_time(value: Any, *path: str) -> datetime:
    moment = _datetime(value, *path)
    if moment.tzinfo is not None:
        raise validation("must be a calendar time without a zone", *path)
    return moment


def _timestamp_in(value: Any, *path: str) -> datetime:
    moment = _datetime(value, *path)
    if moment.tzinfo is None:
        raise validation("must be a UTC timestamp with a Z", *path)
    return moment.astimezone(timezone.utc)


def _datetime(value: Any, *path: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise validation(f"{value!r} is not an ISO 8601 date-time", *path) from None


BUDGET_KEYS = (
    "id", "name", "type", "period", "currency", "start_date", "rollover_mode", "thresholds",
    "categories", "version", "created_at", "updated_at",
)
CATEGORY_KEYS = ("name", "amount", "since_period")
TEMPLATE_KEYS = ("key", "name", "description", "type", "period", "categories", "created_at")
TRANSACTION_KEYS = ("id", "category", "amount", "currency", "occurred_at", "description", "external_id", "created_at")


def _read_budget(raw: Any, user_id: str, *path: str) -> Budget:
    d = _object(raw, BUDGET_KEYS, *path)
    p = v.Problems()
    currency = p.attempt(money.normalize_currency, d["currency"], *path, "currency")
    entries = p.attempt(_list, d["categories"], *path, "categories") or []
    entries = [p.attempt(_object, e, CATEGORY_KEYS, *path, "categories", str(i)) for i, e in enumerate(entries)]
    limits = p.attempt(
        v.category_limits, [(e["name"], e["amount"]) for e in entries if e], currency or "USD", *path, "categories"
    )
    since = [p.attempt(_int, e["since_period"], 0, *path, "categories", str(i), "since_period") for i, e in enumerate(entries) if e]
    start = p.attempt(v.start_date, d["start_date"], *path, "start_date")
    period = p.attempt(v.budget_period, d["period"], *path, "period")
    budget = Budget(
        id=p.attempt(_id, d["id"], *path, "id"),
        user_id=user_id,
        name=p.attempt(v.budget_name, d["name"], *path, "name"),
        type=p.attempt(v.budget_type, d["type"], *path, "type"),
        period=period,
        currency=currency,
        limits=tuple(CategoryLimit(n, a, s) for (n, a), s in zip(limits or [], since)),
        start_date=start,
        end_date=end_date(anchor_of(start), period) if start and period else None,
        rollover_mode=p.attempt(v.rollover_mode, d["rollover_mode"], *path, "rollover_mode"),
        created_at=p.attempt(_timestamp_in, d["created_at"], *path, "created_at"),
        updated_at=p.attempt(_timestamp_in, d["updated_at"], *path, "updated_at"),
        thresholds=p.attempt(v.thresholds, d["thresholds"], *path, "thresholds") or AlertThresholds(),
        version=p.attempt(_int, d["version"], 1, *path, "version"),
    )
    p.check()
    return budget


def _read_template(raw: Any, user_id: str, *path: str) -> Template:
    d = _object(raw, TEMPLATE_KEYS, *path)
    p = v.Problems()
    categories = p.attempt(_list, d["categories"], *path, "categories")
    template = Template(
        key=p.attempt(rules.key, d["key"], *path, "key"),
        name=p.attempt(rules.name, d["name"], *path, "name"),
        description=p.attempt(rules.description, d["description"], *path, "description"),
        type=p.attempt(v.budget_type, d["type"], *path, "type"),
        period=p.attempt(v.budget_period, d["period"], *path, "period"),
        categories=p.attempt(rules.categories, categories or [], *path, "categories"),
        owner=user_id,
        created_at=p.attempt(_timestamp_in, d["created_at"], *path, "created_at"),
    )
    p.check()
    return template


def _read_transaction(raw: Any, user_id: str, now: datetime, *path: str) -> Transaction:
    d = _object(raw, TRANSACTION_KEYS, *path)
    p = v.Problems()
    if not isinstance(d["description"], str):
        p.add(validation("must be a string", *path, "description"))
    given = TransactionInput(
        user_id=user_id,
        category=d["category"],
        amount=d["amount"],
        currency=d["currency"],
        occurred_at=p.attempt(_calendar_time, d["occurred_at"], *path, "occurred_at"),
        description=d["description"] if isinstance(d["description"], str) else None,
        external_id=d["external_id"],
    )
    built = p.attempt(build, TRUSTED, given, now, *path)
    transaction_id = p.attempt(_id, d["id"], *path, "id")
    created = p.attempt(_timestamp_in, d["created_at"], *path, "created_at")
    p.check()
    return replace(built, id=transaction_id, created_at=created)


def _unique(read: list[tuple[int, Any]], key: Callable[[Any], str], what: str, section: str, p: v.Problems) -> None:
    seen: set[str] = set()
    for i, item in read:
        if key(item) in seen:
            p.add(validation(f"{what} {key(item)!r} appears more than once", section, str(i)))
        seen.add(key(item))


def from_document(document: Any, now: datetime) -> Backup:
    """The backup a document holds; every problem at once (``ValidationFailed``)."""
    top = _object(document, ("format", "version", "user_id", "budgets", "templates", "transactions"))
    if top["format"] != FORMAT:
        raise validation(f"not a budgetql backup (format {top['format']!r}, expected {FORMAT!r})", "format")
    if top["version"] != VERSION:
        raise validation(f"backup version {top['version']!r} is not supported (this budgetql reads {VERSION})", "version")
    user_id = v.user_id(top["user_id"], "user_id")
    p = v.Problems()

    def section(name: str, what: str, key: Callable[[Any], str], read: Callable[..., Any]) -> tuple:
        raw = p.attempt(_list, top[name], name) or []
        records = [(i, p.attempt(read, item, name, str(i))) for i, item in enumerate(raw)]
        records = [(i, r) for i, r in records if r is not None]
        _unique(records, key, what, name, p)
        return tuple(r for _, r in records)

    budgets = section("budgets", "budget id", lambda b: b.id, lambda raw, *path: _read_budget(raw, user_id, *path))
    templates = section(
        "templates", "template key", lambda t: t.key, lambda raw, *path: _read_template(raw, user_id, *path)
    )
    transactions = section(
        "transactions", "transaction id", lambda t: t.id, lambda raw, *path: _read_transaction(raw, user_id, now, *path)
    )
    p.check()
    return Backup(user_id, budgets, templates, transactions)


def problem_lines(exc: BudgetError) -> list[str]:
    """Each problem as ``path: message``."""
    problems = getattr(exc, "problems", None) or [exc]
    return [f"{'.'.join(e.field) if e.field else '(document)'}: {e.message}" for e in problems]

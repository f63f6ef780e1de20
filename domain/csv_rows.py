"""Bank exports as transactions: which column is which, dates and amounts in the usual
formats, the sign rule, and a stable id for rows that have none.

Pure: a header and rows of text in, transaction inputs (or the reason a row cannot be
one) out. Reading the file and writing the transactions are the caller's.

* Columns: ``date``, ``amount`` and ``category`` are required; ``description``, ``id``
  and ``currency`` are optional. Each is found by its usual header names (any case), or
  named by a mapping such as ``date=Posted,amount=Amount,description=Memo``.
* Dates: ISO 8601 (``2025-11-03``, ``2025-11-03T10:00:00``, with or without a zone)
  or ``MM/DD/YYYY`` (``11/03/2025``, ``1/5/2025``).
* Amounts: ``1234.56``, ``1,234.56``, ``$1,234.56``; debits as ``-12.34``,
  ``(12.34)`` or ``12.34-``.
* Signs: with :attr:`Signs.DEBITS_NEGATIVE` (the default, as most banks export), a
  negative amount is spending and is recorded positive, and a positive amount (a credit:
  a refund or income) is recorded negative, i.e. as a refund. :attr:`Signs.DEBITS_POSITIVE`
  takes the file's signs as they are (budgetql's own convention).
* Ids: a row's ``id`` column is its ``externalId``. A row without one gets
  ``csv:<sha256>`` of its user, date, amount, currency, category, description and its
  occurrence among identical rows before it in the file. Importing the same file again
  gives the same ids, so nothing is counted twice; two identical rows in one file are
  still two transactions.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Mapping, Sequence

from . import money
from .errors import BudgetError, ValidationFailed, validation
from .models import Transaction
from .access import TRUSTED
from .transactions import TransactionInput, build
from .validation import user_id as check_user_id

FIELDS = ("date", "amount", "category", "description", "id", "currency")
REQUIRED = ("date", "amount", "category")
# Header names each field is found by when the mapping does not name its column.
USUAL_NAMES: dict[str, tuple[str, ...]] = {
    "date": ("date", "transaction date", "posted date", "posting date", "occurred at"),
    "amount": ("amount",),
    "category": ("category",),
    "description": ("description", "memo", "payee", "details"),
    "id": ("id", "transaction id", "external id"),
    "currency": ("currency",),
}
HASH_PREFIX = "csv:"


class Signs(str, Enum):
    DEBITS_NEGATIVE = "debits-negative"
    DEBITS_POSITIVE = "debits-positive"


def parse_mapping(text: str | None) -> dict[str, str]:
    """``"date=Date,amount=Amount"`` → ``{"date": "Date", "amount": "Amount"}``."""
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        field, sep, column = part.partition("=")
        field, column = field.strip().lower(), column.strip()
        if not sep or not column:
            raise validation(f"Mapping entry {part.strip()!r} must look like field=Column", "mapping")
        if field not in FIELDS:
            raise validation(f"Unknown field {field!r} in the mapping: fields are {', '.join(FIELDS)}", "mapping")
        if field in mapping:
            raise validation(f"Field {field!r} is mapped twice", "mapping")
        mapping[field] = column
    return mapping


def resolve_columns(header: Sequence[str], mapping: Mapping[str, str]) -> dict[str, int]:
    """Each field's column index: the mapping's column, else the first column with one
    of the field's usual names. Required fields must be found."""
    names = [h.strip() for h in header]
    folded = [n.casefold() for n in names]
    columns: dict[str, int] = {}
    for field, column in mapping.items():
        if column.casefold() not in folded:
            raise validation(f"The mapping's column {column!r} (for {field}) is not in the header: {names}", "mapping")
        columns[field] = folded.index(column.casefold())
    for field in FIELDS:
        if field not in columns:
            found = next((i for i, n in enumerate(folded) if n in USUAL_NAMES[field]), None)
            if found is not None:
                columns[field] = found
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise validation(
            f"No column for {', '.join(missing)} in the header {names}: name it with --mapping, "
            f"e.g. {missing[0]}=YourColumn",
            "mapping",
        )
    return columns


# ASCII digits only (re.ASCII): ``\d`` would also take Arabic-Indic or fullwidth digits.
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_date(text: str) -> datetime:
    """ISO 8601 or ``MM/DD/YYYY``; a date alone is its midnight."""
    value = text.strip()
    if not value:
        raise validation("Date is empty", "date")
    try:
        us = _US_DATE.fullmatch(value)
        if us:
            month, day, year = (int(g) for g in us.groups())
            return datetime(year, month, day)
        if _ISO_START.match(value):
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    raise validation(f"Date {text!r} is not a date: expected YYYY-MM-DD (ISO 8601) or MM/DD/YYYY", "date")


_NUMBER = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+", re.ASCII)
_SYMBOLS = "$€£¥"


def parse_amount(text: str) -> Decimal:
    """The amount as the file writes it, sign included: ``(12.34)`` and ``12.34-`` are
    negative; ``1,234.56`` is 1234.56; one currency symbol may precede the digits."""
    value = text.strip()
    if not value:
        raise validation("Amount is empty", "amount")
    signs: list[str] = []
    if value.startswith("(") and value.endswith(")"):
        signs.append("-")
        value = value[1:-1].strip()
    if value.endswith("-"):
        signs.append("-")
        value = value[:-1].strip()
    for _ in range(2):  # "-$12.34" and "$-12.34" alike
        if value[:1] in ("-", "+"):
            signs.append(value[0])
            value = value[1:].strip()
        elif value[:1] and value[0] in _SYMBOLS:
            value = value[1:].strip()
    if not value or len(signs) > 1 or not _NUMBER.fullmatch(value):
        raise validation(
            f"Amount {text!r} is not an amount: expected e.g. 1234.56, 1,234.56, -12.34 or (12.34)", "amount"
        )
    amount = Decimal(value.replace(",", ""))
    return -amount if signs == ["-"] else amount


def recorded_amount(file_amount: Decimal, signs: Signs) -> Decimal:
    """budgetql's sign (positive = spending, negative = refund) of a file's amount."""
    return -file_amount if signs is Signs.DEBITS_NEGATIVE else file_amount


def row_content(t: Transaction) -> tuple[str, ...]:
    """What makes two rows the same transaction: all of it, normalized."""
    return (
        t.user_id, t.occurred_at.isoformat(), format(t.amount, "f"), t.currency, t.category_key, t.description
    )


def stable_id(content: tuple[str, ...], occurrence: int) -> str:
    """``csv:`` and the SHA-256 of a row's normalized content and its occurrence among
    identical rows before it (0 for the first)."""
    text = "\x1f".join((*content, str(occurrence)))
    return HASH_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Row:
    line: int
    input: TransactionInput


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


def _reason(exc: BudgetError) -> str:
    problems = exc.problems if isinstance(exc, ValidationFailed) else [exc]
    return "; ".join(p.message for p in problems)


class RowReader:
    """Turns a file's rows into transaction inputs, in file order (the occurrence count
    of identical rows, and so their ids, depends on it)."""

    def __init__(
        self,
        user_id: str,
        header: Sequence[str],
        mapping: Mapping[str, str] | None = None,
        *,
        signs: Signs = Signs.DEBITS_NEGATIVE,
        currency: str = money.DEFAULT_CURRENCY,
        now: datetime,
    ):
        self.user_id = check_user_id(user_id, "user")
        self.currency = money.normalize_currency(currency, "currency")
        self.width = len(header)
        self.columns = resolve_columns(header, mapping or {})
        self.signs = signs
        self.now = now
        self._seen: Counter[tuple[str, ...]] = Counter()

    def _cell(self, values: Sequence[str], field: str) -> str | None:
        index = self.columns.get(field)
        return values[index].strip() if index is not None else None

    def read(self, line: int, values: Sequence[str]) -> Row | Rejected:
        if len(values) != self.width:
            return Rejected(line, f"has {len(values)} fields where the header has {self.width}")
        try:
            data = self._input(values)
            built = build(TRUSTED, data, self.now)  # checked as the API would, for the operator
        except BudgetError as exc:
            return Rejected(line, _reason(exc))
        if data.external_id is None:
            content = row_content(built)
            data = replace(data, external_id=stable_id(content, self._seen[content]))
            self._seen[content] += 1
        return Row(line, data)

    def _input(self, values: Sequence[str]) -> TransactionInput:
        problems: list[BudgetError] = []
        occurred = amount = None
        try:
            occurred = parse_date(self._cell(values, "date"))
        except BudgetError as exc:
            problems.append(exc)
        try:
            amount = recorded_amount(parse_amount(self._cell(values, "amount")), self.signs)
        except BudgetError as exc:
            problems.append(exc)
        if problems:
            raise ValidationFailed(problems)
        return TransactionInput(
            user_id=self.user_id,
            category=self._cell(values, "category"),
            amount=amount,
            currency=self._cell(values, "currency") or self.currency,
            occurred_at=occurred,
            description=self._cell(values, "description"),
            external_id=self._cell(values, "id") or None,
        )

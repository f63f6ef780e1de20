"""Bank exports as transactions: the delimiter, which column is which, dates and
amounts in the usual formats, the sign rule, and a stable id for rows that have none.

Pure: a header and rows of text in, transaction inputs (or the reason a row cannot be
one) out. Reading and decoding the file and writing the transactions are the caller's.

* Delimiter: ``,``, ``;`` or tab, whichever splits the header into the most columns
  (:func:`detect_delimiter`), or one given (:func:`parse_delimiter`).
* Columns: ``date`` and ``amount`` are required; ``category``, ``description``, ``id``,
  ``currency`` and ``source_category`` (the bank's category) are optional: a row without
  a category goes through the user's rules, then the bank category mapping. Each is found by its usual header names (any case), or
  named by a mapping such as ``date=Posted,amount=Amount,description=Memo``. Instead of
  ``amount``, a file may have separate ``debit`` and ``credit`` columns. A column the
  import uses must not be named twice in the header.
* Dates: ISO 8601 (``2025-11-03``, ``2025-11-03T10:00:00``, with or without a zone),
  and day and month in one order (:class:`DateFormat`): given (``DD.MM.YYYY``), or
  found from the file's dates (:func:`detect_date_format`), which refuses a file whose
  dates read both ways rather than guess.
* Amounts: ``1234.56``, ``1,234.56``, ``$1,234.56``; debits as ``-12.34``,
  ``(12.34)`` or ``12.34-``. With a decimal comma: ``1234,56``, ``-1.234,56``,
  ``1 234,56``. ASCII digits only; thousands in groups of exactly three.
* Signs: with :attr:`Signs.DEBITS_NEGATIVE` (the default, as most banks export), a
  negative amount is spending and is recorded positive, and a positive amount (a credit:
  a refund or income) is recorded negative, i.e. as a refund. :attr:`Signs.DEBITS_POSITIVE`
  takes the file's signs as they are (budgetql's own convention). With debit and credit
  columns the column decides: a debit is spending (positive), a credit a refund
  (negative); exactly one of the two is filled in each row.
* Ids: a row's ``id`` column is its ``externalId``. A row without one gets
  ``csv:<sha256>`` of its user, date, amount, currency, category, description and its
  occurrence among identical rows before it in the file. Importing the same file again
  gives the same ids, so nothing is counted twice; two identical rows in one file are
  still two transactions.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Iterable, Mapping, Sequence

from domain import money
from domain.errors import BudgetError, ValidationFailed, validation
from domain.models import Transaction
from domain.access import TRUSTED
from domain.spending.rules import TransactionInput, build
from domain.validation import user_id as check_user_id
from domain.models import parse_iso

FIELDS = ("date", "amount", "category", "description", "id", "currency", "debit", "credit", "source_category")
# "amount", or both "debit" and "credit". Rows without a category (no column, or an
# empty cell) go through the user's rules, then the bank category mapping.
REQUIRED = ("date", "amount")
# Header names each field is found by when the mapping does not name its column.
USUAL_NAMES: dict[str, tuple[str, ...]] = {
    "date": ("date", "transaction date", "posted date", "posting date", "occurred at"),
    "amount": ("amount",),
    "category": ("category",),
    "description": ("description", "memo", "payee", "details"),
    "id": ("id", "transaction id", "external id"),
    "currency": ("currency",),
    "source_category": ("source category", "bank category", "personal finance category", "plaid category"),
    # Looked for only in a file without an amount column, and only as a pair.
    "debit": ("debit", "debit amount", "withdrawal", "withdrawals"),
    "credit": ("credit", "credit amount", "deposit", "deposits"),
}
HASH_PREFIX = "csv:"
DELIMITERS = (",", ";", "\t")


class Signs(str, Enum):
    DEBITS_NEGATIVE = "debits-negative"
    DEBITS_POSITIVE = "debits-positive"


def parse_delimiter(text: str) -> str:
    """``--delimiter``: one character, or ``tab`` / ``\\t`` for a tab."""
    if text.lower() in ("tab", "\\t", "\t"):
        return "\t"
    if len(text) != 1 or text in ('"', "\r", "\n") or text.isalnum():
        raise validation(
            f"Delimiter {text!r} is not one character a CSV file can be split on: use e.g. ',', ';' or tab",
            "delimiter",
        )
    return text


def detect_delimiter(header_line: str) -> str:
    """Of ``,``, ``;`` and tab, the one that splits the header line into the most
    columns; a comma when none splits it or two split it alike."""
    def width(delimiter: str) -> int:
        return len(next(csv.reader([header_line], delimiter=delimiter), []))

    return max(DELIMITERS, key=width)  # max keeps the first of equals: the comma first


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
    if ("debit" in mapping) != ("credit" in mapping):
        raise validation("Map debit and credit together: debit=Column,credit=Column", "mapping")
    if "amount" in mapping and "debit" in mapping:
        raise validation("Map either amount, or debit and credit: not both", "mapping")
    return mapping


def resolve_columns(header: Sequence[str], mapping: Mapping[str, str]) -> dict[str, int]:
    """Each field's column index: the mapping's column, else the first column with one
    of the field's usual names. Required fields must be found: ``amount``, or ``debit``
    and ``credit`` (by their usual names only in a file without an amount column). A
    column used for a field must be the only one of its name."""
    names = [h.strip() for h in header]
    folded = [n.casefold() for n in names]
    columns: dict[str, int] = {}
    for field, column in mapping.items():
        if column.casefold() not in folded:
            raise validation(f"The mapping's column {column!r} (for {field}) is not in the header: {names}", "mapping")
        columns[field] = folded.index(column.casefold())
    split = "debit" in columns  # the mapping named debit and credit
    for field in FIELDS:
        if field in columns or (split and field == "amount") or field in ("debit", "credit"):
            continue
        found = next((i for i, n in enumerate(folded) if n in USUAL_NAMES[field]), None)
        if found is not None:
            columns[field] = found
    if "amount" not in columns and not split:
        pair = {f: next((i for i, n in enumerate(folded) if n in USUAL_NAMES[f]), None) for f in ("debit", "credit")}
        if None not in pair.values():
            columns.update(pair)
    missing = [f for f in REQUIRED if f not in columns and not (f == "amount" and "debit" in columns)]
    if missing:
        hint = " (or debit=Column,credit=Column for separate debit and credit columns)" if "amount" in missing else ""
        raise validation(
            f"No column for {', '.join(missing)} in the header {names}: name it with --mapping, "
            f"e.g. {missing[0]}=YourColumn{hint}",
            "mapping",
        )
    if "debit" in columns and columns["debit"] == columns["credit"]:
        column = names[columns["debit"]]
        raise validation(f"Debit and credit are both the column {column!r}: they must differ", "mapping")
    for field, index in columns.items():
        twice = [i + 1 for i, n in enumerate(folded) if n == folded[index]]
        if len(twice) > 1:
            raise validation(
                f"The header names the column {names[index]!r} (for {field}) {len(twice)} times, as columns "
                f"{', '.join(map(str, twice))}: which one to read is unclear; rename the others",
                "header",
            )
    return columns


_ISO_START = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = r"(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?"
_DAY_MONTH = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})" + _TIME)
_TOKENS = {"D": "D", "DD": "D", "M": "M", "MM": "M", "YYYY": "Y"}
_SHOWN = {"D": "DD", "M": "MM", "Y": "YYYY"}
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@dataclass(frozen=True)
class DateFormat:
    """The order of day, month and year in a file's dates other than ISO 8601 ones
    (which are always read): ``"DMY"``, ``"MDY"`` or ``"YMD"``, or ``""`` for none yet
    known. ``separators`` are those a date may use between its parts (the same twice);
    ``text`` is the format as messages show it."""

    order: str
    separators: str
    text: str

    @property
    def expected(self) -> str:
        iso = "YYYY-MM-DD (ISO 8601)"
        return iso if self.text in ("", "YYYY-MM-DD") else f"{iso} or {self.text}"

    def _parts(self, value: str) -> datetime | None:
        if not self.order:
            return None
        sep = f"[{re.escape(self.separators)}]"
        digits = {"D": "([0-9]{1,2})", "M": "([0-9]{1,2})", "Y": "([0-9]{4})"}
        a, b, c = (digits[p] for p in self.order)
        m = re.fullmatch(f"{a}({sep}){b}\\2{c}" + _TIME, value)
        if not m:
            return None
        groups = dict(zip(self.order, (m.group(1), m.group(3), m.group(4))))
        hour, minute, second = (int(g or 0) for g in m.group(5, 6, 7))
        return datetime(int(groups["Y"]), int(groups["M"]), int(groups["D"]), hour, minute, second)


MONTH_FIRST = DateFormat("MDY", "/", "MM/DD/YYYY")
# A file whose dates settle neither order: ISO 8601 dates only.
UNSETTLED = DateFormat("", "", "DD/MM/YYYY or MM/DD/YYYY (pass --date-format)")


def parse_date_format(text: str) -> DateFormat:
    """``--date-format``: ``DD``, ``MM`` and ``YYYY`` (any case; ``D`` and ``M`` alike)
    day-month-year, month-day-year or year-month-day, separated by ``/``, ``.`` or ``-``
    (the same both times): ``DD/MM/YYYY``, ``DD.MM.YYYY``, ``MM/DD/YYYY``, ``YYYY-MM-DD``."""
    m = re.fullmatch(r"([A-Za-z]+)([/.-])([A-Za-z]+)\2([A-Za-z]+)", text.strip())
    parts = [_TOKENS.get(p.upper()) for p in m.group(1, 3, 4)] if m else [None]
    order = "".join(p or "?" for p in parts)
    if order not in ("DMY", "MDY", "YMD"):
        raise validation(
            f"Date format {text!r} is not one this reads: DD, MM and YYYY, day-month-year, month-day-year "
            "or year-month-day, separated by '/', '.' or '-', e.g. DD/MM/YYYY, DD.MM.YYYY, MM/DD/YYYY or YYYY-MM-DD",
            "date_format",
        )
    sep = m.group(2)
    return DateFormat(order, sep, sep.join(_SHOWN[p] for p in order))


def parse_date(text: str, date_format: DateFormat = MONTH_FIRST) -> datetime:
    """ISO 8601, or a date in ``date_format``; a date alone is its midnight."""
    value = text.strip()
    if not value:
        raise validation("Date is empty", "date")
    if value.isascii():
        try:
            parsed = date_format._parts(value)
            if parsed is not None:
                return parsed
            if _ISO_START.match(value):
                return parse_iso(value)
        except ValueError:
            pass
    raise validation(f"Date {text!r} is not a date: expected {date_format.expected}", "date")


def _day_month(text: str) -> tuple[str, bool, bool] | None:
    """A date written ``a/b/YYYY`` (or with ``.`` or ``-``): its separator, and whether
    it is a date read day-first and read month-first."""
    m = _DAY_MONTH.fullmatch(text.strip())
    if not m:
        return None
    a, sep, b, year = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))

    def fits(day: int, month: int) -> bool:
        try:
            datetime(year, month, day)
        except ValueError:
            return False
        return True

    return sep, fits(a, b), fits(b, a)


def _both_ways(text: str) -> str:
    m = _DAY_MONTH.fullmatch(text.strip())
    a, b, year = int(m.group(1)), int(m.group(3)), m.group(4)
    return f"day-first {a} {_MONTHS[b - 1]} {year}, month-first {b} {_MONTHS[a - 1]} {year}"


def detect_date_format(dates: Iterable[tuple[int, str]]) -> DateFormat:
    """The order of day and month in a file's dates (``(line, text)``), from those that
    are a date one way only. Refused rather than guessed: dates that fit both ways with
    none to tell, or dates that are day-first and others that are month-first. ISO 8601
    dates settle nothing; dates that fit neither way are left for their rows' rejection."""
    first: dict[str, tuple[int, str, str]] = {}
    ambiguous: tuple[int, str] | None = None
    for line, text in dates:
        seen = _day_month(text)
        if seen is None:
            continue
        sep, day_first, month_first = seen
        if day_first and month_first:
            ambiguous = ambiguous or (line, text.strip())
        elif day_first or month_first:
            first.setdefault("DMY" if day_first else "MDY", (line, text.strip(), sep))
    if len(first) == 2:
        (l1, t1, _), (l2, t2, _) = first["DMY"], first["MDY"]
        raise validation(
            f"The dates are day-first in some rows (line {l1}: {t1!r}) and month-first in others "
            f"(line {l2}: {t2!r}): pass --date-format, e.g. --date-format DD/MM/YYYY; rows in the other "
            "order are then rejected",
            "date",
        )
    if first:
        order, (_, _, sep) = next(iter(first.items()))
        return DateFormat(order, "/.-", sep.join(_SHOWN[p] for p in order))
    if ambiguous:
        line, text = ambiguous
        raise validation(
            f"Line {line}: the date {text!r} reads two ways ({_both_ways(text)}), and no date in the file "
            "settles which: pass --date-format DD/MM/YYYY or --date-format MM/DD/YYYY (or the order with "
            "your separator)",
            "date",
        )
    return UNSETTLED


_NUMBER = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+")
_NUMBER_DECIMAL_COMMA = re.compile(
    r"(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+|[0-9]+)(?:,[0-9]+)?|,[0-9]+"
)
_SYMBOLS = "$€£¥"


def parse_amount(text: str, decimal_comma: bool = False) -> Decimal:
    """The amount as the file writes it, sign included: ``(12.34)`` and ``12.34-`` are
    negative; ``1,234.56`` is 1234.56; one currency symbol may precede or follow the
    digits. With ``decimal_comma``, ``1.234,56`` (or ``1 234,56``) is 1234.56. Thousands
    are in groups of exactly three; digits are ASCII only."""
    try:
        return _amount(text, decimal_comma)
    except BudgetError as exc:
        if text.strip():
            try:
                _amount(text, not decimal_comma)
            except BudgetError:
                pass
            else:
                option = "pass --decimal-comma" if not decimal_comma else "leave out --decimal-comma"
                raise validation(f"{exc.message} (it reads with the other decimal mark: {option})", "amount") from None
        raise


def _amount(text: str, decimal_comma: bool) -> Decimal:
    value = text.strip()
    if not value:
        raise validation("Amount is empty", "amount")
    signs: list[str] = []
    symbol = False  # at most one currency symbol, before or after the digits
    if value.startswith("(") and value.endswith(")"):
        signs.append("-")
        value = value[1:-1].strip()
    if value and value[-1] in _SYMBOLS:  # "12,34 €"
        symbol = True
        value = value[:-1].strip()
    if value.endswith("-"):
        signs.append("-")
        value = value[:-1].strip()
    for _ in range(2):  # "-$12.34" and "$-12.34" alike
        if value[:1] in ("-", "+"):
            signs.append(value[0])
            value = value[1:].strip()
        elif value and value[0] in _SYMBOLS and not symbol:
            symbol = True
            value = value[1:].strip()
    number = _NUMBER_DECIMAL_COMMA if decimal_comma else _NUMBER
    if not value or len(signs) > 1 or not number.fullmatch(value):
        examples = "1234,56, 1.234,56, -12,34 or (12,34)" if decimal_comma else "1234.56, 1,234.56, -12.34 or (12.34)"
        raise validation(f"Amount {text!r} is not an amount: expected e.g. {examples}", "amount")
    if decimal_comma:
        value = re.sub(r"[. \u00a0\u202f]", "", value).replace(",", ".")
    else:
        value = value.replace(",", "")
    amount = Decimal(value)
    return -amount if signs == ["-"] else amount


def recorded_amount(file_amount: Decimal, signs: Signs) -> Decimal:
    """budgetql's sign (positive = spending, negative = refund) of a file's amount."""
    return -file_amount if signs is Signs.DEBITS_NEGATIVE else file_amount


def row_content(t: Transaction) -> tuple[str, ...]:
    """What makes two rows the same transaction: all of it, normalized."""
    return (
        t.user_id, t.occurred_at.isoformat(), format(t.amount, "f"), t.currency, t.category_key or "", t.description
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
    of identical rows, and so their ids, depends on it).

    ``date_format`` is the order of day and month in dates other than ISO 8601 ones;
    ``None`` has :meth:`settle_dates` find it from the file's dates first.
    ``decimal_comma`` reads amounts like ``-1.234,56``."""

    def __init__(
        self,
        user_id: str,
        header: Sequence[str],
        mapping: Mapping[str, str] | None = None,
        *,
        signs: Signs = Signs.DEBITS_NEGATIVE,
        currency: str = money.DEFAULT_CURRENCY,
        date_format: DateFormat | None = MONTH_FIRST,
        decimal_comma: bool = False,
        now: datetime,
    ):
        self.user_id = check_user_id(user_id, "user")
        self.currency = money.normalize_currency(currency, "currency")
        self.names = [h.strip() for h in header]
        self.width = len(header)
        self.columns = resolve_columns(header, mapping or {})
        self.signs = signs
        self.date_format = date_format
        self.decimal_comma = decimal_comma
        self.now = now
        self._seen: Counter[tuple[str, ...]] = Counter()

    def settle_dates(self, records: Iterable[tuple[int, Sequence[str]]]) -> DateFormat:
        """The date format, found from the dates of ``records`` (``(line, values)``, the
        whole file) when none was given: see :func:`detect_date_format`."""
        if self.date_format is None:
            index = self.columns["date"]
            self.date_format = detect_date_format(
                (line, values[index]) for line, values in records if len(values) == self.width
            )
        return self.date_format

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

    def _amount(self, values: Sequence[str]) -> Decimal:
        if "amount" in self.columns:
            return recorded_amount(parse_amount(self._cell(values, "amount"), self.decimal_comma), self.signs)
        debit, credit = self._cell(values, "debit"), self._cell(values, "credit")
        debit_name, credit_name = self.names[self.columns["debit"]], self.names[self.columns["credit"]]
        if debit and credit:
            # Many banks write 0.00 in the column a row does not use: that one is empty.
            if parse_amount(credit, self.decimal_comma).is_zero():
                credit = ""
            elif parse_amount(debit, self.decimal_comma).is_zero():
                debit = ""
        if debit and credit:
            raise validation(
                f"Both {debit_name} ({debit!r}) and {credit_name} ({credit!r}) are filled: a row is a debit "
                "or a credit, not both",
                "amount",
            )
        if not debit and not credit:
            raise validation(f"Neither {debit_name} nor {credit_name} is filled", "amount")
        # The column tells which way the money went; a sign in the cell does not change it.
        value = parse_amount(debit or credit, self.decimal_comma).copy_abs()
        return value if debit else -value

    def _input(self, values: Sequence[str]) -> TransactionInput:
        problems: list[BudgetError] = []
        occurred = amount = None
        try:
            occurred = parse_date(self._cell(values, "date"), self.date_format or UNSETTLED)
        except BudgetError as exc:
            problems.append(exc)
        try:
            amount = self._amount(values)
        except BudgetError as exc:
            problems.append(exc)
        if problems:
            raise ValidationFailed(problems)
        return TransactionInput(
            user_id=self.user_id,
            category=self._cell(values, "category") or None,
            source_category=self._cell(values, "source_category") or None,
            amount=amount,
            currency=self._cell(values, "currency") or self.currency,
            occurred_at=occurred,
            description=self._cell(values, "description"),
            external_id=self._cell(values, "id") or None,
        )

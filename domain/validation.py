"""Input rules for budgets. Each rule fails with a clear message and a field path;
all problems of one input are collected so a client can fix them in one go."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping, TypeVar

from . import money, periods
from .errors import BudgetError, ValidationFailed, validation
from .models import AlertThresholds, BudgetPeriod, BudgetType, CategoryLimit, RolloverMode, category_key
from domain.models import parse_iso

NAME_MAX = 200
CATEGORY_NAME_MAX = 100
CATEGORIES_MAX = 200
USER_ID_MAX = 200
THRESHOLD_PLACES = 4  # what the database keeps (NUMERIC(24, 4); 1/10,000ths on SQLite)
THRESHOLD_MAX = Decimal(100)
YEAR_MIN, YEAR_MAX = 1900, 2999  # the calendar budgets live on

T = TypeVar("T")


class Problems:
    """Collects validation problems; ``check()`` raises them all at once."""

    def __init__(self) -> None:
        self.items: list[BudgetError] = []

    def add(self, error: BudgetError) -> None:
        self.items.extend(error.problems if isinstance(error, ValidationFailed) else [error])

    def attempt(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BudgetError as exc:
            self.add(exc)
        return None

    def check(self) -> None:
        if self.items:
            raise ValidationFailed(self.items)


# -- text --------------------------------------------------------------------------
# C0 and C1 control characters (Unicode category Cc) and lone surrogates (Cs): no
# client means them, PostgreSQL cannot store U+0000, and no driver can encode a
# surrogate. Text that may span lines (descriptions) may hold tab, CR and LF.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_EXCEPT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text(value: Any, *field: str, label: str, multiline: bool = False) -> str:
    """A string input: NFC-normalised (so "Café" typed composed or decomposed is one
    text), without control characters (tab, CR and LF allowed when ``multiline``).
    Not trimmed: the callers trim what they trim."""
    if not isinstance(value, str):
        raise validation(f"{label} must be a string", *field)
    bad = (_CONTROL_EXCEPT_LINES if multiline else _CONTROL).search(value)
    if bad:
        allowed = " (tab and newline are allowed)" if multiline else ""
        raise validation(
            f"{label} must not contain control characters{allowed}: "
            f"U+{ord(bad.group()):04X} at position {bad.start() + 1}",
            *field,
        )
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def storable(value: Any) -> bool:
    """Could ``value`` name a stored record (an id, a key)? Everything stored passed
    :func:`text`, so a string with a control character names nothing: a lookup by it
    finds nothing instead of asking the database (PostgreSQL refuses U+0000)."""
    return isinstance(value, str) and not _CONTROL.search(value)


def record_id(value: Any, *field: str, label: str = "id") -> str:
    """An id given as a filter: one that cannot name a record is VALIDATION."""
    if not storable(value):
        raise validation(f"{label} {value!r} is not an id", *field)
    return value


def sized(clean: str, most: int, *field: str, label: str, show_length: bool = False) -> str:
    """``clean`` (text already cleaned: trimmed, or its spaces collapsed) if it has 1 to
    ``most`` characters; the message of a longer one gives its length when ``show_length``."""
    if not clean:
        raise validation(f"{label} must not be empty", *field)
    if len(clean) > most:
        got = f" (got {len(clean)})" if show_length else ""
        raise validation(f"{label} must be at most {most} characters{got}", *field)
    return clean


def budget_name(value: Any, *field: str) -> str:
    return sized(text(value, *field, label="Name").strip(), NAME_MAX, *field, label="Name", show_length=True)


def user_id(value: Any, *field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise validation("userId must not be empty", *field)
    clean = text(value, *field, label="userId").strip()
    if len(clean) > USER_ID_MAX:
        raise validation(f"userId must be at most {USER_ID_MAX} characters", *field)
    return clean


def category_name(value: Any, *field: str, label: str = "Category") -> str:
    """A category name (of a budget, a template or a transaction): trimmed, 1–100
    characters, also once case-folded (how categories match: "ß" matches "ss")."""
    # Per transaction recorded: checked inline rather than through :func:`sized`.
    name = text(value, *field, label=label).strip() if isinstance(value, str) else ""
    if not name:
        raise validation(f"{label} must not be empty", *field)
    if len(name) > CATEGORY_NAME_MAX:
        raise validation(f"{label} must be at most {CATEGORY_NAME_MAX} characters", *field)
    if len(category_key(name)) > CATEGORY_NAME_MAX:
        raise validation(
            f"{label} must be at most {CATEGORY_NAME_MAX} characters once case-folded (ß counts as ss)", *field
        )
    return name


def changes(given: Mapping[str, Any], updatable: frozenset[str], *, name_updatable: bool = False) -> None:
    """An update's fields: at least one, each of ``updatable`` (listed in the message when
    ``name_updatable``)."""
    unknown = sorted(set(given) - updatable)
    if unknown:
        listed = f": updatable are {', '.join(sorted(updatable))}" if name_updatable else ""
        raise validation(f"Unknown field(s) {', '.join(unknown)}{listed}")
    if not given:
        raise validation("No updates provided")


def enum_value(enum: type, value: Any, *field: str):
    if isinstance(value, enum):
        return value
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise validation(f"Unknown {enum.__name__} {value!r}: expected one of {allowed}", *field) from None


def budget_type(value: Any, *field: str) -> BudgetType:
    return enum_value(BudgetType, value, *field)


def budget_period(value: Any, *field: str) -> BudgetPeriod:
    return enum_value(BudgetPeriod, value, *field)


def rollover_mode(value: Any, *field: str) -> RolloverMode:
    return enum_value(RolloverMode, value, *field)


def start_date(value: Any, *field: str) -> datetime:
    """A date or datetime; aware values are converted to UTC. Stored as midnight."""
    value = moment(value, *field, label="startDate")
    return datetime(value.year, value.month, value.day)


def moment(value: Any, *field: str, label: str = "Date") -> datetime:
    """A date or date-time on the budgets' calendar (naive UTC; aware values are
    converted) in the years 1900–2999."""
    if isinstance(value, str):
        try:
            value = parse_iso(value.strip())
        except ValueError:
            raise validation(f"{label} {value!r} is not an ISO 8601 date or date-time", *field) from None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            try:
                value = value.astimezone(timezone.utc).replace(tzinfo=None)
            except OverflowError:  # 9999-12-31T23:00-14:00 is in the year 10000 in UTC
                raise validation(f"{label} must be between the years {YEAR_MIN} and {YEAR_MAX}", *field) from None
    elif isinstance(value, date):
        value = datetime(value.year, value.month, value.day)
    else:
        raise validation(f"{label} must be a date", *field)
    if not (YEAR_MIN <= value.year <= YEAR_MAX):
        raise validation(f"{label} must be between the years {YEAR_MIN} and {YEAR_MAX}", *field)
    return value


def calendar_date(value: Any, *field: str, label: str = "date") -> date:
    """A calendar date (``2025-11-30``, or a ``date``) in the years 1900–2999."""
    if isinstance(value, datetime):
        raise validation(f"{label} is a date without a time (2025-11-30)", *field)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise validation(f"{label} {value!r} is not an ISO 8601 date (2025-11-30)", *field) from None
    if not isinstance(value, date):
        raise validation(f"{label} must be a date (2025-11-30)", *field)
    if not (YEAR_MIN <= value.year <= YEAR_MAX):
        raise validation(f"{label} must be between the years {YEAR_MIN} and {YEAR_MAX}", *field)
    return value


def period_index(anchor: datetime, period: BudgetPeriod, k: Any, *field: str) -> int:
    """A period index whose period starts in the years 1900–2999 (checked before any
    calendar arithmetic, so ``period: 2147483647`` is VALIDATION, not an overflow)."""
    if not isinstance(k, int) or isinstance(k, bool):
        raise validation("period must be a whole number", *field)
    lowest = periods.index_at(anchor, period, datetime(YEAR_MIN, 1, 1))
    if periods.period_start(anchor, period, lowest) < datetime(YEAR_MIN, 1, 1):
        lowest += 1
    highest = periods.index_at(anchor, period, datetime(YEAR_MAX, 12, 31))
    if not lowest <= k <= highest:
        raise validation(
            f"period {k} is outside the calendar: this budget's periods in the years {YEAR_MIN}–{YEAR_MAX} "
            f"are {lowest} to {highest}",
            *field,
        )
    return k


def category_limits(
    items: Iterable[tuple[str, Any]] | Mapping[str, Any],
    currency: str,
    *field: str,
) -> list[tuple[str, Decimal]]:
    """Validate (name, amount) pairs; keep their order. Names follow :func:`categories`;
    amounts are 0..1e12 within the currency's minor units."""

    def amount(raw: Any, name: str, index: int, *path: str) -> Decimal:
        return money.check_amount(raw, currency, *path, "amount", label=f"Amount for {name or index + 1!r}")

    return categories(items, amount, *field)


def categories(
    items: Iterable[tuple[str, Any]] | Mapping[str, Any],
    check_value: Callable[..., T],
    *field: str,
    kind: str = "budget",
) -> list[tuple[str, T]]:
    """Validate (name, value) pairs in order, for budgets and templates alike: 1–200 of
    them, names trimmed, 1–100 characters, unique case-insensitively. Each value goes
    through ``check_value(raw, name, index, *path)``; every problem is reported.
    ``kind`` names what holds the categories in messages ("budget", "template")."""
    pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
    problems = Problems()
    if not pairs:
        problems.add(validation(f"A {kind} needs at least one category", *field))
    if len(pairs) > CATEGORIES_MAX:
        problems.add(validation(f"A {kind} has at most {CATEGORIES_MAX} categories (got {len(pairs)})", *field))
    seen: set[str] = set()
    result: list[tuple[str, T]] = []
    for i, (raw_name, raw_value) in enumerate(pairs):
        path = (*field, str(i))
        name = ""
        if not isinstance(raw_name, str) or not raw_name.strip():
            problems.add(validation(f"Category {i + 1}: name must not be empty", *path, "name"))
        else:
            shown = raw_name.strip()
            label = f"Category {shown[:20]!r}{'…' if len(shown) > 20 else ''}: name"
            name = problems.attempt(category_name, raw_name, *path, "name", label=label) or ""
        if name and category_key(name) in seen:
            problems.add(
                validation(
                    f"Category {name!r} appears more than once (names are compared case-insensitively)",
                    *path,
                    "name",
                )
            )
        elif name:
            seen.add(category_key(name))
        value = problems.attempt(check_value, raw_value, name, i, *path)
        if value is not None:
            result.append((name, value))
    problems.check()
    return result


def thresholds(value: Any, *field: str, base: AlertThresholds | None = None) -> AlertThresholds:
    """Thresholds as fractions of the limit: each above 0, at most 100 and with at most 4
    decimal places (kept exactly: 0.99999 is refused, not stored as 1.00), and strictly
    increasing. A mapping may give some of them; the others come from ``base`` (the
    current or default ones)."""
    if isinstance(value, AlertThresholds):
        given = {"warning": value.warning, "limit_reached": value.limit_reached, "overspending": value.overspending}
    elif isinstance(value, Mapping):
        given = dict(value)
    else:
        raise validation("thresholds must be an object", *field)
    base = base or AlertThresholds()
    p = Problems()
    warning = p.attempt(threshold, given.get("warning", base.warning), *field, "warning")
    limit = p.attempt(threshold, given.get("limit_reached", base.limit_reached), *field, "limitReached")
    over = p.attempt(threshold, given.get("overspending", base.overspending), *field, "overspending")
    p.check()
    if not (warning < limit < over):
        raise validation(
            "Alert thresholds must be positive and increasing: warning < limitReached < overspending "
            f"(got {warning}, {limit}, {over})",
            *field,
        )
    return AlertThresholds(warning, limit, over)


def threshold(value: Any, *field: str) -> Decimal:
    """One threshold: range and places are checked before any arithmetic (``1e400``
    is refused, not an overflow), then put in canonical form."""
    t = money.to_decimal(value, *field)
    if not 0 < t <= THRESHOLD_MAX:
        raise validation(
            f"Alert thresholds are fractions of the limit (0.8 means 80%): above 0 and at most {THRESHOLD_MAX} "
            f"(got {t})",
            *field,
        )
    if t != t.quantize(Decimal(1).scaleb(-THRESHOLD_PLACES)):
        raise validation(
            f"Alert threshold {t} has more than {THRESHOLD_PLACES} decimal places (0.0001 is 0.01%)", *field
        )
    return fraction(t)


def fraction(value: Decimal) -> Decimal:
    """A threshold in canonical form, at least two places: 0.8 → 0.80, 0.8550 → 0.855."""
    two = value.quantize(Decimal("0.01"))
    return two if two == value else value.normalize()


def replace_limits(
    old: tuple[CategoryLimit, ...], new_pairs: list[tuple[str, Decimal]], current_period: int
) -> tuple[CategoryLimit, ...]:
    """New category list for an update: categories that stay keep their history
    (``since_period``); a category added now starts carrying from the current period."""
    since = {c.key: c.since_period for c in old}
    return tuple(
        CategoryLimit(name, amount, since.get(category_key(name), max(current_period, 0)))
        for name, amount in new_pairs
    )

"""Input rules for budgets. Each rule fails with a clear message and a field path;
all problems of one input are collected so a client can fix them in one go."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping, TypeVar

from . import money
from .errors import BudgetError, ValidationFailed, validation
from .models import AlertThresholds, BudgetPeriod, BudgetType, CategoryLimit, RolloverMode

NAME_MAX = 200
CATEGORY_NAME_MAX = 100
CATEGORIES_MAX = 200

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


def budget_name(value: Any, *field: str) -> str:
    if not isinstance(value, str):
        raise validation("Name must be a string", *field)
    name = value.strip()
    if not name:
        raise validation("Name must not be empty", *field)
    if len(name) > NAME_MAX:
        raise validation(f"Name must be at most {NAME_MAX} characters (got {len(name)})", *field)
    return name


def user_id(value: Any, *field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise validation("userId must not be empty", *field)
    if len(value.strip()) > 200:
        raise validation("userId must be at most 200 characters", *field)
    return value.strip()


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
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise validation(f"startDate {value!r} is not an ISO 8601 date or date-time", *field) from None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        value = datetime(value.year, value.month, value.day)
    elif isinstance(value, date):
        value = datetime(value.year, value.month, value.day)
    else:
        raise validation("startDate must be a date", *field)
    if not (1900 <= value.year <= 2999):
        raise validation("startDate must be between the years 1900 and 2999", *field)
    return value


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
    seen: dict[str, int] = {}
    result: list[tuple[str, T]] = []
    for i, (raw_name, raw_value) in enumerate(pairs):
        path = (*field, str(i))
        name = raw_name.strip() if isinstance(raw_name, str) else ""
        if not name:
            problems.add(validation(f"Category {i + 1}: name must not be empty", *path, "name"))
        elif len(name) > CATEGORY_NAME_MAX:
            problems.add(
                validation(f"Category {name[:20]!r}…: name must be at most {CATEGORY_NAME_MAX} characters", *path, "name")
            )
        elif name.casefold() in seen:
            problems.add(
                validation(
                    f"Category {name!r} appears more than once (names are compared case-insensitively)",
                    *path,
                    "name",
                )
            )
        else:
            seen[name.casefold()] = i
        value = problems.attempt(check_value, raw_value, name, i, *path)
        if value is not None:
            result.append((name, value))
    problems.check()
    return result


def thresholds(value: Any, *field: str, base: AlertThresholds | None = None) -> AlertThresholds:
    """Thresholds as fractions of the limit: positive and strictly increasing. A mapping
    may give some of them; the others come from ``base`` (the current or default ones)."""
    if isinstance(value, AlertThresholds):
        t = value
    elif isinstance(value, Mapping):
        base = base or AlertThresholds()
        t = AlertThresholds(
            warning=money.to_decimal(value.get("warning", base.warning), *field, "warning"),
            limit_reached=money.to_decimal(value.get("limit_reached", base.limit_reached), *field, "limitReached"),
            overspending=money.to_decimal(value.get("overspending", base.overspending), *field, "overspending"),
        )
    else:
        raise validation("thresholds must be an object", *field)
    if not (0 < t.warning < t.limit_reached < t.overspending):
        raise validation(
            "Alert thresholds must be positive and increasing: warning < limitReached < overspending "
            f"(got {t.warning}, {t.limit_reached}, {t.overspending})",
            *field,
        )
    t = AlertThresholds(fraction(t.warning), fraction(t.limit_reached), fraction(t.overspending))
    if t.overspending > 100:
        raise validation("Alert thresholds are fractions of the limit (0.8 means 80%) and at most 100", *field)
    return t


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
        CategoryLimit(name, amount, since.get(name.strip().casefold(), max(current_period, 0)))
        for name, amount in new_pairs
    )

"""Custom scalars: exact ``Decimal`` (a string on the wire) and ISO 8601 ``DateTime``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain.models import parse_iso, utc_text
from domain.money import to_decimal


def serialize_decimal(value: Decimal) -> str:
    """The exact decimal text, never exponent notation: 600.00 stays ``600.00``.
    ``str`` gives that text whenever it has no exponent (a Decimal's own rule: an
    exponent ≤ 0 and at most six zeros after the point), at well under half the cost of
    ``format``, which a page of progress would pay some 5,000 times."""
    text = str(value)
    return format(value, "f") if "E" in text else text


def _parse_decimal(value: object) -> Decimal:
    # Inputs accept a string or a JSON number; a number goes through str(), never float
    # math. The domain's rule (ASCII digits, finite, -0 is 0); its error is a ValueError.
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise ValueError(f"Decimal expects a string or a number, got {value!r}")
    return to_decimal(value)


def serialize_datetime(value: datetime) -> str:
    """Calendar times as given (``2025-11-01T00:00:00``); aware timestamps in UTC with a Z."""
    if value.tzinfo is not None:
        return utc_text(value)
    return value.isoformat()


def _parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"DateTime expects an ISO 8601 string, got {value!r}")
    try:
        return parse_iso(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date or date-time") from None


DecimalScalar = strawberry.scalar(
    name="Decimal",
    description="An exact decimal number, serialized as a string (\"600.00\"); inputs accept a string or a number.",
    serialize=serialize_decimal,
    parse_value=_parse_decimal,
)

DateTimeScalar = strawberry.scalar(
    name="DateTime",
    description=(
        "An ISO 8601 date-time. Budget calendar dates (startDate, endDate, period bounds) are "
        "calendar times without a zone; timestamps (createdAt, updatedAt) are UTC with a Z."
    ),
    serialize=serialize_datetime,
    parse_value=_parse_datetime,
)

SCALAR_MAP = {Decimal: DecimalScalar, datetime: DateTimeScalar}

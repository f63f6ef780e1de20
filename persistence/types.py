"""Column types that keep money exact on every backend.

PostgreSQL has an exact ``NUMERIC``; SQLite does not (its NUMERIC affinity
stores REAL, i.e. binary floating point). On SQLite, :class:`Money` is therefore
stored as a 64-bit integer count of 1/10,000ths, which keeps ``SUM`` exact in the
database too. Either way Python sees :class:`~decimal.Decimal`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.types import TypeDecorator

SCALE = 4
_FACTOR = Decimal(10) ** SCALE
_Q = Decimal(1).scaleb(-SCALE)


class Money(TypeDecorator):
    impl = Numeric(24, SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(24, SCALE, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value)
        if dialect.name == "sqlite":
            return int((value * _FACTOR).to_integral_value())
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / _FACTOR).quantize(_Q)
        return Decimal(value).quantize(_Q)


class UTCDateTime(TypeDecorator):
    """An aware UTC timestamp, stored without a zone (both backends agree on that)."""

    impl = DateTime()
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)

"""Exact money: ISO 4217 currencies and their minor units, and largest-remainder allocation.

Amounts are always :class:`decimal.Decimal`. A float never enters: inputs given
as numbers are converted through ``str`` so ``600.1`` means exactly 600.1.
"""

from __future__ import annotations

from fractions import Fraction
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from functools import lru_cache
from typing import Iterable, Sequence

from iso4217 import Currency

from .errors import validation

MAX_AMOUNT = Decimal("1000000000000")  # 1e12: the largest single limit or transaction
DEFAULT_CURRENCY = "USD"
# For a currency stored before it was refused (withdrawn from ISO 4217, or one without a
# minor unit: an earlier version accepted those, at CLDR's digits, 2 for nearly all), so
# what was stored can still be read: ISO 4217's most common number of digits.
_STORED_DIGITS = 2


@lru_cache(maxsize=1)
def _iso_minor_units() -> dict[str, int | None]:
    """ISO 4217's current codes (the list the ``iso4217`` package ships) and their minor
    units: None for those that have none ("N.A.": gold XAU, SDR XDR, test code XTS, …)."""
    return {c.code: c.exponent for c in Currency}


def normalize_currency(code: str | None, *field: str) -> str:
    """Return the upper-cased code of a current ISO 4217 currency with a minor unit
    (amounts need a number of decimal places), or raise VALIDATION."""
    value = (code or "").strip().upper()
    units = _iso_minor_units()
    if len(value) != 3 or value not in units:
        raise validation(
            f"Unknown currency {code!r}: expected a current ISO 4217 code such as USD, EUR or JPY", *field
        )
    if units[value] is None:
        raise validation(
            f"Currency {value} has no minor unit in ISO 4217 (a precious metal, fund or testing code), "
            "so it cannot hold amounts: expected a currency such as USD, EUR or JPY",
            *field,
        )
    return value


@lru_cache(maxsize=512)
def minor_units(currency: str) -> int:
    """Digits after the decimal point for ``currency``, from ISO 4217 (USD 2, JPY 0,
    KWD 3, IQD 3); see ``_STORED_DIGITS`` for a code :func:`normalize_currency` refuses."""
    digits = _iso_minor_units().get(currency)
    return _STORED_DIGITS if digits is None else digits


@lru_cache(maxsize=512)
def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def to_decimal(value: object, *field: str) -> Decimal:
    """Convert user input (Decimal, int, str, or a JSON number) to Decimal exactly.
    Text takes ASCII digits only (Python's Decimal would also read Arabic-Indic or
    fullwidth digits); ``-0`` is 0."""
    if isinstance(value, bool):
        raise validation("Amount must be a number", *field)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        if not text.isascii():
            raise validation(f"Amount {value!r} is not a number: write it with the digits 0-9", *field)
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise validation(f"Amount {value!r} is not a number", *field) from None
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        raise validation(f"Amount {value!r} is not a number", *field)
    if not result.is_finite():
        raise validation(f"Amount {value!r} is not a finite number", *field)
    return result.copy_abs() if result.is_zero() else result


def check_amount(
    value: object,
    currency: str,
    *field: str,
    allow_negative: bool = False,
    allow_zero: bool = True,
    label: str = "Amount",
) -> Decimal:
    """Validate an amount for ``currency`` and return it at the currency's scale. The
    range is checked before any rounding, so no input can overflow the arithmetic."""
    amount = to_decimal(value, *field)
    if amount < 0 and not allow_negative:
        raise validation(f"{label} must not be negative (got {amount})", *field)
    if amount == 0 and not allow_zero:
        raise validation(f"{label} must not be zero", *field)
    if amount.copy_abs() > MAX_AMOUNT:  # copy_abs, not abs(): no context, so no Overflow
        raise validation(f"{label} {amount} exceeds the maximum of {MAX_AMOUNT:,}", *field)
    q = quantum(currency)
    if amount != amount.quantize(q, rounding=ROUND_DOWN):
        digits = minor_units(currency)
        raise validation(
            f"{label} {amount} has more decimal places than {currency} allows ({digits})", *field
        )
    return amount.quantize(q)


def allocate(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Split ``total`` by ``weights`` so the parts sum to ``total`` exactly.

    Largest-remainder (Hamilton) method in minor units: every part gets the floor
    of its exact share; the leftover minor units go, one each, to the parts with
    the largest remainders (ties to the earlier part, so the result is stable).
    """
    if not weights:
        raise validation("Nothing to allocate to")
    weight_sum = sum(weights, Decimal(0))
    if weight_sum <= 0 or any(w < 0 for w in weights):
        raise validation("Allocation weights must be non-negative and not all zero")
    scale = Decimal(10) ** minor_units(currency)
    units = int((total * scale).to_integral_value(rounding=ROUND_DOWN))
    if Decimal(units) != total * scale:
        raise validation(f"Total {total} has more decimal places than {currency} allows")
    sign = -1 if units < 0 else 1
    units = abs(units)
    # Exact rational shares (Fraction, not Decimal division, so nothing rounds early).
    shares = [Fraction(units) * Fraction(w) / Fraction(weight_sum) for w in weights]
    floors = [s.numerator // s.denominator for s in shares]
    leftover = units - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    q = quantum(currency)
    return [(Decimal(sign * f) / scale).quantize(q) for f in floors]


def total(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, Decimal(0))

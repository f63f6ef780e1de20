"""Exact money rules (pure domain)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import money
from domain.errors import BudgetError


def test_minor_units_are_iso_4217s():
    # CLDR's display digits (what babel gives) say 0 for RSD, MGA and IQD; ISO 4217 says 2, 2 and 3.
    codes = ["USD", "JPY", "KWD", "BHD", "RSD", "MGA", "IQD", "CLF"]
    assert [money.minor_units(c) for c in codes] == [2, 0, 3, 3, 2, 2, 3, 4]


@pytest.mark.parametrize("code", ["usd", " EUR ", "ZWG", "VES"])
def test_current_codes_are_accepted(code):
    assert money.normalize_currency(code) == code.strip().upper()


@pytest.mark.parametrize("code,fragment", [("ZWL", "Unknown"), ("DEM", "Unknown"), ("XYZ", "Unknown"), ("", "Unknown"), ("XAU", "no minor unit"), ("XDR", "no minor unit"), ("XXX", "no minor unit")])
def test_withdrawn_unknown_and_unitless_codes_are_refused(code, fragment):
    with pytest.raises(BudgetError) as refused:
        money.normalize_currency(code, "currency")
    assert fragment in refused.value.message


@pytest.mark.parametrize("value", ["1.001", "-1", "1e13", "NaN", "abc", True, None])
def test_bad_amounts(value):
    with pytest.raises(BudgetError):
        money.check_amount(value, "USD")


@pytest.mark.parametrize("value", ["\u0661\u0662", "\uff11\uff12", "\u0967", "1\u0660.5", "\u221212"])
def test_text_amounts_take_ascii_digits_only(value):
    # Python's Decimal reads any Unicode digit ("١٢" is 12); an amount does not.
    with pytest.raises(BudgetError, match="digits 0-9"):
        money.to_decimal(value)


@pytest.mark.parametrize("value", ["-0", "-0.000", Decimal("-0E+5"), -0.0])
def test_minus_zero_is_zero(value):
    zero = money.check_amount(value, "USD")
    assert (zero, str(zero), zero.is_signed()) == (0, "0.00", False)


@pytest.mark.parametrize("value", ["1e400", "-1e999999999", "1e-999999999", "9" * 60])
def test_any_amount_is_range_checked_before_arithmetic(value):
    with pytest.raises(BudgetError):
        money.check_amount(value, "USD", allow_negative=True)


def test_floats_are_read_through_their_decimal_text():
    assert money.check_amount(0.1, "USD") == Decimal("0.10")
    assert money.check_amount("600", "USD") == Decimal("600.00")


def test_allocate_largest_remainder():
    assert money.allocate(Decimal("100.00"), [Decimal(1)] * 3, "USD") == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    assert money.allocate(Decimal("10"), [Decimal(1)] * 3, "JPY") == [Decimal(4), Decimal(3), Decimal(3)]


@given(
    cents=st.integers(min_value=0, max_value=10**14),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30).filter(any),
)
def test_allocation_always_sums_exactly(cents, weights):
    total = Decimal(cents).scaleb(-2)
    parts = money.allocate(total, [Decimal(w) for w in weights], "USD")
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    assert all(p.as_tuple().exponent == -2 for p in parts)


def test_a_refused_code_stored_earlier_still_has_a_scale():
    # Budgets stored in XAU or ZWL before they were refused stay readable.
    assert (money.minor_units("XAU"), money.minor_units("ZWL")) == (2, 2)
    assert Decimal("5").quantize(money.quantum("ZWL")) == Decimal("5.00")

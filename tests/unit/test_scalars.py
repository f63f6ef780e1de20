"""The wire form of the custom and built-in scalars the fast path serializes itself."""

from __future__ import annotations

from decimal import Decimal

from graphql import GraphQLError, GraphQLFloat
from hypothesis import given, strategies as st

from graph.api.core.execution import _serializer
from graph.api.core.scalars import serialize_decimal

decimals = st.builds(
    lambda digits, exponent: Decimal(digits).scaleb(exponent),
    st.integers(min_value=-10**30, max_value=10**30),
    st.integers(min_value=-20, max_value=20),
)


@given(decimals)
def test_decimal_text_is_plain_notation_with_every_digit(value):
    text = serialize_decimal(value)
    assert text == format(value, "f")
    assert "E" not in text and Decimal(text) == value


def test_decimal_text_examples():
    assert serialize_decimal(Decimal("600.00")) == "600.00"
    assert serialize_decimal(Decimal("1E+2")) == "100"
    assert serialize_decimal(Decimal("1E-7")) == "0.0000001"
    assert serialize_decimal(Decimal("-0.00")) == "-0.00"


@given(st.one_of(decimals, st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**9, 10**9), st.booleans()))
def test_float_serializer_agrees_with_graphql_core(value):
    assert _serializer(GraphQLFloat)(value) == GraphQLFloat.serialize(value)


def test_float_serializer_refuses_what_graphql_core_refuses():
    for bad in (Decimal("NaN"), Decimal("Infinity"), float("inf"), "x", object()):
        try:
            GraphQLFloat.serialize(bad)
        except GraphQLError:
            pass
        else:
            raise AssertionError(f"graphql-core accepts {bad!r}")
        try:
            _serializer(GraphQLFloat)(bad)
        except GraphQLError:
            continue
        raise AssertionError(f"the fast serializer accepts {bad!r}")

"""The rules for reading bank exports (domain.csv_rows), without a database."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from domain.csv_rows import (
    Rejected,
    Row,
    RowReader,
    Signs,
    parse_amount,
    parse_date,
    parse_mapping,
    recorded_amount,
    resolve_columns,
)
from domain.errors import BudgetError

NOW = datetime(2025, 11, 15, tzinfo=timezone.utc)
HEADER = ["Date", "Amount", "Category", "Memo"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2025-11-03", datetime(2025, 11, 3)),
        (" 2025-11-03T10:15:00 ", datetime(2025, 11, 3, 10, 15)),
        ("2025-11-03 10:15", datetime(2025, 11, 3, 10, 15)),
        ("2025-11-03T10:15:00Z", datetime(2025, 11, 3, 10, 15, tzinfo=timezone.utc)),
        ("11/03/2025", datetime(2025, 11, 3)),
        ("1/5/2025", datetime(2025, 1, 5)),
    ],
)
def test_dates_in_iso_and_us_formats(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "13/45/2025", "2025-13-01", "03.11.2025", "Nov 3, 2025", "11/03/25", "20251103"])
def test_other_dates_are_refused_with_the_formats_named(text):
    with pytest.raises(BudgetError, match="YYYY-MM-DD|empty"):
        parse_date(text)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1234.56", "1234.56"),
        ("1,234.56", "1234.56"),
        ('1,234,567.8', "1234567.8"),
        ("$1,234.56", "1234.56"),
        ("-12.34", "-12.34"),
        ("-$12.34", "-12.34"),
        ("$-12.34", "-12.34"),
        ("(12.34)", "-12.34"),
        ("($1,200.00)", "-1200.00"),
        ("12.34-", "-12.34"),
        ("+7", "7"),
        (" .5 ", "0.5"),
    ],
)
def test_amounts_in_common_formats(text, expected):
    amount = parse_amount(text)
    assert amount == Decimal(expected) and str(amount) == expected


@pytest.mark.parametrize("text", ["", "abc", "1,23.4", "12,34", "1.234,56", "--1", "(-1)", "1e3", "12..3", "$", "NaN"])
def test_unreadable_amounts_are_refused(text):
    with pytest.raises(BudgetError, match="not an amount|empty"):
        parse_amount(text)


def test_sign_rule():
    # Debits negative (as banks export): a debit is spending, a credit a refund.
    assert recorded_amount(Decimal("-12.34"), Signs.DEBITS_NEGATIVE) == Decimal("12.34")
    assert recorded_amount(Decimal("5.00"), Signs.DEBITS_NEGATIVE) == Decimal("-5.00")
    assert recorded_amount(Decimal("-12.34"), Signs.DEBITS_POSITIVE) == Decimal("-12.34")
    assert recorded_amount(Decimal("5.00"), Signs.DEBITS_POSITIVE) == Decimal("5.00")


def test_mapping_text():
    assert parse_mapping("date=Posted, amount=Value ,category=Cat,description=Memo") == {
        "date": "Posted", "amount": "Value", "category": "Cat", "description": "Memo",
    }
    assert parse_mapping(None) == {} and parse_mapping("") == {}
    for bad, message in [
        ("date", "must look like field=Column"),
        ("date=", "must look like field=Column"),
        ("when=Date", "Unknown field 'when'"),
        ("date=A,date=B", "mapped twice"),
    ]:
        with pytest.raises(BudgetError, match=message):
            parse_mapping(bad)


def test_columns_by_usual_names_or_by_mapping():
    assert resolve_columns(["Transaction Date", "AMOUNT", "category", "Memo", "ID"], {}) == {
        "date": 0, "amount": 1, "category": 2, "description": 3, "id": 4,
    }
    assert resolve_columns(["Posted", "Value", "Cat", "Notes"], parse_mapping("date=posted,amount=Value,category=Cat")) == {
        "date": 0, "amount": 1, "category": 2,
    }
    with pytest.raises(BudgetError, match=r"No column for amount, category in the header \['Date', 'Value'\]"):
        resolve_columns(["Date", "Value"], {})
    with pytest.raises(BudgetError, match="column 'Memo' \\(for description\\) is not in the header"):
        resolve_columns(HEADER[:3], {"description": "Memo"})


def reader(**kwargs) -> RowReader:
    return RowReader("user_1", HEADER, now=NOW, **kwargs)


def test_a_row_becomes_a_transaction_input_with_a_stable_id():
    row = reader().read(2, ["11/03/2025", "(425.50)", " Groceries ", "Whole Foods"])
    assert isinstance(row, Row) and row.line == 2
    t = row.input
    assert (t.user_id, t.category, t.amount, t.currency, t.occurred_at, t.description) == (
        "user_1", "Groceries", Decimal("425.50"), "USD", datetime(2025, 11, 3), "Whole Foods",
    )
    assert t.external_id.startswith("csv:") and len(t.external_id) == 4 + 64
    # The same content gives the same id in another read of the file ...
    again = reader().read(2, ["2025-11-03", "-425.5", "groceries", "Whole Foods "])
    assert again.input.external_id == t.external_id
    # ... and anything that differs gives another.
    others = [
        ["2025-11-04", "-425.50", "Groceries", "Whole Foods"],
        ["2025-11-03", "-425.51", "Groceries", "Whole Foods"],
        ["2025-11-03", "-425.50", "Restaurants", "Whole Foods"],
        ["2025-11-03", "-425.50", "Groceries", "Trader Joe's"],
    ]
    assert len({reader().read(2, o).input.external_id for o in others} | {t.external_id}) == 5
    assert RowReader("user_2", HEADER, now=NOW).read(2, ["2025-11-03", "-425.50", "Groceries", "Whole Foods"]).input.external_id != t.external_id


def test_identical_rows_in_one_file_stay_distinct_and_keep_their_ids_on_a_second_read():
    rows = [["2025-11-03", "-4.50", "Coffee", "Cafe"]] * 3 + [["2025-11-04", "-4.50", "Coffee", "Cafe"]]

    def read_file() -> list[str]:
        r = reader()  # one reader per read of the file
        return [r.read(i + 2, values).input.external_id for i, values in enumerate(rows)]

    first, second = read_file(), read_file()
    assert len(set(first)) == 4 and first == second


def test_an_id_column_is_the_external_id():
    r = RowReader("user_1", HEADER + ["Transaction ID"], now=NOW)
    assert r.read(2, ["2025-11-03", "-1.00", "Coffee", "", " bank-981 "]).input.external_id == "bank-981"
    # A row whose id cell is empty gets the stable hash instead.
    assert r.read(3, ["2025-11-03", "-1.00", "Coffee", "", ""]).input.external_id.startswith("csv:")


@pytest.mark.parametrize(
    "values,reason",
    [
        (["2025-11-31", "-1.00", "Coffee", ""], "Date '2025-11-31' is not a date"),
        (["2025-11-03", "1.2.3", "Coffee", ""], "Amount '1.2.3' is not an amount"),
        (["", "", "Coffee", ""], "Date is empty; Amount is empty"),
        (["2025-11-03", "-1.00", "  ", ""], "Category must not be empty"),
        (["2025-11-03", "0.00", "Coffee", ""], "Amount must not be zero"),
        (["2025-11-03", "-1.005", "Coffee", ""], "more decimal places than USD allows"),
        (["2025-11-03", "-1.00", "C" * 101, ""], "Category must be at most 100 characters"),
        (["2025-11-03", "-1.00", "Coffee"], "has 3 fields where the header has 4"),
        (["2025-11-03", "-1.00", "Coffee", "", "extra"], "has 5 fields where the header has 4"),
    ],
)
def test_bad_rows_are_rejected_with_their_line_and_reason(values, reason):
    result = reader().read(7, values)
    assert isinstance(result, Rejected) and result.line == 7
    assert reason in result.reason


def test_signs_and_currency_options():
    r = reader(signs=Signs.DEBITS_POSITIVE, currency="eur")
    t = r.read(2, ["2025-11-03", "12.00", "Coffee", ""]).input
    assert (t.amount, t.currency) == (Decimal("12.00"), "EUR")
    refund = reader().read(2, ["2025-11-03", "12.00", "Coffee", ""]).input
    assert refund.amount == Decimal("-12.00")
    with pytest.raises(BudgetError, match="Unknown currency 'XXY'"):
        reader(currency="XXY")
    with pytest.raises(BudgetError, match="userId must not be empty"):
        RowReader(" ", HEADER, now=NOW)

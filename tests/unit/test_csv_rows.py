"""The rules for reading bank exports (domain.csv_rows), without a database."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from domain.spending.csv_rows import (
    Rejected,
    Row,
    RowReader,
    Signs,
    detect_date_format,
    detect_delimiter,
    parse_amount,
    parse_date,
    parse_date_format,
    parse_delimiter,
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
    with pytest.raises(BudgetError, match=r"No column for amount in the header \['Date', 'Value'\]"):
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


def test_a_blank_category_is_left_to_the_rules():
    assert reader().read(7, ["2025-11-03", "-1.00", "  ", ""]).input.category is None


@pytest.mark.parametrize(
    "values,reason",
    [
        (["2025-11-31", "-1.00", "Coffee", ""], "Date '2025-11-31' is not a date"),
        (["2025-11-03", "1.2.3", "Coffee", ""], "Amount '1.2.3' is not an amount"),
        (["", "", "Coffee", ""], "Date is empty; Amount is empty"),
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


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1234,56", "1234.56"),
        ("-1.234,56", "-1234.56"),
        ("1.234.567,8", "1234567.8"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1\u202f234\u202f567,00", "1234567.00"),
        ("1.234", "1234"),  # a dot groups thousands: never a decimal point here
        ("(12,34)", "-12.34"),
        ("12,34-", "-12.34"),
        ("€-12,34", "-12.34"),
        ("-12,34 €", "-12.34"),
        (",5", "0.5"),
    ],
)
def test_amounts_with_a_decimal_comma(text, expected):
    amount = parse_amount(text, decimal_comma=True)
    assert amount == Decimal(expected) and str(amount) == expected


@pytest.mark.parametrize(
    "text", ["12.34", "1.23,4", "1.2345,6", "1,234.56", "1.234 567,8", "1..234", "12,", "€12,34 €", "١٢٣,٤", "１２,３４"]
)
def test_decimal_comma_amounts_are_read_exactly_or_refused(text):
    with pytest.raises(BudgetError, match="not an amount"):
        parse_amount(text, decimal_comma=True)


@pytest.mark.parametrize("text", ["١٢٣", "１２.３４", "1,２34.00", "\u0661.5"])
def test_only_ascii_digits_are_amounts(text):
    with pytest.raises(BudgetError, match="not an amount"):
        parse_amount(text)


def test_a_refused_amount_says_when_the_other_decimal_mark_reads_it():
    with pytest.raises(BudgetError, match=r"expected e.g. 1234.56.*\(it reads with the other decimal mark: pass --decimal-comma\)"):
        parse_amount("-1.234,56")
    with pytest.raises(BudgetError, match=r"leave out --decimal-comma"):
        parse_amount("1,234.56", decimal_comma=True)
    with pytest.raises(BudgetError) as refused:
        parse_amount("ten")
    assert "other decimal mark" not in refused.value.message


@pytest.mark.parametrize(
    "fmt,text,expected",
    [
        ("DD/MM/YYYY", "03/11/2025", datetime(2025, 11, 3)),
        ("dd.mm.yyyy", "3.11.2025", datetime(2025, 11, 3)),
        ("D.M.YYYY", "03.11.2025 14:05", datetime(2025, 11, 3, 14, 5)),
        ("DD-MM-YYYY", "03-11-2025T14:05:09", datetime(2025, 11, 3, 14, 5, 9)),
        ("MM/DD/YYYY", "11/03/2025", datetime(2025, 11, 3)),
        ("YYYY/MM/DD", "2025/11/03", datetime(2025, 11, 3)),
        ("YYYY.MM.DD", "2025.11.03", datetime(2025, 11, 3)),
        ("YYYY-MM-DD", "2025-11-03T10:15:00Z", datetime(2025, 11, 3, 10, 15, tzinfo=timezone.utc)),
        ("DD.MM.YYYY", "2025-11-03", datetime(2025, 11, 3)),  # ISO 8601 is read with any format
    ],
)
def test_dates_in_a_given_format(fmt, text, expected):
    assert parse_date(text, parse_date_format(fmt)) == expected


@pytest.mark.parametrize(
    "fmt,text,expected",
    [
        ("DD.MM.YYYY", "03/11/2025", "expected YYYY-MM-DD (ISO 8601) or DD.MM.YYYY"),  # another separator
        ("DD.MM.YYYY", "31.11.2025", "expected YYYY-MM-DD (ISO 8601) or DD.MM.YYYY"),
        ("DD/MM/YYYY", "03/11/25", "expected YYYY-MM-DD (ISO 8601) or DD/MM/YYYY"),
        ("DD/MM/YYYY", "０３/11/2025", "expected YYYY-MM-DD (ISO 8601) or DD/MM/YYYY"),
        ("YYYY-MM-DD", "03.11.2025", "expected YYYY-MM-DD (ISO 8601)"),
    ],
)
def test_dates_not_in_the_given_format_are_refused(fmt, text, expected):
    with pytest.raises(BudgetError, match=re.escape(expected) + "$"):
        parse_date(text, parse_date_format(fmt))


@pytest.mark.parametrize("fmt", ["", "DD/MM", "YYYY-DD-MM", "DD/YYYY/MM", "DD/MM.YYYY", "DD/MM/YY", "DD MM YYYY", "%d/%m/%Y", "MMM DD YYYY"])
def test_unreadable_date_formats_are_refused_with_the_tokens_named(fmt):
    with pytest.raises(BudgetError, match="DD, MM and YYYY"):
        parse_date_format(fmt)


def test_date_order_is_found_from_dates_that_read_one_way_only():
    dmy = detect_date_format([(2, "2025-01-01"), (3, "05.06.2025"), (4, "25.06.2025"), (5, "31/31/2025")])
    assert (dmy.order, dmy.text) == ("DMY", "DD.MM.YYYY")
    assert parse_date("05/06/2025", dmy) == datetime(2025, 6, 5)
    mdy = detect_date_format([(2, "05/06/2025"), (3, "06/25/2025 10:00")])
    assert (mdy.order, mdy.text) == ("MDY", "MM/DD/YYYY")
    assert parse_date("05/06/2025", mdy) == datetime(2025, 5, 6)
    # Nothing to settle: ISO 8601 dates only, and dates that are no date either way.
    none = detect_date_format([(2, "2025-01-01"), (3, "31/31/2025")])
    assert parse_date("2025-01-01", none) == datetime(2025, 1, 1)
    with pytest.raises(BudgetError, match="pass --date-format"):
        parse_date("05/06/2025", none)
    with pytest.raises(BudgetError, match=r"Line 3: the date '05/06/2025' reads two ways \(day-first 5 June 2025, month-first 6 May 2025\)"):
        detect_date_format([(2, "2025-01-01"), (3, " 05/06/2025 "), (4, "07/08/2025")])
    with pytest.raises(BudgetError, match=r"day-first in some rows \(line 2: '13/01/2025'\) and month-first in others \(line 9: '01/13/2025'\)"):
        detect_date_format([(2, "13/01/2025"), (9, "01/13/2025")])
    # 29/02 is a date in 2024 only: in 2025 it settles nothing, so 02/03 stays unclear.
    with pytest.raises(BudgetError, match="reads two ways"):
        detect_date_format([(2, "29/02/2025"), (3, "02/03/2025")])
    assert detect_date_format([(2, "29/02/2024"), (3, "02/03/2024")]).order == "DMY"


def test_delimiters():
    assert detect_delimiter("Date,Amount,Category") == ","
    assert detect_delimiter("Buchungstag;Betrag;Betrag (EUR, brutto)") == ";"
    assert detect_delimiter("Date\tAmount\tMemo, notes") == "\t"
    assert detect_delimiter('"Date;x",Amount') == ","  # a quoted delimiter does not split
    assert detect_delimiter("Date") == ","
    assert [parse_delimiter(d) for d in ("tab", "TAB", "\\t", "\t", ";", "|")] == ["\t", "\t", "\t", "\t", ";", "|"]
    for bad in ("", ";;", '"', "a", "1", "\n"):
        with pytest.raises(BudgetError, match="Delimiter"):
            parse_delimiter(bad)


def test_debit_and_credit_columns_are_found_or_mapped():
    header = ["Date", "Withdrawal", "Deposit", "Category"]
    assert resolve_columns(header, {}) == {"date": 0, "debit": 1, "credit": 2, "category": 3}
    # An amount column wins over usual debit/credit names; a mapping over both.
    assert resolve_columns(["Date", "Amount", "Debit", "Credit", "Category"], {})["amount"] == 1
    mapped = resolve_columns(["Date", "Amount", "Out", "In", "Category"], parse_mapping("debit=Out,credit=In"))
    assert (mapped["debit"], mapped["credit"], "amount" in mapped) == (2, 3, False)
    with pytest.raises(BudgetError, match=r"No column for amount in the header .*\(or debit=Column,credit=Column"):
        resolve_columns(["Date", "Debit", "Category"], {})  # a debit column without a credit one
    for bad, message in [("debit=Out", "together"), ("credit=In", "together"), ("amount=A,debit=B,credit=C", "either amount")]:
        with pytest.raises(BudgetError, match=message):
            parse_mapping(bad)


def test_a_column_used_must_be_named_once():
    with pytest.raises(BudgetError, match=r"names the column 'Amount' \(for amount\) 2 times, as columns 2, 5"):
        resolve_columns(["Date", "Amount", "Category", "Memo", " amount"], {})
    with pytest.raises(BudgetError, match=r"'Out' \(for debit\) 3 times, as columns 2, 3, 4"):
        resolve_columns(["Date", "Out", "OUT", "out", "In", "Category"], parse_mapping("debit=Out,credit=In"))
    assert resolve_columns(["Date", "Amount", "Category", "x", "x", ""], {}) == {"date": 0, "amount": 1, "category": 2}


def test_debit_and_credit_rows():
    r = RowReader("user_1", ["Date", "Debit", "Credit", "Category"], now=NOW, signs=Signs.DEBITS_POSITIVE)
    assert r.read(2, ["2025-11-03", "12.50", "", "Coffee"]).input.amount == Decimal("12.50")  # spending
    assert r.read(3, ["2025-11-03", "", "4.00", "Coffee"]).input.amount == Decimal("-4.00")  # a refund
    assert r.read(4, ["2025-11-03", "-12.50", " ", "Coffee"]).input.amount == Decimal("12.50")  # the column decides
    assert r.read(5, ["2025-11-03", "", "(4.00)", "Coffee"]).input.amount == Decimal("-4.00")
    both = r.read(6, ["2025-11-03", "1.00", "2.00", "Coffee"])
    assert both == Rejected(6, "Both Debit ('1.00') and Credit ('2.00') are filled: a row is a debit or a credit, not both")
    assert r.read(7, ["2025-11-03", "", "", "Coffee"]) == Rejected(7, "Neither Debit nor Credit is filled")
    comma = RowReader("user_1", ["Date", "Debit", "Credit", "Category"], now=NOW, decimal_comma=True)
    assert comma.read(8, ["2025-11-03", "", "1.234,50", "Coffee"]).input.amount == Decimal("-1234.50")


def test_a_reader_settles_its_date_format_from_the_whole_file():
    r = RowReader("user_1", HEADER, now=NOW, date_format=None)
    records = [(2, ["05/06/2025", "-1", "Fuel", ""]), (3, ["25/06/2025", "-1", "Fuel", ""]), (4, ["x"])]
    assert r.settle_dates(records).order == "DMY"
    assert r.read(2, records[0][1]).input.occurred_at == datetime(2025, 6, 5)
    given = RowReader("user_1", HEADER, now=NOW, date_format=parse_date_format("MM/DD/YYYY"))
    assert given.settle_dates(records).order == "MDY"  # a given format is kept
    assert isinstance(given.read(3, records[1][1]), Rejected)

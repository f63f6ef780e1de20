"""``budgetql import-transactions`` on real bank exports, on SQLite and PostgreSQL:
semicolons and tabs, decimal commas, day-first dates, debit and credit columns, UTF-16,
Latin-1 and byte order marks; and the files it refuses (unclear dates, a column named
twice, a quote left open) with a clear message, storing nothing."""

from __future__ import annotations

import codecs
from decimal import Decimal

from tests.support.cli import budgetql
from tests.support.queries import by_name, create_budget, progress
from tests.cli.test_csv_import import report, stored


def write_bytes(path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def write_text(path, text: str, encoding: str = "utf-8") -> str:
    return write_bytes(path, text.lstrip("\n").encode(encoding))


async def run(capsys, db_url, user_id, path, *options):
    return await budgetql(capsys, "import-transactions", path, "--user", user_id, "--database-url", db_url, *options)


def rows(got: list[dict]) -> list[tuple]:
    return [(t["occurredAt"][:10], t["category"], t["amount"], t["description"]) for t in got]


def spent(file_amounts) -> str:
    """What the budget should count: the sum of the recorded amounts, as GraphQL writes it."""
    return str(sum((Decimal(a) for a in file_amounts), Decimal("0.00")))


GERMAN = """
Buchungstag;Betrag;Kategorie;Verwendungszweck
03.11.2025;-1.234,56;Miete;November
15.11.2025;"-42,10";Essen;"Abend; mit Freunden"
16.11.2025;25,00;Essen;Erstattung
17.11.2025;-1.234.567,8;Miete;sieben Stellen
18.11.2025;-12.34;Essen;Punkt statt Komma
19.11.2025;-1.23,4;Essen;falsche Gruppe
31.11.2025;-5,00;Essen;kein Tag
20.11.2025;-0,5 €;Essen;Kaffee
"""
GERMAN_MAPPING = "date=Buchungstag,amount=Betrag,category=Kategorie,description=Verwendungszweck"


async def test_semicolons_decimal_commas_and_day_first_dates(capsys, db_url, gql, user_id, tmp_path):
    budget = await create_budget(
        gql, user_id, currency="EUR", rolloverEnabled=False,
        categories=[{"name": "Miete", "amount": "5000.00"}, {"name": "Essen", "amount": "300.00"}],
    )
    path = write_text(tmp_path / "umsaetze.csv", GERMAN)
    # 15.11.2025 can only be day-first: the order is found from the file.
    ran = await run(capsys, db_url, user_id, path, "--mapping", GERMAN_MAPPING, "--decimal-comma", "--currency", "EUR")
    assert ran.status == 1, ran
    assert ran.out.splitlines() == report(
        5, 0,
        "line 6: Amount '-12.34' is not an amount: expected e.g. 1234,56, 1.234,56, -12,34 or (12,34) "
        "(it reads with the other decimal mark: leave out --decimal-comma)",
        "line 7: Amount '-1.23,4' is not an amount: expected e.g. 1234,56, 1.234,56, -12,34 or (12,34)",
        "line 8: Date '31.11.2025' is not a date: expected YYYY-MM-DD (ISO 8601) or DD.MM.YYYY",
    )
    got = await stored(gql, user_id)
    assert rows(got) == [
        ("2025-11-03", "Miete", "1234.56", "November"),
        ("2025-11-15", "Essen", "42.10", "Abend; mit Freunden"),
        ("2025-11-16", "Essen", "-25.00", "Erstattung"),  # a credit: a refund
        ("2025-11-17", "Miete", "1234567.80", "sieben Stellen"),
        ("2025-11-20", "Essen", "0.50", "Kaffee"),
    ]
    assert {t["currency"] for t in got} == {"EUR"}
    figures = await progress(gql, budget["id"], at="2025-11-25T00:00:00")
    assert figures["totalSpent"] == spent(t["amount"] for t in got)
    assert by_name(figures)["Essen"]["spentAmount"] == spent(["42.10", "-25.00", "0.50"])
    assert figures["unconvertedCount"] == 0

    # The same file with its format named: the same dates, and nothing counted twice.
    again = await run(
        capsys, db_url, user_id, path, "--mapping", GERMAN_MAPPING, "--decimal-comma", "--currency", "EUR",
        "--date-format", "DD.MM.YYYY", "--delimiter", ";",
    )
    assert again.out.splitlines()[:3] == ["imported: 0", "duplicates skipped: 5", "rejected: 3"]
    # Without --decimal-comma every amount is refused, and says why.
    plain = await run(capsys, db_url, user_id, path, "--mapping", GERMAN_MAPPING, "--currency", "EUR", "--dry-run")
    assert "  line 2: Amount '-1.234,56' is not an amount: expected e.g. 1234.56, 1,234.56, -12.34 or (12.34) " \
        "(it reads with the other decimal mark: pass --decimal-comma)" in plain.out.splitlines()
    assert len(await stored(gql, user_id)) == 5


async def test_a_tab_separated_file_and_a_given_delimiter(capsys, db_url, gql, user_id, tmp_path):
    # Tabs: the commas in the amounts need no quotes. 11/24/2025 settles month-first.
    tabs = write_text(
        tmp_path / "export.tsv",
        "Date\tAmount\tCategory\tMemo\n"
        "11/24/2025\t-1,234.56\tRent\tNovember, late\n"
        "11/03/2025\t-20.00\tFuel\tStation\n"
        "2025-11-05\t5.00\tFuel\tRefund\n",
    )
    ran = await run(capsys, db_url, user_id, tabs)
    assert (ran.status, ran.out) == (0, "imported: 3\nduplicates skipped: 0\nrejected: 0\n"), ran
    # A pipe is no delimiter that is looked for: it is named.
    pipes = write_text(tmp_path / "export.txt", "Date|Amount|Category\n2025-11-06|-7.25|Coffee\n")
    assert (await run(capsys, db_url, user_id, pipes)).status == 2  # one column: no amount or category
    ran = await run(capsys, db_url, user_id, pipes, "--delimiter", "|")
    assert ran.status == 0 and ran.out.startswith("imported: 1\n"), ran
    assert rows(await stored(gql, user_id)) == [
        ("2025-11-03", "Fuel", "20.00", "Station"),
        ("2025-11-05", "Fuel", "-5.00", "Refund"),
        ("2025-11-06", "Coffee", "7.25", ""),
        ("2025-11-24", "Rent", "1234.56", "November, late"),
    ]


async def test_debit_and_credit_columns(capsys, db_url, gql, user_id, tmp_path):
    budget = await create_budget(
        gql, user_id, rolloverEnabled=False,
        categories=[{"name": "Groceries", "amount": "500.00"}, {"name": "Restaurants", "amount": "200.00"}],
    )
    path = write_text(
        tmp_path / "debit-credit.csv",
        """
Posted,Payee,Paid out,Paid in,Category
2025-11-03,Whole Foods,125.40,,Groceries
2025-11-04,Whole Foods refund,,20.00,Groceries
2025-11-05,Both,1.00,2.00,Groceries
2025-11-06,Neither,,,Groceries
2025-11-07,Bistro,-30.00,,Restaurants
2025-11-08,Zero,0.00,,Restaurants
2025-11-09,Zero in the unused column,0.00,3.10,Groceries
""",
    )
    ran = await run(capsys, db_url, user_id, path, "--mapping", "date=Posted,debit=Paid out,credit=Paid in")
    assert ran.status == 1
    assert ran.out.splitlines() == report(
        4, 0,
        "line 4: Both Paid out ('1.00') and Paid in ('2.00') are filled: a row is a debit or a credit, not both",
        "line 5: Neither Paid out nor Paid in is filled",
        "line 7: Amount must not be zero",
    )
    got = await stored(gql, user_id)
    # A debit is spending, a credit a refund; a sign in the debit column does not turn it.
    assert rows(got) == [
        ("2025-11-03", "Groceries", "125.40", "Whole Foods"),
        ("2025-11-04", "Groceries", "-20.00", "Whole Foods refund"),
        ("2025-11-07", "Restaurants", "30.00", "Bistro"),
        ("2025-11-09", "Groceries", "-3.10", "Zero in the unused column"),
    ]
    figures = await progress(gql, budget["id"], at="2025-11-15T00:00:00")
    assert figures["totalSpent"] == spent(t["amount"] for t in got)
    assert by_name(figures)["Groceries"]["spentAmount"] == spent(["125.40", "-20.00", "-3.10"])

    # Columns named Debit and Credit are found without a mapping when there is no Amount.
    usual = write_text(tmp_path / "usual.csv", "Date,Debit,Credit,Category\n2025-11-09,4.50,,Restaurants\n")
    ran = await run(capsys, db_url, user_id, usual)
    assert ran.status == 0 and ran.out.startswith("imported: 1\n"), ran
    assert by_name(await progress(gql, budget["id"], at="2025-11-15T00:00:00"))["Restaurants"]["spentAmount"] == spent(
        ["30.00", "4.50"]
    )


CAFE = "Date,Amount,Category,Memo\r\n2025-11-03,-3.80,Café,Crème brûlée\r\n2025-11-04,-2.20,Café,Naïve\r\n"


async def test_utf16_with_its_byte_order_mark_and_utf8_with_or_without_one(capsys, db_url, gql, user_id, tmp_path):
    files = [
        write_bytes(tmp_path / "le.csv", CAFE.encode("utf-16")),  # a byte order mark, then little-endian
        write_bytes(tmp_path / "be.csv", codecs.BOM_UTF16_BE + CAFE.replace("-3.80", "-3.81").encode("utf-16-be")),
        write_bytes(tmp_path / "bom.csv", codecs.BOM_UTF8 + CAFE.replace("-3.80", "-3.82").encode("utf-8")),
        write_bytes(tmp_path / "plain.csv", CAFE.replace("-3.80", "-3.83").encode("utf-8")),
    ]
    for i, path in enumerate(files):
        ran = await run(capsys, db_url, user_id, path)
        # Found "Date" in the header (no mark left in front of it) and read every row; the
        # second row is the same in all four files, so it is new only the first time.
        expected = "imported: 2\nduplicates skipped: 0\n" if i == 0 else "imported: 1\nduplicates skipped: 1\n"
        assert ran.status == 0 and ran.out.startswith(expected), (path, ran)
    got = await stored(gql, user_id)
    assert sorted((t["amount"], t["category"], t["description"]) for t in got if t["occurredAt"] < "2025-11-04") == [
        ("3.80", "Café", "Crème brûlée"), ("3.81", "Café", "Crème brûlée"),
        ("3.82", "Café", "Crème brûlée"), ("3.83", "Café", "Crème brûlée"),
    ]
    assert [(t["amount"], t["description"]) for t in got if t["occurredAt"] >= "2025-11-04"] == [("2.20", "Naïve")]


async def test_latin1_with_encoding_and_undecodable_files(capsys, db_url, gql, user_id, tmp_path):
    path = write_text(tmp_path / "latin1.csv", CAFE, encoding="latin-1")
    refused = await run(capsys, db_url, user_id, path)
    assert refused.status == 2 and refused.out == ""
    at = CAFE.encode("latin-1").index("é".encode("latin-1"))  # the first byte UTF-8 cannot read
    assert f"is not UTF-8 text (invalid continuation byte at byte {at}, line 2): name its encoding with --encoding, " \
        "e.g. --encoding latin-1" in refused.err, refused.err
    assert await stored(gql, user_id) == []
    ran = await run(capsys, db_url, user_id, path, "--encoding", "latin-1")
    assert ran.status == 0 and ran.out.startswith("imported: 2\n"), ran
    assert rows(await stored(gql, user_id)) == [
        ("2025-11-03", "Café", "3.80", "Crème brûlée"), ("2025-11-04", "Café", "2.20", "Naïve"),
    ]
    # Windows' cp1252 has the euro sign where Latin-1 has none.
    euro = write_text(tmp_path / "cp1252.csv", "Date,Amount,Category\n2025-11-05,€-1.00,Café\n", encoding="cp1252")
    assert (await run(capsys, db_url, user_id, euro, "--encoding", "cp1252")).status == 0
    assert [t["amount"] for t in await stored(gql, user_id) if t["occurredAt"].startswith("2025-11-05")] == ["1.00"]


async def test_dates_that_read_both_ways_are_refused_unless_the_format_is_named(capsys, db_url, gql, user_id, tmp_path):
    text = "Date,Amount,Category\n2025-06-01,-1.00,Fuel\n05/06/2025,-2.00,Fuel\n07/08/2025,-3.00,Fuel\n"
    path = write_text(tmp_path / "unclear.csv", text)
    refused = await run(capsys, db_url, user_id, path)
    assert refused.status == 2 and refused.out == ""
    assert (
        "Line 3: the date '05/06/2025' reads two ways (day-first 5 June 2025, month-first 6 May 2025), and no "
        "date in the file settles which: pass --date-format DD/MM/YYYY or --date-format MM/DD/YYYY"
    ) in refused.err, refused.err
    assert "nothing was imported" in refused.err
    assert await stored(gql, user_id) == []

    day_first = await run(capsys, db_url, user_id, path, "--date-format", "DD/MM/YYYY")
    assert day_first.status == 0, day_first
    assert [t["occurredAt"] for t in await stored(gql, user_id)] == [
        "2025-06-01T00:00:00", "2025-06-05T00:00:00", "2025-08-07T00:00:00",
    ]
    other = user_id + "_us"
    month_first = await run(capsys, db_url, other, path, "--date-format", "mm/dd/yyyy")
    assert month_first.status == 0, month_first
    assert [t["occurredAt"] for t in await stored(gql, other)] == [
        "2025-05-06T00:00:00", "2025-06-01T00:00:00", "2025-07-08T00:00:00",
    ]

    # One date that reads one way only settles the rest; two that disagree are refused.
    settled = write_text(tmp_path / "settled.csv", text + "25/06/2025,-4.00,Fuel\n")
    ran = await run(capsys, db_url, user_id + "_eu", settled)
    assert ran.status == 0, ran
    assert [t["occurredAt"][:10] for t in await stored(gql, user_id + "_eu")] == [
        "2025-06-01", "2025-06-05", "2025-06-25", "2025-08-07",
    ]
    mixed = write_text(tmp_path / "mixed.csv", text + "25/06/2025,-4.00,Fuel\n06/26/2025,-5.00,Fuel\n")
    refused = await run(capsys, db_url, user_id + "_mixed", mixed)
    assert refused.status == 2
    assert "day-first in some rows (line 5: '25/06/2025') and month-first in others (line 6: '06/26/2025')" in refused.err
    assert await stored(gql, user_id + "_mixed") == []


async def test_a_header_naming_a_column_twice_is_refused(capsys, db_url, gql, user_id, tmp_path):
    cases = [
        ("Date,Amount,Category,amount", (), "The header names the column 'Amount' (for amount) 2 times, as columns 2, 4"),
        ("Date,Amount,Category, Memo ,MEMO", (), "The header names the column 'Memo' (for description) 2 times, as columns 4, 5"),
        ("Posted,Amount,Category,posted", ("--mapping", "date=Posted"), "the column 'Posted' (for date) 2 times, as columns 1, 4"),
    ]
    for header, options, message in cases:
        values = ["2025-11-03", "-1.00", "Fuel"] + ["x"] * (header.count(",") - 2)
        path = write_text(tmp_path / "twice.csv", f"{header}\n{','.join(values)}\n")
        ran = await run(capsys, db_url, user_id, path, *options)
        assert ran.status == 2 and message in ran.err, (header, ran)
    assert await stored(gql, user_id) == []
    # A column the import does not read may be named twice.
    path = write_text(tmp_path / "notes.csv", "Date,Amount,Category,Notes,Notes\n2025-11-03,-1.00,Fuel,a,b\n")
    assert (await run(capsys, db_url, user_id, path)).status == 0
    assert len(await stored(gql, user_id)) == 1


async def test_a_quote_left_open_is_reported_at_its_line_and_stores_nothing(capsys, db_url, gql, user_id, tmp_path):
    head = "Date,Amount,Category,Memo\n2025-11-03,-4.00,Coffee,Cafe\n"
    cases = [
        # The file ends inside the quote.
        (head + '2025-11-04,-5.00,Coffee,"Cafe\n2025-11-05,-6.00,Coffee,Cafe\n2025-11-06,-7.00,Coffee,Cafe\n',
         "line 3: a quote opened in this row is never closed: the file ends inside it"),
        # A later quote closes it, and what follows cannot be CSV.
        (head + '2025-11-04,-5.00,Coffee,"Cafe\n2025-11-05,-6.00,Coffee,Cafe\n2025-11-06,-7.00,Coffee,"Bar" x\n',
         "line 5: ',' expected after '\"' (in the row that starts at line 3: is a quote there not closed?)"),
        # The quote would swallow more than a field may hold.
        (head + '2025-11-04,-5.00,"Coffee,Cafe\n' + "2025-11-05,-6.00,Coffee,Cafe and a long memo\n" * 4000,
         "line 3: a quoted field runs from this row past line"),
    ]
    for text, message in cases:
        path = write_text(tmp_path / "open.csv", text)
        ran = await run(capsys, db_url, user_id, path)
        assert ran.status == 2 and ran.out == "", ran
        assert f"open.csv, {message}" in ran.err and "nothing was imported" in ran.err, (message, ran.err)
    assert await stored(gql, user_id) == []

    # Quotes that close make a row over several lines; if it is no row, its lines are named.
    path = write_text(
        tmp_path / "multi.csv",
        head + '2025-11-04,-5.00,"Coffee\nCorner"\n2025-11-05,-6.00,Coffee,"Two\nlines"\n',
    )
    ran = await run(capsys, db_url, user_id, path)
    assert ran.status == 1
    assert ran.out.splitlines() == report(
        2, 0,
        "line 3: has 3 fields where the header has 4 (this row runs to line 4: a quoted field holds 1 line "
        "break(s); is a quote not closed?)",
    )
    assert [(t["amount"], t["description"]) for t in await stored(gql, user_id)] == [
        ("4.00", "Cafe"), ("6.00", "Two\nlines"),
    ]


async def test_unusable_options_and_encodings_store_nothing(capsys, db_url, gql, user_id, tmp_path):
    good = write_text(tmp_path / "good.csv", "Date,Amount,Category\n2025-11-03,-1.00,Fuel\n")
    odd = write_bytes(tmp_path / "odd.csv", "Date,Amount,Category\n".encode("utf-16") + b"\x00")
    no_bom = write_bytes(tmp_path / "nobom.csv", "Date,Amount,Category\n2025-11-03,-1.00,Fuel\n".encode("utf-16-le"))
    cases = [
        ([good, "--encoding", "klingon"], "unknown encoding 'klingon'"),
        ([good, "--delimiter", "ab"], "Delimiter 'ab' is not one character"),
        ([good, "--date-format", "YYYY-DD-MM"], "Date format 'YYYY-DD-MM' is not one this reads"),
        ([good, "--date-format", "DD/MM/YY"], "Date format 'DD/MM/YY' is not one this reads"),
        ([good, "--mapping", "debit=Amount"], "Map debit and credit together"),
        ([good, "--mapping", "amount=Amount,debit=Amount,credit=Amount"], "Map either amount, or debit and credit"),
        ([good, "--mapping", "debit=Amount,credit=amount"], "Debit and credit are both the column 'Amount'"),
        ([odd], "is not UTF-16 text (truncated data"),
        ([no_bom], "holds NUL characters, so it is not UTF-8 text: if it is UTF-16 without a byte order mark"),
    ]
    for args, message in cases:
        ran = await run(capsys, db_url, user_id, *args)
        assert ran.status == 2 and message in ran.err, (args, ran)
    # UTF-16 without a mark reads when it is named.
    assert (await run(capsys, db_url, user_id, no_bom, "--encoding", "utf-16-le")).status == 0
    assert rows(await stored(gql, user_id)) == [("2025-11-03", "Fuel", "1.00", "")]

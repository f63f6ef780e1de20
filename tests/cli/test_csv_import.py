"""``budgetql import-transactions`` on SQLite and PostgreSQL: what it stores is what the
GraphQL API then shows; a second import of the same file counts nothing twice."""

from __future__ import annotations

from domain.access import TRUSTED

import asyncio
import random
from datetime import date, timedelta
from decimal import Decimal

from graph.services import open_services

from tests.support.cli import budgetql, budgetql_process
from tests.support.queries import create_budget, progress

TRANSACTIONS = """
query($userId: String!) {
  transactions(userId: $userId, first: 500) {
    totalCount
    nodes { category amount currency occurredAt description externalId }
  }
}
"""
ALERTS = "query($userId: String!) { alerts(userId: $userId) { nodes { alertType category } } }"


async def stored(gql, user_id: str) -> list[dict]:
    data = (await gql(TRANSACTIONS, {"userId": user_id}))["transactions"]
    assert data["totalCount"] == len(data["nodes"])
    return sorted(data["nodes"], key=lambda t: (t["occurredAt"], t["category"] or "", t["amount"]))


def report(imported: int, skipped: int, *rejected: str) -> list[str]:
    """The lines an import prints: what it imported and skipped, then each row it rejected."""
    return [f"imported: {imported}", f"duplicates skipped: {skipped}", f"rejected: {len(rejected)}", *(f"  {r}" for r in rejected)]


def write_csv(path, text: str):
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return str(path)


BANK_EXPORT = """
Date,Amount,Category,Memo
2025-11-03,-425.50,Groceries,Whole Foods
11/04/2025,"(1,234.56)",Rent,November rent
2025-11-05T18:30:00,-42.10,Restaurants,"Dinner, with friends"
11/06/2025,"25.00",Groceries,Refund
2025-11-31,-10.00,Groceries,bad date
2025-11-07,ten,Groceries,bad amount
2025-11-08,-3.00,,no category
2025-11-09,-3.00,Coffee
2025-11-10,0.00,Coffee,zero
2025-11-11,-3.00,Coffee,Cafe

2025-11-11,-3.00,Coffee,Cafe
"""
# Every slash date in it reads both ways (11/04: 11 April or 4 November), so the file
# needs its order named (see test_csv_formats for the refusal without it).
US = ("--date-format", "MM/DD/YYYY")


async def test_import_reads_common_formats_and_lists_every_bad_row(capsys, db_url, gql, user_id, tmp_path):
    path = write_csv(tmp_path / "bank.csv", BANK_EXPORT)
    ran = await budgetql(capsys, "import-transactions", path, "--user", user_id, "--database-url", db_url, *US)
    assert ran.status == 1  # some rows were rejected; the good ones are stored
    assert ran.out.splitlines() == report(
        7, 0,
        "line 6: Date '2025-11-31' is not a date: expected YYYY-MM-DD (ISO 8601) or MM/DD/YYYY",
        "line 7: Amount 'ten' is not an amount: expected e.g. 1234.56, 1,234.56, -12.34 or (12.34)",
        "line 9: has 3 fields where the header has 4",
        "line 10: Amount must not be zero",
    )
    got = await stored(gql, user_id)
    assert [(t["occurredAt"], t["category"], t["amount"], t["description"]) for t in got] == [
        ("2025-11-03T00:00:00", "Groceries", "425.50", "Whole Foods"),
        ("2025-11-04T00:00:00", "Rent", "1234.56", "November rent"),
        ("2025-11-05T18:30:00", "Restaurants", "42.10", "Dinner, with friends"),
        ("2025-11-06T00:00:00", "Groceries", "-25.00", "Refund"),  # a credit: a refund
        ("2025-11-08T00:00:00", None, "3.00", "no category"),  # stored uncategorized: counted nowhere
        ("2025-11-11T00:00:00", "Coffee", "3.00", "Cafe"),
        ("2025-11-11T00:00:00", "Coffee", "3.00", "Cafe"),  # identical rows are two purchases
    ]
    assert all(t["externalId"].startswith("csv:") and t["currency"] == "USD" for t in got)
    assert len({t["externalId"] for t in got}) == 7


async def test_importing_the_same_file_twice_counts_nothing_twice(capsys, db_url, gql, user_id, tmp_path):
    budget = await create_budget(
        gql, user_id, categories=[{"name": "Groceries", "amount": "500.00"}], rolloverEnabled=False
    )
    path = write_csv(tmp_path / "bank.csv", BANK_EXPORT)
    first = await budgetql(capsys, "import-transactions", path, "--user", user_id, "--database-url", db_url, *US)
    assert first.out.startswith("imported: 7\nduplicates skipped: 0\nrejected: 4\n")
    second = await budgetql(capsys, "import-transactions", path, "--user", user_id, "--database-url", db_url, *US)
    assert second.status == 1
    assert second.out.startswith("imported: 0\nduplicates skipped: 7\nrejected: 4\n")
    assert len(await stored(gql, user_id)) == 7
    # Through the same write path as the API: the budget counts each row once, and the
    # alerts it raises came with the first import only.
    spent = await progress(gql, budget["id"], at="2025-11-15T00:00:00")
    assert spent["totalSpent"] == "400.50"  # 425.50 - 25.00
    alerts = (await gql(ALERTS, {"userId": user_id}))["alerts"]["nodes"]
    assert sorted((a["alertType"], a["category"] or "(total)") for a in alerts) == [
        ("WARNING", "(total)"), ("WARNING", "Groceries"),  # 400.50 of 500.00 is 80.1%
    ]


async def test_id_column_mapping_and_the_apis_external_ids(capsys, db_url, gql, user_id, tmp_path):
    # A transaction recorded through the API with the bank's id is the same transaction.
    await gql(
        'mutation($u: String!) { recordTransaction(input: {userId: $u, category: "Fuel", amount: "60.00", '
        'occurredAt: "2025-11-02T08:00:00", externalId: "T-1"}) { errors { message } } }',
        {"u": user_id},
    )
    path = write_csv(
        tmp_path / "custom.csv",
        """
Posted;Value;Kind;Notes;Ref
2025-11-02;60.00;Fuel;Station;T-1
2025-11-03;12.00;Fuel;Station;T-2
2025-11-04;12.00;Fuel;Station;T-2
""",
    )
    # Semicolons are found as the delimiter: the columns are there, under other names.
    bad = await budgetql(capsys, "import-transactions", path, "--user", user_id, "--database-url", db_url)
    assert bad.status == 2 and bad.out == ""
    assert "No column for date, amount in the header ['Posted', 'Value', 'Kind', 'Notes', 'Ref']" in bad.err
    ran = await budgetql(
        capsys, "import-transactions", path, "--user", user_id, "--database-url", db_url,
        "--mapping", "date=Posted,amount=Value,category=Kind,description=Notes,id=Ref", "--signs", "debits-positive",
    )
    assert ran.status == 0 and ran.out == "imported: 1\nduplicates skipped: 2\nrejected: 0\n"
    got = await stored(gql, user_id)
    assert [(t["externalId"], t["amount"], t["description"]) for t in got] == [
        ("T-1", "60.00", ""), ("T-2", "12.00", "Station"),
    ]


async def test_dry_run_reads_and_reports_but_writes_nothing(capsys, db_url, gql, user_id, tmp_path):
    path = write_csv(tmp_path / "bank.csv", BANK_EXPORT)
    ran = await budgetql(capsys, "import-transactions", path, "--user", user_id, "--database-url", db_url, "--dry-run", *US)
    assert ran.status == 1
    assert ran.out.splitlines()[:5] == [
        "dry run: nothing was written",
        "would import: 7 (rows already stored are not checked in a dry run)",
        "duplicates skipped: 0 (the same id twice in the file)",
        "rejected: 4",
        "  line 6: Date '2025-11-31' is not a date: expected YYYY-MM-DD (ISO 8601) or MM/DD/YYYY",
    ]
    assert await stored(gql, user_id) == []


async def test_unusable_files_and_options_store_nothing(capsys, db_url, gql, user_id, tmp_path):
    good = write_csv(tmp_path / "good.csv", BANK_EXPORT)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("Date,Amount,Category\n2025-11-03,-1.00,Caf\xe9\n".encode("latin-1"))
    empty = write_csv(tmp_path / "empty.csv", "")
    cases = [
        ([str(tmp_path / "missing.csv")], "cannot read"),
        ([str(latin1)], "is not UTF-8 text"),
        ([empty], "is empty: the first line must be the header"),
        ([good, "--mapping", "amount"], "Mapping entry 'amount' must look like field=Column"),
        ([good, "--mapping", "memo=Memo"], "Unknown field 'memo' in the mapping"),
        ([good, "--mapping", "description=Notes"], "The mapping's column 'Notes' (for description) is not in the header"),
        ([good, "--currency", "ZZZ"], "Unknown currency 'ZZZ'"),
    ]
    for args, message in cases:
        ran = await budgetql(capsys, "import-transactions", *args, "--user", user_id, "--database-url", db_url)
        assert ran.status == 2 and message in ran.err, (args, ran)
    assert await stored(gql, user_id) == []


async def test_a_failed_write_is_reported_after_the_rows_read(capsys, tmp_path):
    path = write_csv(tmp_path / "bank.csv", BANK_EXPORT)
    unreachable = "postgresql+asyncpg://postgres@127.0.0.1:9/none"  # the discard port: refused
    ran = await budgetql(capsys, "import-transactions", path, "--user", "someone", "--database-url", unreachable, *US)
    assert ran.status == 1
    lines = ran.out.splitlines()
    assert lines[:3] == ["imported: 0", "duplicates skipped: 0", "rejected: 4"]
    assert lines[-2].startswith("failed: ") and "refused" in lines[-2].lower()
    assert lines[-1] == "run the same command again: rows already imported are skipped"


def _bank_rows(count: int, seed: int) -> tuple[list[str], dict[str, Decimal]]:
    """``count`` debits over 2025 in five categories, in both date formats, and each
    category's total spending."""
    rng = random.Random(seed)
    categories = ["Groceries", "Restaurants", "Fuel", "Shopping", "Utilities"]
    lines, totals = [], {c: Decimal(0) for c in categories}
    for i in range(count):
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
        cents = rng.randrange(1, 250_000)
        amount = Decimal(cents).scaleb(-2)
        category = categories[i % 5]
        when = day.strftime("%m/%d/%Y") if i % 2 else day.isoformat()
        text = f'"({amount:,.2f})"' if i % 3 == 0 else f'"-{amount:,.2f}"'
        lines.append(f"{when},{text},{category},Shop {i % 977}")
        totals[category] += amount
    return lines, totals


async def _monthly_budget(db_url: str, user: str, categories) -> str:
    async with open_services(db_url) as services:
        budget = await services.budgets.create_budget(
            TRUSTED,
            user_id=user, name="2025", type="personal", period="monthly",
            categories={c: 20_000 for c in categories}, start_date=date(2025, 1, 1),
        )
    return budget.id


async def _spent_per_category(db_url: str, budget_id: str, months: int) -> dict[str, Decimal]:
    async with open_services(db_url) as services:
        budget = await services.budgets.get_budget(TRUSTED, budget_id)
        figures = await services.spending.progress_many([(budget, k, None) for k in range(months)])
    spent: dict[str, Decimal] = {}
    for month in figures:
        for c in month.categories:
            spent[c.category_name] = spent.get(c.category_name, Decimal(0)) + c.spent_amount
    return spent


def test_a_100000_row_file_twice_with_a_progress_bar(db_url, tmp_path):
    lines, totals = _bank_rows(100_000, seed=7)
    lines.insert(50_000, "2025-02-30,-1.00,Groceries,bad date")
    lines.append("2025-06-01,-1.00,Fuel")
    path = write_csv(tmp_path / "big.csv", "Date,Amount,Category,Memo\n" + "\n".join(lines) + "\n")
    user = f"user_big_{random.randrange(10**9)}"
    # A monthly budget over the year's categories: each batch written also evaluates its alerts.
    budget_id = asyncio.run(_monthly_budget(db_url, user, totals))

    first = budgetql_process("import-transactions", path, "--user", user, "--database-url", db_url, "--progress")
    assert first.status == 1, first.err
    assert first.out.splitlines() == report(
        100000, 0,
        "line 50002: Date '2025-02-30' is not a date: expected YYYY-MM-DD (ISO 8601) or MM/DD/YYYY",
        "line 100003: has 3 fields where the header has 4",
    )
    assert "importing: 100%" in first.err and "100000/100000" in first.err  # tqdm's bar on stderr

    second = budgetql_process("import-transactions", path, "--user", user, "--database-url", db_url, "--no-progress")
    assert second.out.splitlines()[:3] == ["imported: 0", "duplicates skipped: 100000", "rejected: 2"]
    assert "importing:" not in second.err

    # Each row counted once: the budget's twelve months add up to the file's totals.
    spent = asyncio.run(_spent_per_category(db_url, budget_id, months=12))
    assert spent == totals


async def test_rules_and_the_bank_category_categorize_rows_without_a_category(capsys, db_url, gql, user_id, tmp_path):
    made = await gql(
        "mutation($i: CreateCategoryRuleInput!) { createCategoryRule(input: $i) { rule { id } errors { message } } }",
        {"i": {"userId": user_id, "category": "Groceries", "match": {"descriptionContains": "whole foods"}}},
    )
    rule_id = made["createCategoryRule"]["rule"]["id"]
    path = write_csv(tmp_path / "plaid.csv", """
Date,Amount,Memo,PFC
2025-11-03,-42.00,WHOLE FOODS MARKET,FOOD_AND_DRINK_RESTAURANT
2025-11-04,-30.00,Shell,TRANSPORTATION_GAS
2025-11-05,-9.00,Corner shop,FOOD_AND_DRINK_GROCERIES
2025-11-06,-1.00,Mystery,
""")
    ran = await budgetql(capsys, "import-transactions", path, "--user", user_id, "--database-url", db_url,
                         "--mapping", "source_category=PFC")
    assert ran.status == 0, ran
    got = await gql(
        "query($u: String!) { transactions(userId: $u) { nodes { description category categorizedBy ruleId "
        "sourceCategory } } }", {"u": user_id})
    rows = {t["description"]: t for t in got["transactions"]["nodes"]}
    # The user's rule wins over the bank's category; the mapping is used when no rule matches.
    assert (rows["WHOLE FOODS MARKET"]["category"], rows["WHOLE FOODS MARKET"]["ruleId"]) == ("Groceries", rule_id)
    assert (rows["Shell"]["category"], rows["Shell"]["categorizedBy"]) == ("Transportation", "SOURCE_MAPPING")
    assert (rows["Corner shop"]["category"], rows["Corner shop"]["sourceCategory"]) == (
        "Groceries", "FOOD_AND_DRINK_GROCERIES"
    )
    assert (rows["Mystery"]["category"], rows["Mystery"]["categorizedBy"]) == (None, None)

"""Spending and progress through GraphQL, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.queries import (
    PROGRESS_FIELDS,
    RECORD,
    RECORD_MANY,
    UPDATE,
    by_name,
    create_budget,
    progress,
    record,
)

MID_NOVEMBER = "2025-11-15T14:30:00"


async def test_spec_progress_example(gql, user_id):
    b = await create_budget(gql, user_id, rolloverEnabled=False)
    await record(gql, user_id, "Groceries", "425.50", "2025-11-03T10:00:00")
    await record(gql, user_id, "restaurants", "180.25", "2025-11-08T20:00:00")
    p = await progress(gql, b["id"], at=MID_NOVEMBER)
    assert p["budgetId"] == b["id"]
    assert p["currentPeriod"] == "November 2025"
    assert p["categories"] == [
        {
            "categoryName": "Groceries",
            "budgetedAmount": "600.00",
            "rolloverAmount": "0.00",
            "spentAmount": "425.50",
            "remainingAmount": "174.50",
            "percentUsed": 70.91,  # 70.916…: rounded down (the spec printed 70.92, half-up)
            "status": "ON_TRACK",
            "projectedSpent": "851.00",
        },
        {
            "categoryName": "Restaurants",
            "budgetedAmount": "200.00",
            "rolloverAmount": "0.00",
            "spentAmount": "180.25",
            "remainingAmount": "19.75",
            "percentUsed": 90.12,  # 90.125 (the spec printed 90.13)
            "status": "WARNING",
            "projectedSpent": "360.50",
        },
    ]
    assert (p["totalBudgeted"], p["totalSpent"], p["totalRemaining"]) == ("800.00", "605.75", "194.25")
    assert p["percentUsed"] == 75.71  # 75.718… (the spec printed 75.72)
    assert (p["periodDaysElapsed"], p["periodDaysTotal"]) == (15, 30)
    assert p["projectedSpent"] == "1211.50"
    assert (p["periodStart"], p["periodEnd"]) == ("2025-11-01T00:00:00", "2025-11-30T23:59:59")
    assert p["periodIndex"] == 0 and p["status"] == "ON_TRACK" and p["unconvertedCount"] == 0


async def test_spending_outside_the_period_or_categories_is_not_counted(gql, user_id):
    b = await create_budget(gql, user_id)
    await record(gql, user_id, "Groceries", "10.00", "2025-10-31T23:59:59")
    await record(gql, user_id, "Groceries", "20.00", "2025-12-01T00:00:00")
    await record(gql, user_id, "Travel", "30.00", "2025-11-10T00:00:00")
    await record(gql, user_id + "_someone_else", "Groceries", "40.00", "2025-11-10T00:00:00")
    await record(gql, user_id, "  GROCERIES ", "1.00", "2025-11-30T23:59:59")
    p = await progress(gql, b["id"], at=MID_NOVEMBER)
    assert by_name(p)["Groceries"]["spentAmount"] == "1.00"
    assert p["totalSpent"] == "1.00"


async def test_refunds_reduce_spending(gql, user_id):
    b = await create_budget(gql, user_id)
    await record(gql, user_id, "Groceries", "100.00", "2025-11-02T00:00:00")
    await record(gql, user_id, "Groceries", "-30.00", "2025-11-04T00:00:00", description="returned")
    g = by_name(await progress(gql, b["id"], at=MID_NOVEMBER))["Groceries"]
    assert (g["spentAmount"], g["remainingAmount"]) == ("70.00", "530.00")


async def test_percent_is_not_capped_and_statuses_follow_thresholds(gql, user_id):
    b = await create_budget(
        gql,
        user_id,
        categories=[
            {"name": "A", "amount": "100"},
            {"name": "B", "amount": "100"},
            {"name": "C", "amount": "100"},
            {"name": "D", "amount": "100"},
        ],
    )
    for name, amount in [("A", "250"), ("B", "105"), ("C", "80"), ("D", "79.99")]:
        await record(gql, user_id, name, amount, "2025-11-02T00:00:00")
    cats = by_name(await progress(gql, b["id"], at=MID_NOVEMBER))
    assert (cats["A"]["percentUsed"], cats["A"]["status"]) == (250.0, "OVER")
    assert (cats["B"]["percentUsed"], cats["B"]["status"]) == (105.0, "LIMIT_REACHED")
    assert (cats["C"]["percentUsed"], cats["C"]["status"]) == (80.0, "WARNING")
    assert (cats["D"]["percentUsed"], cats["D"]["status"]) == (79.99, "ON_TRACK")


async def test_custom_thresholds_drive_status(gql, user_id):
    b = await create_budget(
        gql, user_id, categories=[{"name": "A", "amount": "100"}], thresholds={"warning": "0.5", "limitReached": "0.9", "overspending": "1.5"}
    )
    await record(gql, user_id, "A", "60", "2025-11-02T00:00:00")
    assert by_name(await progress(gql, b["id"], at=MID_NOVEMBER))["A"]["status"] == "WARNING"
    await record(gql, user_id, "A", "60", "2025-11-02T00:00:00")
    assert by_name(await progress(gql, b["id"], at=MID_NOVEMBER))["A"]["status"] == "LIMIT_REACHED"


async def test_zero_budget_with_spending_has_no_percentage(gql, user_id):
    b = await create_budget(gql, user_id, categories=[{"name": "Gifts", "amount": "0"}, {"name": "Food", "amount": "0"}])
    await record(gql, user_id, "Gifts", "5.00", "2025-11-02T00:00:00")
    p = await progress(gql, b["id"], at=MID_NOVEMBER)
    gifts, food = by_name(p)["Gifts"], by_name(p)["Food"]
    assert (gifts["percentUsed"], gifts["status"], gifts["remainingAmount"]) == (None, "OVER", "-5.00")
    assert (food["percentUsed"], food["status"]) == (None, "ON_TRACK")
    assert (p["percentUsed"], p["status"]) == (None, "OVER")


async def test_other_currencies_are_counted_not_added(gql, user_id):
    b = await create_budget(gql, user_id)
    await record(gql, user_id, "Groceries", "50.00", "2025-11-02T00:00:00")
    await record(gql, user_id, "Groceries", "40.00", "2025-11-03T00:00:00", currency="EUR")
    await record(gql, user_id, "Restaurants", "1000", "2025-11-03T00:00:00", currency="JPY")
    await record(gql, user_id, "Groceries", "40.00", "2025-10-03T00:00:00", currency="EUR")
    p = await progress(gql, b["id"], at=MID_NOVEMBER)
    assert p["totalSpent"] == "50.00" and p["unconvertedCount"] == 2


@pytest.mark.parametrize(
    "period,start,at,label,days",
    [
        ("WEEKLY", "2025-11-03", "2025-11-05T12:00:00", "Nov 3 – Nov 9, 2025", (3, 7)),
        ("BIWEEKLY", "2025-11-03", "2025-11-20T12:00:00", "Nov 17 – Nov 30, 2025", (4, 14)),
        ("QUARTERLY", "2025-10-01", "2025-11-15T00:00:00", "Q4 2025", (46, 92)),
        ("YEARLY", "2025-01-01", "2025-03-01T00:00:00", "2025", (60, 365)),
        ("MONTHLY", "2025-01-01", "2026-02-10T00:00:00", "February 2026", (10, 28)),
    ],
)
async def test_period_labels_and_days(gql, user_id, period, start, at, label, days):
    b = await create_budget(gql, user_id, period=period, startDate=start + "T00:00:00")
    p = await progress(gql, b["id"], at=at)
    assert p["currentPeriod"] == label
    assert (p["periodDaysElapsed"], p["periodDaysTotal"]) == days


async def test_progress_by_period_index_and_root_query(gql, user_id):
    b = await create_budget(gql, user_id, rolloverEnabled=False)
    await record(gql, user_id, "Groceries", "12.34", "2025-12-05T00:00:00")
    p = await progress(gql, b["id"], period=1)
    assert (p["periodIndex"], p["currentPeriod"], p["totalSpent"]) == (1, "December 2025", "12.34")
    root = await gql(
        f"query($id: ID!, $at: DateTime) {{ budgetProgress(budgetId: $id, at: $at) {{ {PROGRESS_FIELDS} }} }}",
        {"id": b["id"], "at": "2025-12-31T23:59:59"},
    )
    assert root["budgetProgress"] == p
    missing = await gql("{ budgetProgress(budgetId: \"bud_nope00000000\") { budgetId } }")
    assert missing["budgetProgress"] is None


async def test_aware_times_count_on_their_own_wall_clock_date(gql, user_id):
    b = await create_budget(gql, user_id)
    # 23:30 on Oct 31 in New York is Nov 1 03:30 UTC: stored as that moment, but it
    # happened on October 31, so it counts in October, not in November.
    t = await record(gql, user_id, "Groceries", "5.00", "2025-10-31T23:30:00-04:00")
    assert t["occurredAt"] == "2025-11-01T03:30:00"
    assert (await progress(gql, b["id"], at=MID_NOVEMBER))["totalSpent"] == "0.00"
    # 20:30 on Nov 1 in Los Angeles is Nov 2 UTC: still counted on Nov 1, in November.
    await record(gql, user_id, "Groceries", "7.00", "2025-11-30T20:30:00-08:00")
    assert (await progress(gql, b["id"], at=MID_NOVEMBER))["totalSpent"] == "7.00"


async def test_rollover_unused_across_three_months(gql, user_id):
    b = await create_budget(gql, user_id, categories=[{"name": "Groceries", "amount": "600"}], rolloverEnabled=True)
    await record(gql, user_id, "Groceries", "450.00", "2025-11-10T00:00:00")  # 150 unused
    dec = by_name(await progress(gql, b["id"], period=1))["Groceries"]
    assert (dec["rolloverAmount"], dec["budgetedAmount"]) == ("150.00", "750.00")  # the spec's example
    await record(gql, user_id, "Groceries", "900.00", "2025-12-10T00:00:00")  # 150 over
    jan = by_name(await progress(gql, b["id"], period=2))["Groceries"]
    assert (jan["rolloverAmount"], jan["budgetedAmount"]) == ("0.00", "600.00")  # overspending forgiven
    await record(gql, user_id, "Groceries", "500.00", "2026-01-10T00:00:00")  # 100 unused
    feb = by_name(await progress(gql, b["id"], period=3))["Groceries"]
    assert (feb["rolloverAmount"], feb["budgetedAmount"]) == ("100.00", "700.00")


async def test_rollover_accumulates(gql, user_id):
    b = await create_budget(gql, user_id, categories=[{"name": "Fun", "amount": "100"}], rolloverMode="UNUSED")
    await record(gql, user_id, "Fun", "40", "2025-11-10T00:00:00")  # 60 left
    await record(gql, user_id, "Fun", "10", "2025-12-10T00:00:00")  # 160 - 10 = 150 left
    jan = by_name(await progress(gql, b["id"], period=2))["Fun"]
    assert (jan["rolloverAmount"], jan["budgetedAmount"]) == ("150.00", "250.00")


async def test_rollover_full_carries_overspending(gql, user_id):
    b = await create_budget(gql, user_id, categories=[{"name": "Groceries", "amount": "600"}], rolloverMode="FULL")
    assert b["rolloverEnabled"] is True and b["rolloverMode"] == "FULL"
    await record(gql, user_id, "Groceries", "450.00", "2025-11-10T00:00:00")  # +150
    await record(gql, user_id, "Groceries", "900.00", "2025-12-10T00:00:00")  # 750 - 900 = -150
    jan = by_name(await progress(gql, b["id"], period=2))["Groceries"]
    assert (jan["rolloverAmount"], jan["budgetedAmount"]) == ("-150.00", "450.00")
    await record(gql, user_id, "Groceries", "300.00", "2026-01-10T00:00:00")  # 450 - 300 = +150
    feb = by_name(await progress(gql, b["id"], period=3))["Groceries"]
    assert (feb["rolloverAmount"], feb["budgetedAmount"]) == ("150.00", "750.00")


async def test_no_rollover_resets_each_period(gql, user_id):
    b = await create_budget(gql, user_id, categories=[{"name": "Groceries", "amount": "600"}], rolloverEnabled=False)
    await record(gql, user_id, "Groceries", "100.00", "2025-11-10T00:00:00")
    dec = by_name(await progress(gql, b["id"], period=1))["Groceries"]
    assert (dec["rolloverAmount"], dec["budgetedAmount"]) == ("0.00", "600.00")


async def test_category_added_midway_starts_without_carry_and_removed_stops(gql, user_id, monkeypatch):
    b = await create_budget(
        gql,
        user_id,
        categories=[{"name": "Groceries", "amount": "600"}, {"name": "Fun", "amount": "100"}],
        rolloverEnabled=True,
        startDate="2025-01-01T00:00:00",
    )
    # The budget started long ago; today is in a later period. Add "Books" now.
    u = await gql(
        UPDATE,
        {
            "id": b["id"],
            "input": {"categories": [{"name": "Groceries", "amount": "600"}, {"name": "Books", "amount": "50"}]},
        },
    )
    assert u["updateBudget"]["errors"] == []
    p = await progress(gql, b["id"])  # the current period
    cats = by_name(p)
    assert "Fun" not in cats
    assert (cats["Books"]["rolloverAmount"], cats["Books"]["budgetedAmount"]) == ("0.00", "50.00")
    # Groceries kept its history: every untouched month since January carried 600 forward.
    assert cats["Groceries"]["rolloverAmount"] == f"{600 * p['periodIndex']}.00"


async def test_delete_transaction_takes_it_out(gql, user_id):
    b = await create_budget(gql, user_id)
    t = await record(gql, user_id, "Groceries", "99.99", "2025-11-10T00:00:00")
    assert (await progress(gql, b["id"], at=MID_NOVEMBER))["totalSpent"] == "99.99"
    deleted = await gql("mutation($id: ID!) { deleteTransaction(id: $id) { deletedId errors { code } } }", {"id": t["id"]})
    assert deleted["deleteTransaction"] == {"deletedId": t["id"], "errors": []}
    assert (await progress(gql, b["id"], at=MID_NOVEMBER))["totalSpent"] == "0.00"
    again = await gql("mutation($id: ID!) { deleteTransaction(id: $id) { deletedId errors { code } } }", {"id": t["id"]})
    assert again["deleteTransaction"] == {"deletedId": None, "errors": [{"code": "NOT_FOUND"}]}


INVALID_TRANSACTIONS = [
    ({"amount": "0"}, ["amount"], "zero"),
    ({"amount": "1.001"}, ["amount"], "decimal places"),
    ({"amount": "10000000000000"}, ["amount"], "maximum"),
    ({"category": "  "}, ["category"], "empty"),
    ({"currency": "ABC"}, ["currency"], "Unknown currency"),
    ({"externalId": "  "}, ["externalId"], "empty"),
    ({"description": "x" * 1001}, ["description"], "at most"),
    ({"userId": ""}, ["userId"], "userId"),
]


@pytest.mark.parametrize("override,field,fragment", INVALID_TRANSACTIONS)
async def test_invalid_transaction_is_rejected_and_not_counted(gql, user_id, override, field, fragment):
    b = await create_budget(gql, user_id)
    payload = (
        await gql(
            RECORD,
            {"input": {"userId": user_id, "category": "Groceries", "amount": "5", "occurredAt": "2025-11-02T00:00:00", **override}},
        )
    )["recordTransaction"]
    assert payload["transaction"] is None
    # Every mutation's error paths start at its argument: recordTransaction's is `input`.
    assert payload["errors"][0]["code"] == "VALIDATION" and payload["errors"][0]["field"] == ["input", *field]
    assert fragment.lower() in payload["errors"][0]["message"].lower()
    assert (await progress(gql, b["id"], at=MID_NOVEMBER))["totalSpent"] == "0.00"


async def test_batch_is_all_or_nothing(gql, user_id):
    b = await create_budget(gql, user_id)
    good = {"userId": user_id, "category": "Groceries", "amount": "10", "occurredAt": "2025-11-02T00:00:00"}
    payload = (await gql(RECORD_MANY, {"inputs": [good, {**good, "amount": "1.001"}, good]}))["recordTransactions"]
    assert payload["transactions"] == [] and payload["errors"][0]["field"] == ["inputs", "1", "amount"]
    assert (await progress(gql, b["id"], at=MID_NOVEMBER))["totalSpent"] == "0.00"
    payload = (await gql(RECORD_MANY, {"inputs": [good] * 3}))["recordTransactions"]
    assert payload["createdCount"] == 3 and payload["errors"] == []
    assert (await progress(gql, b["id"], at=MID_NOVEMBER))["totalSpent"] == "30.00"


async def test_batch_size_cap(gql, user_id):
    good = {"userId": user_id, "category": "Groceries", "amount": "1", "occurredAt": "2025-11-02T00:00:00"}
    payload = (await gql(RECORD_MANY, {"inputs": [good] * 1001}))["recordTransactions"]
    assert payload["errors"][0]["code"] == "VALIDATION" and "at most 1000" in payload["errors"][0]["message"]
    payload = (await gql(RECORD_MANY, {"inputs": [good] * 1000}))["recordTransactions"]
    assert payload["createdCount"] == 1000


async def test_external_id_makes_recording_idempotent(gql, user_id):
    b = await create_budget(gql, user_id)
    first = (
        await gql(RECORD, {"input": {"userId": user_id, "category": "Groceries", "amount": "25", "occurredAt": "2025-11-02T00:00:00", "externalId": "bank-1"}})
    )["recordTransaction"]
    again = (
        await gql(RECORD, {"input": {"userId": user_id, "category": "Groceries", "amount": "25", "occurredAt": "2025-11-02T00:00:00", "externalId": "bank-1"}})
    )["recordTransaction"]
    assert first["created"] is True and again["created"] is False
    assert again["transaction"] == first["transaction"]
    # Another user may use the same externalId.
    await record(gql, user_id + "_b", "Groceries", "1", "2025-11-02T00:00:00", externalId="bank-1")
    batch = (
        await gql(
            RECORD_MANY,
            {
                "inputs": [
                    {"userId": user_id, "category": "Groceries", "amount": "25", "occurredAt": "2025-11-02T00:00:00", "externalId": "bank-1"},
                    {"userId": user_id, "category": "Groceries", "amount": "5", "occurredAt": "2025-11-02T00:00:00", "externalId": "bank-2"},
                    {"userId": user_id, "category": "Groceries", "amount": "5", "occurredAt": "2025-11-02T00:00:00", "externalId": "bank-2"},
                ]
            },
        )
    )["recordTransactions"]
    assert (batch["createdCount"], batch["duplicateCount"]) == (1, 2)
    assert batch["transactions"][0]["id"] == first["transaction"]["id"]
    assert batch["transactions"][1]["id"] == batch["transactions"][2]["id"]
    assert (await progress(gql, b["id"], at=MID_NOVEMBER))["totalSpent"] == "30.00"


async def test_concurrent_reimports_count_once(gql, user_id):
    b = await create_budget(gql, user_id)
    inputs = [
        {"userId": user_id, "category": "Groceries", "amount": "7.00", "occurredAt": "2025-11-02T00:00:00", "externalId": f"imp-{i}"}
        for i in range(10)
    ]

    async def import_all():
        return (await gql(RECORD_MANY, {"inputs": inputs}))["recordTransactions"]

    async def import_one(i):
        return (await gql(RECORD, {"input": inputs[i]}))["recordTransaction"]

    results = await asyncio.gather(*[import_all() for _ in range(5)], *[import_one(i % 10) for i in range(20)])
    assert all(r["errors"] == [] for r in results)
    created = sum(r["createdCount"] for r in results[:5]) + sum(1 for r in results[5:] if r["created"])
    assert created == 10
    assert (await progress(gql, b["id"], at=MID_NOVEMBER))["totalSpent"] == "70.00"
    listed = await gql("query($u: String!) { transactions(userId: $u, first: 100) { totalCount } }", {"u": user_id})
    assert listed["transactions"]["totalCount"] == 10


TRANSACTIONS = """
query($u: String!, $c: String, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
  transactions(userId: $u, category: $c, from: $from, to: $to, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id category amount occurredAt }
  }
}
"""


async def test_transactions_list_pages_and_filters(gql, user_id):
    made = []
    for day in range(1, 8):
        made.append(await record(gql, user_id, "Groceries" if day % 2 else "Fun", f"{day}.00", f"2025-11-0{day}T12:00:00"))
    seen, after = [], None
    while True:
        page = (await gql(TRANSACTIONS, {"u": user_id, "first": 3, "after": after}))["transactions"]
        assert page["totalCount"] == 7
        seen += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [t["id"] for t in reversed(made)]
    groceries = (await gql(TRANSACTIONS, {"u": user_id, "c": " groceries"}))["transactions"]
    assert groceries["totalCount"] == 4
    window = (await gql(TRANSACTIONS, {"u": user_id, "from": "2025-11-03T00:00:00", "to": "2025-11-05T00:00:00"}))["transactions"]
    assert [n["amount"] for n in window["nodes"]] == ["4.00", "3.00"]
    body = await gql.raw(TRANSACTIONS, {"u": user_id, "first": 501})
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"


async def test_periods_history_newest_first(gql, user_id):
    b = await create_budget(gql, user_id, startDate="2025-01-01T00:00:00", rolloverEnabled=False)
    await record(gql, user_id, "Groceries", "11.00", "2025-01-15T00:00:00")
    body = await gql.raw("query($id: ID!) { budget(id: $id) { periods(last: 500) { periodIndex } } }", {"id": b["id"]})
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
    data = await gql(
        "query($id: ID!) { budget(id: $id) { periods(last: 120) { periodIndex currentPeriod totalSpent } } }",
        {"id": b["id"]},
    )
    history = data["budget"]["periods"]
    indexes = [h["periodIndex"] for h in history]
    assert indexes == sorted(indexes, reverse=True) and indexes[-1] == 0
    assert history[-1] == {"periodIndex": 0, "currentPeriod": "January 2025", "totalSpent": "11.00"}
    three = (await gql("query($id: ID!) { budget(id: $id) { periods(last: 3) { periodIndex } } }", {"id": b["id"]}))
    assert [h["periodIndex"] for h in three["budget"]["periods"]] == indexes[:3]

"""Spending as people manage it, through GraphQL on both databases: edits, splits,
income, uncategorized transactions, category rules, the bank category mapping."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from decimal import Decimal

import pytest

from tests.support.queries import by_name, create_budget, progress
from tests.support.queries import THRESHOLD_ALERTS

FIELDS = """id category amount currency occurredAt occurredOn kind version sourceCategory categorizedBy ruleId
            splits { category amount memo }"""
RECORD = f"""
mutation($i: RecordTransactionInput!) {{
  recordTransaction(input: $i) {{ transaction {{ {FIELDS} }} errors {{ field code message }} }}
}}
"""
UPDATE_TXN = f"""
mutation($id: ID!, $i: UpdateTransactionInput!, $v: Int) {{
  updateTransaction(id: $id, input: $i, expectedVersion: $v) {{ transaction {{ {FIELDS} }} errors {{ field code message }} }}
}}
"""
LIST = f"""
query($u: String, $kind: TransactionKind, $unc: Boolean, $cat: String) {{
  transactions(userId: $u, kind: $kind, uncategorized: $unc, category: $cat, first: 200) {{
    totalCount nodes {{ {FIELDS} }}
  }}
}}
"""
CREATE_RULE = """
mutation($i: CreateCategoryRuleInput!) {
  createCategoryRule(input: $i) {
    rule { id userId category priority createdAt match { descriptionContains descriptionEquals
      descriptionStartsWith sourceCategory amountMin amountMax } }
    errors { field code message }
  }
}
"""
UPDATE_RULE = """
mutation($id: ID!, $i: UpdateCategoryRuleInput!) {
  updateCategoryRule(id: $id, input: $i) { rule { id category priority } errors { field code message } }
}
"""
DELETE_RULE = "mutation($id: ID!) { deleteCategoryRule(id: $id) { deletedId errors { code } } }"
RULES = "query($u: String) { categoryRules(userId: $u) { id category priority } }"
APPLY = """
mutation($u: String, $only: Boolean!) {
  applyCategoryRules(userId: $u, onlyUncategorized: $only) { changedCount errors { field code message } }
}
"""
ALERTS = "query($id: ID!, $u: String) { alerts(userId: $u, budgetId: $id) { nodes { alertType category } } }"


async def record(gql, user_id: str, **fields) -> dict:
    payload = (await gql(RECORD, {"i": {"userId": user_id, **fields}}))["recordTransaction"]
    assert payload["errors"] == [], payload["errors"]
    return payload["transaction"]


async def edit(gql, transaction_id: str, version: int | None = None, **fields) -> dict:
    return (await gql(UPDATE_TXN, {"id": transaction_id, "i": fields, "v": version}))["updateTransaction"]


async def rule(gql, user_id: str, category: str, priority: int = 0, **match) -> dict:
    payload = (await gql(CREATE_RULE, {"i": {"userId": user_id, "category": category, "priority": priority,
                                             "match": match}}))["createCategoryRule"]
    assert payload["errors"] == [], payload["errors"]
    return payload["rule"]


def spent(p: dict) -> dict[str, str]:
    return {name: c["spentAmount"] for name, c in by_name(p).items()}


async def test_moving_a_transaction_moves_the_spending_and_raises_the_new_categorys_alert_once(gql, user_id):
    b = await create_budget(gql, user_id, startDate=None, rolloverEnabled=False)  # the current month
    t = await record(gql, user_id, category="Groceries", amount="170.00")  # 85% of Restaurants' 200
    assert spent(await progress(gql, b["id"])) == {"Groceries": "170.00", "Restaurants": "0.00"}
    moved = await edit(gql, t["id"], t["version"], category="Restaurants")
    assert moved["errors"] == [] and moved["transaction"]["version"] == 2
    assert spent(await progress(gql, b["id"])) == {"Groceries": "0.00", "Restaurants": "170.00"}
    await edit(gql, t["id"], description="dinner")  # an edit that moves nothing raises nothing new
    alerts = (await gql(ALERTS, {"id": b["id"], "u": user_id}))["alerts"]["nodes"]
    thresholds = [(a["alertType"], a["category"]) for a in alerts if a["alertType"] in THRESHOLD_ALERTS]
    assert thresholds == [("WARNING", "Restaurants")]
    # A stale expectedVersion is a CONFLICT and changes nothing.
    stale = await edit(gql, t["id"], 1, amount="1.00")
    assert stale["transaction"] is None and stale["errors"][0]["code"] == "CONFLICT"
    assert spent(await progress(gql, b["id"]))["Restaurants"] == "170.00"


async def test_an_edit_moves_spending_between_periods(gql, user_id):
    b = await create_budget(gql, user_id, rolloverEnabled=False)
    t = await record(gql, user_id, category="Groceries", amount="40.00", occurredAt="2025-11-20T10:00:00")
    await edit(gql, t["id"], occurredOn="2025-12-02", amount="45.50")
    assert (await progress(gql, b["id"], period=0))["totalSpent"] == "0.00"
    assert (await progress(gql, b["id"], period=1))["totalSpent"] == "45.50"


async def test_a_split_receipt_counts_in_two_categories_exactly(gql, user_id):
    b = await create_budget(gql, user_id, rolloverEnabled=False)
    splits = [{"category": "Groceries", "amount": "33.34", "memo": "food"},
              {"category": "restaurants", "amount": "66.66"}]
    t = await record(gql, user_id, amount="100.00", occurredAt="2025-11-05T10:00:00", splits=splits)
    assert t["category"] is None and t["categorizedBy"] == "MANUAL"
    assert t["splits"] == [{"category": "Groceries", "amount": "33.34", "memo": "food"},
                           {"category": "restaurants", "amount": "66.66", "memo": None}]
    assert spent(await progress(gql, b["id"], period=0)) == {"Groceries": "33.34", "Restaurants": "66.66"}
    listed = (await gql(LIST, {"u": user_id, "cat": "Restaurants"}))["transactions"]
    assert [n["id"] for n in listed["nodes"]] == [t["id"]]  # found by either of its categories
    # Refetched as a Relay node, one or many at a time, it keeps its splits.
    refetch = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Transaction { id splits { category amount memo } } } }"
    (node,) = (await gql(refetch, {"ids": [t["id"]]}))["nodes"]
    assert node == {"id": t["id"], "splits": t["splits"]}
    # Splits that do not add up are refused, and nothing is stored.
    bad = (await gql(RECORD, {"i": {"userId": user_id, "amount": "100.00", "occurredAt": "2025-11-05T10:00:00",
                                    "splits": [{"category": "Groceries", "amount": "50"},
                                               {"category": "Fun", "amount": "49.99"}]}}))["recordTransaction"]
    assert bad["transaction"] is None and bad["errors"][0]["field"] == ["input", "splits"]
    both = (await gql(RECORD, {"i": {"userId": user_id, "amount": "1", "category": "Groceries",
                                     "splits": [{"category": "Groceries", "amount": "1"}]}}))["recordTransaction"]
    assert both["errors"][0]["field"] == ["input", "splits"]
    assert (await gql(LIST, {"u": user_id}))["transactions"]["totalCount"] == 1
    # Unsplit by giving a category; the amount cannot drift from its splits.
    drift = await edit(gql, t["id"], amount="90.00")
    assert drift["errors"][0]["field"] == ["input", "splits"]
    whole = await edit(gql, t["id"], category="Groceries")
    assert whole["transaction"]["splits"] == [] and whole["transaction"]["category"] == "Groceries"
    assert spent(await progress(gql, b["id"], period=0)) == {"Groceries": "100.00", "Restaurants": "0.00"}


async def test_income_shows_nowhere_in_progress(gql, user_id):
    b = await create_budget(gql, user_id, rolloverEnabled=False)
    before = await progress(gql, b["id"], period=0)
    pay = await record(gql, user_id, category="Groceries", amount="3000.00", kind="INCOME",
                       occurredAt="2025-11-01T09:00:00")
    assert pay["kind"] == "INCOME"
    assert await progress(gql, b["id"], period=0) == before
    await record(gql, user_id, category="Groceries", amount="-5.00", occurredAt="2025-11-02T09:00:00")  # a refund
    assert (await progress(gql, b["id"], period=0))["totalSpent"] == "-5.00"
    incomes = (await gql(LIST, {"u": user_id, "kind": "INCOME"}))["transactions"]["nodes"]
    assert [n["id"] for n in incomes] == [pay["id"]]
    # Turning income into an expense counts it from then on.
    await edit(gql, pay["id"], kind="EXPENSE", amount="30.00")
    assert (await progress(gql, b["id"], period=0))["totalSpent"] == "25.00"


async def test_an_uncategorized_transaction_is_stored_and_counted_nowhere(gql, user_id):
    b = await create_budget(gql, user_id, rolloverEnabled=False)
    before = await progress(gql, b["id"], period=0)
    t = await record(gql, user_id, amount="12.00", description="???", occurredAt="2025-11-03T10:00:00")
    assert (t["category"], t["categorizedBy"]) == (None, None)
    assert await progress(gql, b["id"], period=0) == before
    assert [n["id"] for n in (await gql(LIST, {"u": user_id, "unc": True}))["transactions"]["nodes"]] == [t["id"]]
    assert (await gql(LIST, {"u": user_id, "unc": False}))["transactions"]["totalCount"] == 0
    done = await edit(gql, t["id"], category="Groceries")
    assert done["transaction"]["categorizedBy"] == "MANUAL"
    assert (await progress(gql, b["id"], period=0))["totalSpent"] == "12.00"


async def test_rules_categorize_what_arrives_without_a_category(gql, user_id):
    b = await create_budget(gql, user_id, rolloverEnabled=False)
    low = await rule(gql, user_id, "Restaurants", 0, descriptionContains="FOODS")
    high = await rule(gql, user_id, "Groceries", 10, descriptionContains="whole  foods", amountMin="1.00")
    tie = await rule(gql, user_id, "Fun", 10, descriptionStartsWith="Whole")  # same priority, newer: loses
    t = await record(gql, user_id, amount="50.00", description="  WHOLE FOODS #123 ", occurredAt="2025-11-03T10:00:00")
    assert (t["category"], t["categorizedBy"], t["ruleId"]) == ("Groceries", "RULE", high["id"])
    small = await record(gql, user_id, amount="0.50", description="Whole Foods", occurredAt="2025-11-03T10:00:00")
    assert (small["category"], small["ruleId"]) == ("Fun", tie["id"])  # amountMin excludes the first
    other = await record(gql, user_id, amount="9.00", description="Foods Inc", occurredAt="2025-11-03T10:00:00")
    assert other["ruleId"] == low["id"]
    # A category given by the caller is never overridden.
    given = await record(gql, user_id, amount="5.00", category="Restaurants", description="Whole Foods",
                         occurredAt="2025-11-03T10:00:00")
    assert (given["category"], given["categorizedBy"], given["ruleId"]) == ("Restaurants", "MANUAL", None)
    assert spent(await progress(gql, b["id"], period=0)) == {"Groceries": "50.00", "Restaurants": "14.00"}
    assert [r["id"] for r in (await gql(RULES, {"u": user_id}))["categoryRules"]] == [high["id"], tie["id"], low["id"]]
    changed = (await gql(UPDATE_RULE, {"id": low["id"], "i": {"priority": 99}}))["updateCategoryRule"]
    assert changed["rule"]["priority"] == 99
    assert (await gql(DELETE_RULE, {"id": tie["id"]}))["deleteCategoryRule"]["deletedId"] == tie["id"]
    assert [r["id"] for r in (await gql(RULES, {"u": user_id}))["categoryRules"]] == [low["id"], high["id"]]


async def test_the_bank_category_maps_when_no_rule_matches(gql, user_id):
    b = await create_budget(gql, user_id, rolloverEnabled=False)
    t = await record(gql, user_id, amount="20.00", sourceCategory="FOOD_AND_DRINK_GROCERIES",
                     occurredAt="2025-11-03T10:00:00")
    assert (t["category"], t["categorizedBy"], t["sourceCategory"]) == ("Groceries", "SOURCE_MAPPING",
                                                                        "FOOD_AND_DRINK_GROCERIES")
    r = await rule(gql, user_id, "Restaurants", sourceCategory="food_and_drink_groceries")
    ruled = await record(gql, user_id, amount="1.00", sourceCategory="FOOD_AND_DRINK_GROCERIES",
                         occurredAt="2025-11-03T10:00:00")
    assert (ruled["category"], ruled["ruleId"]) == ("Restaurants", r["id"])  # the user's rule wins
    assert spent(await progress(gql, b["id"], period=0)) == {"Groceries": "20.00", "Restaurants": "1.00"}


@pytest.mark.parametrize(
    "input,field",
    [
        ({"category": "Groceries", "match": {}}, ["input", "match"]),
        ({"category": "Groceries", "match": {"amountMin": "10", "amountMax": "5"}}, ["input", "match", "amountMin"]),
        ({"category": " ", "match": {"descriptionContains": "x"}}, ["input", "category"]),
        ({"category": "G", "match": {"descriptionContains": "x" * 201}}, ["input", "match", "descriptionContains"]),
        ({"category": "G", "priority": 10**7, "match": {"descriptionContains": "x"}}, ["input", "priority"]),
    ],
)
async def test_bad_rules_are_refused_and_store_nothing(gql, user_id, input, field):
    payload = (await gql(CREATE_RULE, {"i": {"userId": user_id, **input}}))["createCategoryRule"]
    assert payload["rule"] is None and payload["errors"][0]["field"] == field, payload
    assert (await gql(RULES, {"u": user_id}))["categoryRules"] == []


async def test_apply_category_rules_recategorizes_history_with_rollups_right(gql, user_id):
    rng = random.Random(7)
    b = await create_budget(gql, user_id, categories=[{"name": c, "amount": "1000"} for c in ("Groceries", "Fun")],
                            rolloverEnabled=False)
    words = ["whole foods", "cinema", "misc", "grocer"]
    stored = []
    for i in range(60):
        stored.append(await record(gql, user_id, amount=str(Decimal(rng.randint(1, 9000)) / 100),
                                   description=f"{rng.choice(words)} {i}", occurredAt=f"2025-11-{rng.randint(1, 28):02d}T10:00:00",
                                   **({"category": "Fun"} if i % 10 == 0 else {})))
    await rule(gql, user_id, "Groceries", descriptionContains="whole foods")
    await rule(gql, user_id, "Groceries", descriptionStartsWith="grocer")
    await rule(gql, user_id, "Fun", descriptionContains="cinema")
    result = (await gql(APPLY, {"u": user_id, "only": True}))["applyCategoryRules"]
    listed = (await gql(LIST, {"u": user_id}))["transactions"]["nodes"]
    expected = defaultdict(Decimal)
    for t in listed:
        if t["category"]:
            expected[t["category"]] += Decimal(t["amount"])
    manual = {t["id"] for t in stored if t["category"] == "Fun"}
    categorized = [t for t in listed if t["categorizedBy"] == "RULE"]
    assert result["changedCount"] == len(categorized) > 0
    assert all(t["categorizedBy"] == "MANUAL" for t in listed if t["id"] in manual)
    assert all(t["description"] if False else t["category"] is None for t in listed if t["categorizedBy"] is None)
    got = spent(await progress(gql, b["id"], period=0))
    assert {k: Decimal(v) for k, v in got.items()} == {c: expected[c] for c in ("Groceries", "Fun")}
    # Again: nothing left to change.
    assert (await gql(APPLY, {"u": user_id, "only": False}))["applyCategoryRules"]["changedCount"] == 0


async def test_concurrent_updates_of_one_transaction_lose_nothing_and_count_nothing_twice(gql, user_id):
    b = await create_budget(gql, user_id, rolloverEnabled=False)
    t = await record(gql, user_id, category="Groceries", amount="10.00", occurredAt="2025-11-03T10:00:00")
    amounts = [f"{n}.00" for n in range(11, 31)]
    results = await asyncio.gather(
        *(edit(gql, t["id"], None, amount=a, category=rng_category(i)) for i, a in enumerate(amounts))
    )
    assert all(r["errors"] == [] for r in results), [r["errors"] for r in results if r["errors"]]
    final = next(n for n in (await gql(LIST, {"u": user_id}))["transactions"]["nodes"])
    assert final["version"] == 1 + len(amounts)  # every update applied, one after the other
    p = spent(await progress(gql, b["id"], period=0))
    assert p == {c: (final["amount"] if c == final["category"] else "0.00") for c in ("Groceries", "Restaurants")}
    # With expectedVersion, racing writers of one version: exactly one wins.
    version = final["version"]
    raced = await asyncio.gather(*(edit(gql, t["id"], version, amount=f"{n}.00") for n in range(1, 6)))
    assert sorted(bool(r["errors"]) for r in raced) == [False] + [True] * 4
    assert {r["errors"][0]["code"] for r in raced if r["errors"]} == {"CONFLICT"}


def rng_category(i: int) -> str:
    return "Groceries" if i % 2 else "Restaurants"

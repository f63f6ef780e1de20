"""Budget history through GraphQL on both databases: amounts that change from a period
on (never backwards), period-only amounts, the change log, and alerts after a change."""

from __future__ import annotations

import pytest

from tests.graphql.test_sharing import SHARE, join
from tests.support.auth import Api, new_user
from tests.support.queries import CREATE, UPDATE, budget_input, by_name, create_budget, record
from tests.support.queries import THRESHOLD_ALERTS

LEAVE = "mutation($b: ID!) { leaveBudget(budgetId: $b) { errors { code } } }"

SET_PERIOD_AMOUNT = """
mutation($i: SetPeriodAmountInput!, $v: Int) {
  setPeriodAmount(input: $i, expectedVersion: $v) {
    budget { id version categories { name amount } }
    errors { field code message }
  }
}
"""

PERIODS = """
query($id: ID!, $last: Int!) {
  budget(id: $id) {
    periods(last: $last) {
      periodIndex
      categories { categoryName limitAmount rolloverAmount budgetedAmount spentAmount }
    }
  }
}
"""

CATEGORIES_AT = "query($id: ID!, $k: Int!) { budget(id: $id) { categoriesAt(period: $k) { name amount } } }"

HISTORY = """
query($id: ID!, $first: Int, $after: String) {
  budget(id: $id) {
    history(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { version changedAt changedBy effectivePeriod changes { field before after } }
    }
  }
}
"""

ALERTS = "query($id: ID!, $u: String) { alerts(userId: $u, budgetId: $id) { nodes { alertType category } } }"


async def update(gql, budget_id: str, **input) -> dict:
    payload = (await gql(UPDATE, {"id": budget_id, "input": input}))["updateBudget"]
    assert payload["errors"] == [], payload["errors"]
    return payload["budget"]


async def set_period_amount(gql, budget_id: str, period: int, category: str, amount) -> dict:
    i = {"budgetId": budget_id, "period": period, "category": category, "amount": amount}
    return (await gql(SET_PERIOD_AMOUNT, {"i": i}))["setPeriodAmount"]


async def by_period(gql, budget_id: str, last: int) -> dict[int, dict]:
    """{period index: {category: figures}} for the current period and ``last - 1`` before it."""
    data = await gql(PERIODS, {"id": budget_id, "last": last})
    return {p["periodIndex"]: by_name(p) for p in data["budget"]["periods"]}


def groceries(budget_id: str, periods: dict[int, dict], k: int) -> tuple[str, str, str]:
    g = periods[k]["Groceries"]
    return g["limitAmount"], g["rolloverAmount"], g["budgetedAmount"]


async def rollover_budget(gql, user_id: str, **extra) -> dict:
    b = await create_budget(
        gql, user_id, categories=[{"name": "Groceries", "amount": "600.00"}], rolloverEnabled=True, **extra
    )
    # November 450 (150 left), December 500 (100 left), January 650.
    for amount, at in (("450.00", "2025-11-10T12:00:00"), ("500.00", "2025-12-10T12:00:00"),
                       ("650.00", "2026-01-10T12:00:00")):
        await record(gql, user_id, "Groceries", amount, at)
    return b


async def test_a_raise_from_period_2_leaves_periods_0_and_1_and_their_rollover_as_they_were(gql, user_id):
    b = await rollover_budget(gql, user_id)
    before = await by_period(gql, b["id"], 24)
    changed = await update(gql, b["id"], categories=[{"name": "Groceries", "amount": "700.00"}], effectivePeriod=2)
    after = await by_period(gql, b["id"], 24)
    for k in (0, 1):
        assert after[k] == before[k]
    assert groceries(b["id"], after, 0) == ("600.00", "0.00", "600.00")
    assert groceries(b["id"], after, 1) == ("600.00", "150.00", "750.00")
    # January: its own 700 plus December's carry (750 − 500), unchanged by the raise.
    assert groceries(b["id"], after, 2) == ("700.00", "250.00", "950.00")
    # February carries January's 950 − 650, and has its own 700.
    assert groceries(b["id"], after, 3) == ("700.00", "300.00", "1000.00")
    assert changed["categories"] == [{"name": "Groceries", "amount": "700.00"}]  # in force now
    for k, amount in ((0, "600.00"), (1, "600.00"), (2, "700.00"), (9, "700.00")):
        data = await gql(CATEGORIES_AT, {"id": b["id"], "k": k})
        assert data["budget"]["categoriesAt"] == [{"name": "Groceries", "amount": amount}]


async def test_an_update_without_effective_period_applies_from_the_current_period(gql, user_id):
    b = await rollover_budget(gql, user_id)
    periods = await by_period(gql, b["id"], 1)
    (current,) = periods
    await update(gql, b["id"], categories=[{"name": "Groceries", "amount": "700.00"}])
    after = await by_period(gql, b["id"], 24)
    assert {k for k in after if after[k]["Groceries"]["limitAmount"] == "700.00"} == {current}
    assert after[current - 1]["Groceries"]["limitAmount"] == "600.00"


async def test_a_correction_of_an_earlier_period_recomputes_from_there_only(gql, user_id):
    b = await rollover_budget(gql, user_id)
    await update(gql, b["id"], categories=[{"name": "Groceries", "amount": "700.00"}], effectivePeriod=2)
    await update(gql, b["id"], categories=[{"name": "Groceries", "amount": "650.00"}], effectivePeriod=1)
    after = await by_period(gql, b["id"], 24)
    assert groceries(b["id"], after, 0) == ("600.00", "0.00", "600.00")
    assert groceries(b["id"], after, 1) == ("650.00", "150.00", "800.00")
    # From period 1 on: the later plan (700 from period 2) is replaced by the correction.
    assert groceries(b["id"], after, 2) == ("650.00", "300.00", "950.00")


async def test_a_period_only_amount_changes_one_period_and_the_carry_after_it(gql, user_id):
    b = await rollover_budget(gql, user_id)
    before = await by_period(gql, b["id"], 24)
    payload = await set_period_amount(gql, b["id"], 1, "groceries", "800.00")  # names match case-insensitively
    assert payload["errors"] == [] and payload["budget"]["version"] == 2
    after = await by_period(gql, b["id"], 24)
    assert after[0] == before[0]
    assert groceries(b["id"], after, 1) == ("800.00", "150.00", "950.00")
    assert groceries(b["id"], after, 2) == ("600.00", "450.00", "1050.00")  # 950 − 500 carried
    assert after[3]["Groceries"]["limitAmount"] == "600.00"
    # null removes it: every figure is back.
    removed = await set_period_amount(gql, b["id"], 1, "Groceries", None)
    assert removed["errors"] == []
    assert await by_period(gql, b["id"], 24) == before


@pytest.mark.parametrize(
    "change,field,code",
    [
        ({"category": "Travel"}, "category", "VALIDATION"),
        ({"amount": "-1.00"}, "amount", "VALIDATION"),
        ({"amount": "1.001"}, "amount", "VALIDATION"),
        ({"period": -1}, "period", "VALIDATION"),
        ({"period": 2_000_000}, "period", "VALIDATION"),
        ({"budgetId": "bud_nope00000000"}, "budgetId", "NOT_FOUND"),
    ],
)
async def test_bad_period_amounts_are_refused_and_store_nothing(gql, user_id, change, field, code):
    b = await create_budget(gql, user_id)
    i = {"budgetId": b["id"], "period": 1, "category": "Groceries", "amount": "10.00", **change}
    payload = (await gql(SET_PERIOD_AMOUNT, {"i": i}))["setPeriodAmount"]
    assert payload["budget"] is None
    assert (payload["errors"][0]["code"], payload["errors"][0]["field"]) == (code, ["input", field])
    history = (await gql(HISTORY, {"id": b["id"]}))["budget"]["history"]
    assert history["totalCount"] == 1  # only the creation


async def test_bad_effective_periods_are_refused(gql, user_id):
    b = await create_budget(gql, user_id)
    for input, message in (
        ({"categories": [{"name": "Groceries", "amount": "1.00"}], "effectivePeriod": -1}, "0 or later"),
        ({"effectivePeriod": 1}, "give categories too"),
        ({"period": "WEEKLY", "categories": [{"name": "G", "amount": "1"}], "effectivePeriod": 1}, "new schedule"),
    ):
        payload = (await gql(UPDATE, {"id": b["id"], "input": input}))["updateBudget"]
        assert payload["budget"] is None and message in payload["errors"][0]["message"], payload
        assert payload["errors"][0]["field"] == ["input", "effectivePeriod"]
    assert (await gql(HISTORY, {"id": b["id"]}))["budget"]["history"]["totalCount"] == 1


def test_only_the_owner_and_editors_set_period_amounts(jwt_server):
    owner, viewer, editor = (Api(jwt_server, new_user(p)) for p in ("owner", "viewer", "editor"))
    budget = owner(CREATE, {"input": budget_input(owner.user)})["createBudget"]["budget"]
    join(owner, budget, viewer, "VIEWER")
    join(owner, budget, editor, "EDITOR")
    i = {"budgetId": budget["id"], "period": 0, "category": "Groceries", "amount": "1.00"}
    assert viewer(SET_PERIOD_AMOUNT, {"i": i})["setPeriodAmount"]["errors"][0]["code"] == "FORBIDDEN"
    done = editor(SET_PERIOD_AMOUNT, {"i": i})["setPeriodAmount"]
    assert done["errors"] == [] and done["budget"]["version"] == 2
    last = owner(HISTORY, {"id": budget["id"], "first": 1})["budget"]["history"]["nodes"][0]
    assert last["changedBy"] == editor.user
    assert [(c["field"], c["before"], c["after"]) for c in last["changes"]] == [
        ("periods.0.categories.Groceries.amount", None, "1.00")
    ]


async def test_the_history_lists_every_change_with_before_and_after(gql, user_id):
    b = await create_budget(gql, user_id, categories=[{"name": "Groceries", "amount": "600.00"}])
    await update(gql, b["id"], categories=[{"name": "Groceries", "amount": "700.00"}, {"name": "Fun", "amount": "50"}],
                 effectivePeriod=2)
    await update(gql, b["id"], name="Home", thresholds={"warning": "0.75"}, timeZone="America/New_York")
    assert (await set_period_amount(gql, b["id"], 3, "Fun", "80.00"))["errors"] == []
    data = await gql(HISTORY, {"id": b["id"], "first": 2})
    page = data["budget"]["history"]
    assert page["totalCount"] == 4 and page["pageInfo"]["hasNextPage"] is True
    rest = await gql(HISTORY, {"id": b["id"], "first": 10, "after": page["pageInfo"]["endCursor"]})
    revisions = page["nodes"] + rest["budget"]["history"]["nodes"]
    assert [r["version"] for r in revisions] == [4, 3, 2, 1]  # newest first
    assert [r["effectivePeriod"] for r in revisions] == [3, None, 2, 0]
    changes = [{(c["field"], c["before"], c["after"]) for c in r["changes"]} for r in revisions]
    assert changes[0] == {("periods.3.categories.Fun.amount", None, "80.00")}
    assert changes[1] == {
        ("name", "November 2025", "Home"),
        ("thresholds.warning", "0.80", "0.75"),
        ("timeZone", "UTC", "America/New_York"),
    }
    assert changes[2] == {
        ("categories.Groceries.amount", "600.00", "700.00"),
        ("categories.Fun.amount", None, "50.00"),
    }
    created = changes[3]
    assert ("categories.Groceries.amount", None, "600.00") in created
    assert ("period", None, "MONTHLY") in created and ("startDate", None, "2025-11-01") in created
    assert all(r["changedAt"].endswith("Z") for r in revisions)


async def test_a_schedule_change_is_recorded_and_starts_the_new_schedule_from_the_amounts_in_force(gql, user_id):
    b = await rollover_budget(gql, user_id)
    await update(gql, b["id"], categories=[{"name": "Groceries", "amount": "700.00"}], effectivePeriod=2)
    assert (await set_period_amount(gql, b["id"], 1, "Groceries", "900.00"))["errors"] == []
    moved = await update(gql, b["id"], period="QUARTERLY", startDate="2025-10-01T00:00:00")
    assert moved["categories"] == [{"name": "Groceries", "amount": "700.00"}]
    quarters = await by_period(gql, b["id"], 24)
    # Every quarter of the new schedule has the amount in force when it changed; the
    # period-only amount of the old schedule is gone and rollover starts at quarter 0.
    assert {q["Groceries"]["limitAmount"] for q in quarters.values()} == {"700.00"}
    assert groceries(b["id"], quarters, 0) == ("700.00", "0.00", "700.00")
    assert quarters[0]["Groceries"]["spentAmount"] == "950.00"  # Nov + Dec
    assert groceries(b["id"], quarters, 1) == ("700.00", "0.00", "700.00")  # 950 > 700: nothing left (UNUSED)
    latest = (await gql(HISTORY, {"id": b["id"], "first": 1}))["budget"]["history"]["nodes"][0]
    fields = {c["field"]: (c["before"], c["after"]) for c in latest["changes"]}
    assert fields["period"] == ("MONTHLY", "QUARTERLY") and fields["startDate"] == ("2025-11-01", "2025-10-01")
    assert fields["periods.1.categories.Groceries.amount"] == ("900.00", None)


def test_sharing_changes_are_in_the_history(jwt_server):
    owner, member = Api(jwt_server, new_user("owner")), Api(jwt_server, new_user("member"))
    budget = owner(CREATE, {"input": budget_input(owner.user)})["createBudget"]["budget"]
    join(owner, budget, member, "VIEWER")
    owner(SHARE, {"b": budget["id"], "u": member.user, "role": "EDITOR"})
    member(LEAVE, {"b": budget["id"]})
    nodes = owner(HISTORY, {"id": budget["id"]})["budget"]["history"]["nodes"]
    assert [([(c["field"], c["before"], c["after"]) for c in n["changes"]], n["changedBy"]) for n in nodes[:3]] == [
        ([(f"members.{member.user}.role", "EDITOR", None)], member.user),
        ([(f"members.{member.user}.role", "VIEWER", "EDITOR")], owner.user),
        ([(f"members.{member.user}.role", None, "VIEWER")], member.user),
    ]
    assert {n["version"] for n in nodes} == {1}  # sharing is recorded, but is not an edit


async def test_after_a_raise_alerts_follow_the_new_amount_and_old_ones_stay(gql, user_id):
    # The current period (now): a WARNING at 480 of 600, then a raise to 700.
    b = await create_budget(gql, user_id, categories=[{"name": "Groceries", "amount": "600.00"}],
                            rolloverEnabled=False, startDate=None)
    await gql(RECORD_NOW, {"i": {"userId": user_id, "category": "Groceries", "amount": "480.00"}})
    assert await alert_types(gql, b["id"], user_id) == ["WARNING"]
    await update(gql, b["id"], categories=[{"name": "Groceries", "amount": "700.00"}])
    await gql(RECORD_NOW, {"i": {"userId": user_id, "category": "Groceries", "amount": "200.00"}})  # 680
    assert await alert_types(gql, b["id"], user_id) == ["WARNING"]  # 600 passed: nothing, the limit is 700 now
    await gql(RECORD_NOW, {"i": {"userId": user_id, "category": "Groceries", "amount": "20.00"}})  # 700
    assert await alert_types(gql, b["id"], user_id) == ["WARNING", "LIMIT_REACHED"]


RECORD_NOW = "mutation($i: RecordTransactionInput!) { recordTransaction(input: $i) { errors { code } } }"


async def alert_types(gql, budget_id: str, user_id: str) -> list[str]:
    data = await gql(ALERTS, {"id": budget_id, "u": user_id})
    return sorted({a["alertType"] for a in data["alerts"]["nodes"]
                   if a["category"] == "Groceries" and a["alertType"] in THRESHOLD_ALERTS},
                  key=THRESHOLD_ALERTS.index)

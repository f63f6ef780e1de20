"""Goals through GraphQL on both databases: figures, alerts, sharing, bad input."""

from __future__ import annotations

import asyncio
import calendar
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain.access import TRUSTED
from domain.goals.service import GoalService
from persistence.unit_of_work import SqlUnitOfWorkFactory
from tests.graphql.test_sharing import join
from tests.support.auth import Api, new_user
from tests.support.queries import CREATE, budget_input, create_budget

GOAL_FIELDS = """id name targetAmount targetDate currency budgetId category startingAmount version
  saved remaining percentComplete perPeriodNeeded periodsLeft thisPeriod onTrack projectedCompletion status"""
CREATE_GOAL = f"""
mutation($i: CreateGoalInput!) {{ createGoal(input: $i) {{ goal {{ {GOAL_FIELDS} }} errors {{ field code message }} }} }}
"""
UPDATE_GOAL = f"""
mutation($id: ID!, $i: UpdateGoalInput!) {{
  updateGoal(id: $id, input: $i) {{ goal {{ {GOAL_FIELDS} }} errors {{ field code message }} }}
}}
"""
GOAL = f"query($id: ID!) {{ goal(id: $id) {{ {GOAL_FIELDS} }} }}"
GOALS = f"query($u: String) {{ goals(userId: $u) {{ {GOAL_FIELDS} }} }}"
BUDGET_GOALS = "query($id: ID!) { budget(id: $id) { goals { id saved } } }"
RECORD = "mutation($i: RecordTransactionInput!) { recordTransaction(input: $i) { errors { message } } }"
ALERTS = """query($u: String, $id: ID) { alerts(userId: $u, budgetId: $id) {
  nodes { alertType goalId spentAmount budgetedAmount periodStart category } } }"""


def months_from_now(n: int, day: int = 15) -> date:
    today = datetime.now(timezone.utc).date()
    y, m = divmod(today.month - 1 + n, 12)
    return date(today.year + y, m + 1, min(day, calendar.monthrange(today.year + y, m + 1)[1]))


def month_start(n: int) -> str:
    d = months_from_now(n, 1)
    return f"{d.isoformat()}T00:00:00"


async def vacation_budget(gql, user_id: str, **extra) -> dict:
    return await create_budget(gql, user_id, categories=[{"name": "Vacation", "amount": "1000.00"},
                                                         {"name": "Groceries", "amount": "500.00"}],
                               rolloverEnabled=False, **{"startDate": None, **extra})


async def create_goal(gql, user_id: str, budget_id: str, **fields) -> dict:
    i = {"userId": user_id, "name": "Vacation", "targetAmount": "10000.00", "targetDate": months_from_now(9).isoformat(),
         "budgetId": budget_id, "category": "Vacation", **fields}
    payload = (await gql(CREATE_GOAL, {"i": i}))["createGoal"]
    assert payload["errors"] == [], payload["errors"]
    return payload["goal"]


async def put_in(gql, user_id: str, amount: str, category: str = "Vacation", **extra) -> None:
    data = await gql(RECORD, {"i": {"userId": user_id, "category": category, "amount": amount, **extra}})
    assert data["recordTransaction"]["errors"] == []


async def test_a_10000_goal_ten_periods_away_with_1000_saved_needs_900_a_period(gql, user_id):
    b = await vacation_budget(gql, user_id)
    goal = await create_goal(gql, user_id, b["id"], startingAmount="1000.00")
    if datetime.now(timezone.utc).date().day == 1 and datetime.now(timezone.utc).hour == 0:
        pytest.skip("the month turned over while the test ran")
    assert (goal["periodsLeft"], goal["perPeriodNeeded"], goal["saved"], goal["remaining"]) == (
        10, "900.00", "1000.00", "9000.00"
    )
    assert (goal["percentComplete"], goal["onTrack"], goal["status"], goal["projectedCompletion"]) == (
        "10.00", False, "ACTIVE", None
    )
    await put_in(gql, user_id, "500.00")
    await put_in(gql, user_id, "20.00", category="Groceries")  # another category funds nothing
    now = (await gql(GOAL, {"id": goal["id"]}))["goal"]
    assert (now["saved"], now["thisPeriod"], now["perPeriodNeeded"], now["onTrack"]) == ("1500.00", "500.00", "900.00",
                                                                                        False)
    await put_in(gql, user_id, "400.00")
    now = (await gql(GOAL, {"id": goal["id"]}))["goal"]
    assert (now["saved"], now["onTrack"]) == ("1900.00", True)
    # At the pace of this period (900), 8,100 more takes 9 more periods: the 10th period's end.
    last = months_from_now(9, 31)
    assert now["projectedCompletion"] == last.isoformat()


async def test_per_period_needed_rounds_up_to_the_minor_unit(gql, user_id):
    b = await vacation_budget(gql, user_id)
    goal = await create_goal(gql, user_id, b["id"], targetAmount="100.00", targetDate=months_from_now(2).isoformat())
    assert (goal["periodsLeft"], goal["perPeriodNeeded"]) == (3, "33.34")  # 33.33 × 3 would fall short
    assert Decimal(goal["perPeriodNeeded"]) * 3 >= Decimal("100.00")


async def test_goal_reached_fires_exactly_once_under_racing_contributions(gql, user_id):
    b = await vacation_budget(gql, user_id)
    goal = await create_goal(gql, user_id, b["id"], targetAmount="100.00")
    await asyncio.gather(*(put_in(gql, user_id, "10.00") for _ in range(20)))
    alerts = (await gql(ALERTS, {"u": user_id, "id": b["id"]}))["alerts"]["nodes"]
    reached = [a for a in alerts if a["alertType"] == "GOAL_REACHED"]
    assert len(reached) == 1 and reached[0]["goalId"] == goal["id"]
    assert reached[0]["budgetedAmount"] == "100.00" and Decimal(reached[0]["spentAmount"]) >= Decimal("100.00")
    again = (await gql(GOAL, {"id": goal["id"]}))["goal"]
    assert (again["status"], again["saved"], again["remaining"], again["onTrack"]) == ("REACHED", "200.00", "0.00",
                                                                                      True)


async def test_a_period_that_ended_below_what_was_needed_raises_off_track_once(app, gql, user_id):
    b = await vacation_budget(gql, user_id, startDate=month_start(-1))  # last month is period 0
    # The goal was made last month (the Python API, with that month's clock).
    then = datetime.combine(months_from_now(-1, 2), datetime.min.time(), tzinfo=timezone.utc)
    goals = GoalService(SqlUnitOfWorkFactory(app.state.engine), clock=lambda: then)
    made = await goals.create(TRUSTED, user_id=user_id, name="Trip", target_amount="1000.00",
                              target_date=months_from_now(3), budget_id=b["id"], category="Vacation")
    goal = {"id": made.id}
    assert not [a for a in (await gql(ALERTS, {"u": user_id, "id": b["id"]}))["alerts"]["nodes"]
                if a["alertType"] == "GOAL_OFF_TRACK"]  # its first period was still running
    # Last month put in 100 of the 200 it needed (1,000 over its 5 periods).
    await put_in(gql, user_id, "100.00", occurredOn=months_from_now(-1, 10).isoformat())
    await put_in(gql, user_id, "1.00")  # a write in this period evaluates the one that ended
    await put_in(gql, user_id, "1.00")
    off = [a for a in (await gql(ALERTS, {"u": user_id, "id": b["id"]}))["alerts"]["nodes"]
           if a["alertType"] == "GOAL_OFF_TRACK"]
    assert [(a["goalId"], a["spentAmount"], a["budgetedAmount"], a["periodStart"]) for a in off] == [
        (goal["id"], "100.00", "200.00", month_start(-1))
    ]


async def test_goals_are_listed_and_changed_and_bad_ones_store_nothing(gql, user_id):
    b = await vacation_budget(gql, user_id)
    goal = await create_goal(gql, user_id, b["id"])
    changed = (await gql(UPDATE_GOAL, {"id": goal["id"], "i": {"targetAmount": "5000", "name": "Trip"}}))["updateGoal"]
    assert changed["errors"] == [] and (changed["goal"]["name"], changed["goal"]["targetAmount"],
                                        changed["goal"]["version"]) == ("Trip", "5000.00", 2)
    assert [g["id"] for g in (await gql(GOALS, {"u": user_id}))["goals"]] == [goal["id"]]
    assert [g["id"] for g in (await gql(BUDGET_GOALS, {"id": b["id"]}))["budget"]["goals"]] == [goal["id"]]
    for fields, field in (
        ({"category": "Travel"}, ["input", "category"]),
        ({"targetAmount": "0"}, ["input", "targetAmount"]),
        ({"targetAmount": "1.001"}, ["input", "targetAmount"]),
        ({"currency": "EUR"}, ["input", "currency"]),
        ({"name": " "}, ["input", "name"]),
        ({"targetDate": "3000-01-01"}, ["input", "targetDate"]),
        ({"budgetId": "bud_nope00000000"}, ["input", "budgetId"]),
    ):
        i = {"userId": user_id, "name": "X", "targetAmount": "10", "targetDate": "2030-01-01", "budgetId": b["id"],
             "category": "Vacation", **fields}
        payload = (await gql(CREATE_GOAL, {"i": i}))["createGoal"]
        assert payload["goal"] is None and payload["errors"][0]["field"] == field, (fields, payload)
    assert len((await gql(GOALS, {"u": user_id}))["goals"]) == 1


def test_members_see_the_goals_of_a_shared_budget_and_strangers_do_not(jwt_server):
    owner, member, stranger = (Api(jwt_server, new_user(p)) for p in ("owner", "member", "stranger"))
    budget = owner(CREATE, {"input": budget_input(owner.user, categories=[{"name": "Vacation", "amount": "100"}])})
    budget = budget["createBudget"]["budget"]
    made = owner(CREATE_GOAL, {"i": {"name": "Trip", "targetAmount": "1000", "targetDate": "2030-06-01",
                                     "budgetId": budget["id"], "category": "Vacation"}})["createGoal"]
    assert made["errors"] == []
    goal_id = made["goal"]["id"]
    assert stranger(GOAL, {"id": goal_id})["goal"] is None
    join(owner, budget, member, "VIEWER")
    assert member(GOAL, {"id": goal_id})["goal"]["id"] == goal_id
    assert [g["id"] for g in member(BUDGET_GOALS, {"id": budget["id"]})["budget"]["goals"]] == [goal_id]
    # A viewer may not link goals to it, nor change this one.
    refused = member(CREATE_GOAL, {"i": {"name": "Mine", "targetAmount": "1", "targetDate": "2030-06-01",
                                         "budgetId": budget["id"], "category": "Vacation"}})["createGoal"]
    assert refused["errors"][0]["code"] == "FORBIDDEN"
    assert member(UPDATE_GOAL, {"id": goal_id, "i": {"name": "x"}})["updateGoal"]["errors"][0]["code"] == "NOT_FOUND"


async def test_goals_and_category_rules_are_relay_nodes(gql, user_id):
    b = await vacation_budget(gql, user_id)
    goal = await create_goal(gql, user_id, b["id"])
    made = await gql(
        "mutation($i: CreateCategoryRuleInput!) { createCategoryRule(input: $i) { rule { id } } }",
        {"i": {"userId": user_id, "category": "Vacation", "match": {"descriptionContains": "flight"}}},
    )
    rule_id = made["createCategoryRule"]["rule"]["id"]
    data = await gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Goal { name saved } ... on CategoryRule { category } } }",
        {"ids": [goal["id"], rule_id, "gol_nope0000000000"]},
    )
    assert data["nodes"] == [{"id": goal["id"], "name": "Vacation", "saved": "0.00"},
                             {"id": rule_id, "category": "Vacation"}, None]

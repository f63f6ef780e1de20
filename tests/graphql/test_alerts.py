"""Alerts: raised once per threshold crossing, stored with the write, streamed live."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import httpx
import pytest
import websockets

from domain.alerts.rules import BudgetAlerts

from tests.support.server import running_server
from tests.support.queries import CREATE, RECORD, RECORD_MANY, UPDATE, budget_input, record
from tests.support.ws import PROTOCOL, Subscriber
from tests.support.queries import THRESHOLD_ALERTS

ALERT_FIELDS = """
  id event alertId budgetId userId category alertType severity message percentUsed
  spentAmount budgetedAmount remainingAmount periodStart timestamp acknowledgedAt
"""
SUBSCRIBE = f"""
subscription($u: String!, $b: ID, $since: ID) {{ budgetAlerts(userId: $u, budgetId: $b, since: $since) {{ {ALERT_FIELDS} }} }}
"""
ALERTS = f"""
query($u: String!, $b: ID, $un: Boolean, $first: Int, $after: String) {{
  alerts(userId: $u, budgetId: $b, unacknowledgedOnly: $un, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {ALERT_FIELDS} }}
  }}
}}
"""


def today() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT00:00:00")


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")


def current_budget(user_id: str, amount: str = "100.00", **extra) -> dict:
    """A monthly budget whose period 0 started today: spending now is in it."""
    return budget_input(user_id, categories=[{"name": "Groceries", "amount": amount}], startDate=today(), rolloverEnabled=False, **extra)


def http_gql(base: str, query: str, variables: dict) -> dict:
    body = httpx.post(base + "/graphql", json={"query": query, "variables": variables}, timeout=30).json()
    assert not body.get("errors"), body
    return body["data"]


def spend(base: str, user_id: str, amount: str, **extra) -> dict:
    data = http_gql(base, RECORD, {"input": {"userId": user_id, "category": "Groceries", "amount": amount, "occurredAt": now_iso(), **extra}})
    assert data["recordTransaction"]["errors"] == []
    return data["recordTransaction"]["transaction"]


async def test_crossing_80_100_110_streams_three_alerts_in_order(db_url, user_id):
    with running_server(db_url) as base:
        budget = http_gql(base, CREATE, {"input": current_budget(user_id)})["createBudget"]["budget"]
        async with Subscriber(base, SUBSCRIBE, {"u": user_id}) as sub:
            spend(base, user_id, "79.99")
            assert await sub.nothing_within(0.5)
            spend(base, user_id, "0.01")  # 80.00%
            first = (await sub.next())["budgetAlerts"]
            spend(base, user_id, "20.00")  # 100%
            spend(base, user_id, "10.00")  # 110%
            seen = [first] + [(await sub.next())["budgetAlerts"] for _ in range(5)]
            spend(base, user_id, "50.00")  # 160%: past every threshold already alerted
            assert await sub.nothing_within(1.0)
    groceries = [a for a in seen if a["category"] == "Groceries"]
    totals = [a for a in seen if a["category"] is None]
    assert [a["alertType"] for a in groceries] == ["WARNING", "LIMIT_REACHED", "OVERSPENDING"]
    assert [a["alertType"] for a in totals] == ["WARNING", "LIMIT_REACHED", "OVERSPENDING"]
    w = groceries[0]
    assert w["event"] == "budget.alert" and w["alertId"] == w["id"]
    assert (w["budgetId"], w["userId"], w["severity"]) == (budget["id"], user_id, "warning")
    assert w["message"] == "WARNING: Groceries budget at 80.0%"
    assert (w["percentUsed"], w["spentAmount"], w["budgetedAmount"], w["remainingAmount"]) == (80.0, "80.00", "100.00", "20.00")
    assert w["periodStart"] == today() and w["timestamp"].endswith("Z")
    assert totals[0]["message"] == f"WARNING: {budget['name']} budget at 80.0%"
    assert [a["severity"] for a in groceries] == ["warning", "high", "critical"]


async def test_alert_reaches_a_subscriber_on_another_process(postgres_url, user_id):
    with running_server(postgres_url) as writer, running_server(postgres_url) as reader:
        http_gql(writer, CREATE, {"input": current_budget(user_id)})
        async with Subscriber(reader, SUBSCRIBE, {"u": user_id}) as sub:
            spend(writer, user_id, "85.00")
            alerts = [(await sub.next())["budgetAlerts"] for _ in range(2)]
    assert {(a["category"], a["alertType"]) for a in alerts} == {("Groceries", "WARNING"), (None, "WARNING")}


async def test_fifty_concurrent_writers_raise_each_alert_once(gql, user_id):
    await gql(CREATE, {"input": current_budget(user_id)})

    async def write(i):
        data = await gql(RECORD, {"input": {"userId": user_id, "category": "Groceries", "amount": "2.00", "occurredAt": now_iso()}})
        assert data["recordTransaction"]["errors"] == []

    await asyncio.gather(*[write(i) for i in range(50)])  # 100.00 of 100.00
    alerts = (await gql(ALERTS, {"u": user_id, "first": 100}))["alerts"]["nodes"]
    kinds = sorted((a["category"] or "", a["alertType"]) for a in alerts)
    assert kinds == sorted([("Groceries", "WARNING"), ("Groceries", "LIMIT_REACHED"), ("", "WARNING"), ("", "LIMIT_REACHED")])


async def test_dropping_below_and_crossing_again_does_not_repeat(gql, user_id):
    await gql(CREATE, {"input": current_budget(user_id)})
    t = await record(gql, user_id, "Groceries", "90.00", now_iso())
    await gql("mutation($id: ID!) { deleteTransaction(id: $id) { deletedId } }", {"id": t["id"]})
    await record(gql, user_id, "Groceries", "90.00", now_iso())
    alerts = (await gql(ALERTS, {"u": user_id}))["alerts"]
    assert alerts["totalCount"] == 2  # Groceries WARNING and total WARNING, once each


async def test_rejected_write_raises_nothing(gql, user_id):
    await gql(CREATE, {"input": current_budget(user_id)})
    good = {"userId": user_id, "category": "Groceries", "amount": "95.00", "occurredAt": now_iso()}
    payload = (await gql(RECORD_MANY, {"inputs": [good, {**good, "amount": "0"}]}))["recordTransactions"]
    assert payload["errors"]
    assert (await gql(ALERTS, {"u": user_id}))["alerts"]["totalCount"] == 0


async def test_budget_changes_are_evaluated(gql, user_id):
    b = (await gql(CREATE, {"input": current_budget(user_id)}))["createBudget"]["budget"]
    await record(gql, user_id, "Groceries", "70.00", now_iso())
    assert (await gql(ALERTS, {"u": user_id}))["alerts"]["totalCount"] == 0
    await gql(UPDATE, {"id": b["id"], "input": {"thresholds": {"warning": "0.6"}}})
    first = (await gql(ALERTS, {"u": user_id}))["alerts"]["nodes"]
    assert {(a["category"], a["alertType"]) for a in first} == {("Groceries", "WARNING"), (None, "WARNING")}
    await gql(UPDATE, {"id": b["id"], "input": {"categories": [{"name": "Groceries", "amount": "70.00"}]}})
    kinds = {(a["category"], a["alertType"]) for a in (await gql(ALERTS, {"u": user_id}))["alerts"]["nodes"]}
    assert ("Groceries", "LIMIT_REACHED") in kinds and ("Groceries", "OVERSPENDING") not in kinds


async def test_a_new_budget_alerts_on_spending_already_past_a_threshold(gql, user_id):
    await record(gql, user_id, "Groceries", "85.00", now_iso())
    assert (await gql(ALERTS, {"u": user_id}))["alerts"]["totalCount"] == 0
    await gql(CREATE, {"input": current_budget(user_id)})
    kinds = {(a["category"], a["alertType"]) for a in (await gql(ALERTS, {"u": user_id}))["alerts"]["nodes"]}
    assert kinds == {("Groceries", "WARNING"), (None, "WARNING")}


async def test_projected_overspend_fires_once_after_three_days(gql, user_id):
    start = (datetime.now(timezone.utc) - timedelta(days=10)).strftime("%Y-%m-%dT00:00:00")
    await gql(CREATE, {"input": {**current_budget(user_id), "startDate": start}})
    await record(gql, user_id, "Groceries", "50.00", now_iso())  # 50% in ~11 of ~30 days
    await record(gql, user_id, "Groceries", "1.00", now_iso())
    alerts = (await gql(ALERTS, {"u": user_id}))["alerts"]["nodes"]
    assert [(a["category"], a["alertType"], a["severity"]) for a in alerts] == [("Groceries", "PROJECTED_OVERSPEND", "info")]
    assert alerts[0]["message"].startswith("PROJECTED OVERSPEND: Groceries budget on pace to spend")


async def test_no_forecast_alert_in_the_first_three_days(gql, user_id):
    await gql(CREATE, {"input": current_budget(user_id)})
    await record(gql, user_id, "Groceries", "50.00", now_iso())
    assert (await gql(ALERTS, {"u": user_id}))["alerts"]["totalCount"] == 0


async def test_alert_list_pages_filters_and_acknowledges(gql, user_id):
    a = (await gql(CREATE, {"input": current_budget(user_id)}))["createBudget"]["budget"]
    b = (await gql(CREATE, {"input": {**current_budget(user_id), "name": "Second"}}))["createBudget"]["budget"]
    await record(gql, user_id, "Groceries", "120.00", now_iso())  # both budgets: 3 + 3 alerts each
    page = (await gql(ALERTS, {"u": user_id, "first": 4}))["alerts"]
    assert page["totalCount"] == 12 and page["pageInfo"]["hasNextPage"]
    rest = (await gql(ALERTS, {"u": user_id, "first": 50, "after": page["pageInfo"]["endCursor"]}))["alerts"]
    assert len(rest["nodes"]) == 8 and not {n["id"] for n in rest["nodes"]} & {n["id"] for n in page["nodes"]}
    only_b = (await gql(ALERTS, {"u": user_id, "b": b["id"]}))["alerts"]
    assert only_b["totalCount"] == 6 and {n["budgetId"] for n in only_b["nodes"]} == {b["id"]}
    target = page["nodes"][0]
    ack = await gql(
        "mutation($id: ID!) { acknowledgeAlert(id: $id) { alert { id acknowledgedAt } errors { code } } }", {"id": target["id"]}
    )
    assert ack["acknowledgeAlert"]["alert"]["acknowledgedAt"].endswith("Z")
    assert (await gql(ALERTS, {"u": user_id, "un": True}))["alerts"]["totalCount"] == 11
    missing = await gql("mutation { acknowledgeAlert(id: \"alr_nope\") { alert { id } errors { code } } }")
    assert missing["acknowledgeAlert"] == {"alert": None, "errors": [{"code": "NOT_FOUND"}]}
    assert a["id"] != b["id"]


async def test_since_replays_what_a_reconnecting_client_missed(db_url, user_id):
    with running_server(db_url) as base:
        http_gql(base, CREATE, {"input": current_budget(user_id)})
        async with Subscriber(base, SUBSCRIBE, {"u": user_id}) as sub:
            spend(base, user_id, "80.00")
            got = [(await sub.next())["budgetAlerts"] for _ in range(2)]
        last_seen = got[-1]["alertId"]
        spend(base, user_id, "20.00")  # raised while disconnected
        async with Subscriber(base, SUBSCRIBE, {"u": user_id, "since": last_seen}) as sub:
            missed = [(await sub.next())["budgetAlerts"] for _ in range(2)]
            spend(base, user_id, "10.00")
            live = [(await sub.next())["budgetAlerts"] for _ in range(2)]
    assert {a["alertType"] for a in missed} == {"LIMIT_REACHED"}
    assert {a["alertType"] for a in live} == {"OVERSPENDING"}


async def test_subscription_filters_by_budget(db_url, user_id):
    with running_server(db_url) as base:
        first = http_gql(base, CREATE, {"input": current_budget(user_id)})["createBudget"]["budget"]
        http_gql(base, CREATE, {"input": current_budget(user_id, amount="1000.00")})
        async with Subscriber(base, SUBSCRIBE, {"u": user_id, "b": first["id"]}) as sub, Subscriber(
            base, SUBSCRIBE, {"u": user_id + "_other"}
        ) as stranger:
            spend(base, user_id, "81.00")
            alerts = [(await sub.next())["budgetAlerts"] for _ in range(2)]
            assert await sub.nothing_within(0.5)
            assert await stranger.nothing_within(0.2)
    assert {a["budgetId"] for a in alerts} == {first["id"]}


async def test_client_that_skips_connection_init_gets_nothing(sqlite_url, user_id):
    with running_server(sqlite_url) as base:
        http_gql(base, CREATE, {"input": current_budget(user_id)})
        url = base.replace("http://", "ws://") + "/graphql"
        async with websockets.connect(url, subprotocols=[PROTOCOL]) as ws:
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": {"u": user_id}}}))
            spend(base, user_id, "90.00")
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 5))
                    assert message["type"] not in ("next", "data"), message
        assert closed.value.rcvd.code == 4401
        # The legacy protocol, whose clients could skip connection_init, is not offered at all.
        with pytest.raises(websockets.ConnectionClosed) as refused:
            async with websockets.connect(url, subprotocols=["graphql-ws"]) as legacy:
                await legacy.send(json.dumps({"type": "start", "id": "1", "payload": {"query": SUBSCRIBE, "variables": {"u": user_id}}}))
                await asyncio.wait_for(legacy.recv(), 5)
        assert refused.value.rcvd.code == 4406


def test_budget_alerts_python_api():
    alerts = BudgetAlerts(warning_threshold=0.80, limit_threshold=1.00, overspending_threshold=1.10)
    found = alerts.check_budget(budget_id="bud_123", spent_amount=540.00, budgeted_amount=600.00, category="Groceries")
    assert [f"{a.severity}: {a.message}" for a in found] == ["warning: WARNING: Groceries budget at 90.0%"]
    over = alerts.check_budget(budget_id="bud_123", spent_amount=Decimal("661"), budgeted_amount=Decimal("600"))
    assert [a.alert_type.value for a in over] == ["warning", "limit_reached", "overspending"]
    assert over[-1].message == "OVERSPENDING: bud_123 budget at 110.16%"  # 110.166…: rounded down
    assert alerts.check_budget(budget_id="b", spent_amount=100, budgeted_amount=600) == []
    with pytest.raises(ValueError, match="increasing"):
        BudgetAlerts(warning_threshold=1.2, limit_threshold=1.0)


async def test_overspending_a_past_period_alerts_in_the_current_one_through_rollover(gql, user_id):
    # FULL rollover: what was overspent last period is taken from this period's amount.
    this_month = datetime.now(timezone.utc).replace(tzinfo=None, day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    b = (await gql(CREATE, {"input": budget_input(
        user_id, categories=[{"name": "Groceries", "amount": "100.00"}], startDate=last_month.isoformat(),
        rolloverMode="FULL",
    )}))["createBudget"]["budget"]
    await record(gql, user_id, "Groceries", "50.00", now_iso())  # 50% of this period's 100
    before = (await gql(ALERTS, {"u": user_id, "first": 100}))["alerts"]["nodes"]
    assert [a for a in before if a["alertType"] in THRESHOLD_ALERTS] == []
    await record(gql, user_id, "Groceries", "140.00", (last_month + timedelta(days=1)).isoformat())
    alerts = (await gql(ALERTS, {"u": user_id, "b": b["id"], "first": 100}))["alerts"]["nodes"]
    current = {(a["category"], a["alertType"]) for a in alerts if a["periodStart"].startswith(this_month.isoformat())}
    past = {(a["category"], a["alertType"]) for a in alerts if a["periodStart"].startswith(last_month.isoformat())}
    assert {("Groceries", "OVERSPENDING"), (None, "OVERSPENDING")} <= past
    # This period now has 100 − 40 = 60 for Groceries, of which 50 is spent: 83.3%.
    assert ("Groceries", "WARNING") in current and ("Groceries", "LIMIT_REACHED") not in current

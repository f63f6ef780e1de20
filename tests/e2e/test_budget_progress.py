"""The live ``budgetProgress`` subscription: figures at once, then after each committed
write that changes them (coalesced), across processes, only for readers of the budget."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import httpx
import websockets

from tests.support.auth import Api, new_user
from tests.support.queries import CREATE, DELETE, RECORD, UPDATE, budget_input
from tests.support.server import running_server
from tests.support.ws import PROTOCOL, Subscriber

PROGRESS = """
subscription($b: ID!) { budgetProgress(budgetId: $b) {
  budgetId totalBudgeted totalSpent totalRemaining percentUsed categories { categoryName spentAmount }
} }
"""


def today() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT00:00:00")


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")


def current_budget(user_id: str, amount: str = "100.00") -> dict:
    return budget_input(user_id, categories=[{"name": "Groceries", "amount": amount}], startDate=today(), rolloverEnabled=False)


def http_gql(base: str, query: str, variables: dict) -> dict:
    body = httpx.post(base + "/graphql", json={"query": query, "variables": variables}, timeout=30).json()
    assert not body.get("errors"), body
    return body["data"]


def spending_input(user_id: str, amount: str) -> dict:
    return {"input": {"userId": user_id, "category": "Groceries", "amount": amount, "occurredAt": now_iso()}}


def spend(base: str, user_id: str, amount: str) -> None:
    assert http_gql(base, RECORD, spending_input(user_id, amount))["recordTransaction"]["errors"] == []


async def progress(sub: Subscriber, timeout: float = 10) -> dict:
    return (await sub.next(timeout))["budgetProgress"]


async def ended(ws) -> list[dict]:
    """The messages up to the operation's ``complete`` (or ``error``)."""
    messages = []
    while not messages or messages[-1]["type"] not in ("complete", "error"):
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if message["type"] not in ("ping", "pong"):
            messages.append(message)
    return messages


async def test_figures_at_once_then_after_each_write_until_deleted(db_url, user_id):
    with running_server(db_url) as base:
        budget = http_gql(base, CREATE, {"input": current_budget(user_id)})["createBudget"]["budget"]
        async with Subscriber(base, PROGRESS, {"b": budget["id"]}) as sub:
            first = await progress(sub)
            assert (first["budgetId"], first["totalSpent"], first["totalBudgeted"]) == (budget["id"], "0.00", "100.00")
            spend(base, user_id, "30.00")
            after = await progress(sub, timeout=1)
            assert (after["totalSpent"], after["totalRemaining"], after["percentUsed"]) == ("30.00", "70.00", 30.0)
            assert after["categories"] == [{"categoryName": "Groceries", "spentAmount": "30.00"}]
            # An edit of the budget changes its figures too.
            edit = {"id": budget["id"], "input": {"categories": [{"name": "Groceries", "amount": "200.00"}]}}
            assert http_gql(base, UPDATE, edit)["updateBudget"]["errors"] == []
            edited = await progress(sub)
            assert (edited["totalBudgeted"], edited["totalRemaining"]) == ("200.00", "170.00")
            # Another user's spending is no news for this budget.
            spend(base, user_id + "_other", "5.00")
            assert await sub.nothing_within(0.6)
            assert http_gql(base, DELETE, {"id": budget["id"]})["deleteBudget"]["errors"] == []
            messages = await ended(sub.ws)
    assert [m["type"] for m in messages] == ["complete"], messages


async def test_a_burst_of_writes_is_coalesced_and_ends_on_the_final_figures(db_url, user_id):
    with running_server(db_url) as base:
        budget = http_gql(base, CREATE, {"input": current_budget(user_id)})["createBudget"]["budget"]
        async with Subscriber(base, PROGRESS, {"b": budget["id"]}) as sub:
            assert (await progress(sub))["totalSpent"] == "0.00"
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:

                async def write():
                    body = (await http.post("/graphql", json={"query": RECORD, "variables": spending_input(user_id, "1.50")})).json()
                    assert body["data"]["recordTransaction"]["errors"] == [], body

                await asyncio.gather(*[write() for _ in range(20)])
            seen = [await progress(sub)]
            while seen[-1]["totalSpent"] != "30.00":
                seen.append(await progress(sub))
            assert await sub.nothing_within(0.6)
    assert len(seen) < 10, [s["totalSpent"] for s in seen]
    assert (seen[-1]["totalSpent"], seen[-1]["totalRemaining"]) == ("30.00", "70.00")


async def test_a_write_on_another_process_reaches_the_subscriber(postgres_url, user_id):
    with running_server(postgres_url) as writer, running_server(postgres_url) as reader:
        budget = http_gql(writer, CREATE, {"input": current_budget(user_id)})["createBudget"]["budget"]
        async with Subscriber(reader, PROGRESS, {"b": budget["id"]}) as sub:
            assert (await progress(sub))["totalSpent"] == "0.00"
            spend(writer, user_id, "42.50")
            assert (await progress(sub))["totalSpent"] == "42.50"
            edit = {"id": budget["id"], "input": {"categories": [{"name": "Groceries", "amount": "50.00"}]}}
            assert http_gql(writer, UPDATE, edit)["updateBudget"]["errors"] == []
            assert (await progress(sub))["totalRemaining"] == "7.50"


async def test_only_readers_of_the_budget_may_subscribe(jwt_server):
    alice, bob = Api(jwt_server, new_user("alice")), Api(jwt_server, new_user("bob"))
    budget = alice(CREATE, {"input": current_budget(alice.user)})["createBudget"]["budget"]
    url = jwt_server.replace("http://", "ws://") + "/graphql"
    for budget_id in (budget["id"], "no-such-budget"):
        async with websockets.connect(url, subprotocols=[PROTOCOL]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": bob.ws_init}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": PROGRESS, "variables": {"b": budget_id}}}))
            messages = await ended(ws)
        errors = [e for m in messages for e in (m["payload"].get("errors", []) if m["type"] == "next" else m.get("payload") or [])]
        assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"], messages
        assert not any(m["type"] == "next" and m["payload"].get("data") for m in messages), messages
    async with Subscriber(jwt_server, PROGRESS, {"b": budget["id"]}, init_payload=alice.ws_init) as sub:
        assert (await progress(sub))["totalBudgeted"] == "100.00"


async def test_a_member_sees_household_spending_until_unshared(jwt_server):
    from tests.graphql.test_sharing import UNSHARE, household, join
    from tests.graphql.test_sharing import spend as spend_as

    alice, bob = Api(jwt_server, new_user("alice")), Api(jwt_server, new_user("bob"))
    budget = household(alice)
    join(alice, budget, bob, "VIEWER")
    async with Subscriber(jwt_server, PROGRESS, {"b": budget["id"]}, init_payload=bob.ws_init) as sub:
        assert (await progress(sub))["totalSpent"] == "0.00"
        spend_as(bob, "12.00")  # a member's spending counts in a HOUSEHOLD budget
        assert (await progress(sub))["totalSpent"] == "12.00"
        spend_as(alice, "8.00")
        assert (await progress(sub))["totalSpent"] == "20.00"
        assert alice(UNSHARE, {"b": budget["id"], "u": bob.user})["unshareBudget"]["errors"] == []
        messages = await ended(sub.ws)
    assert [m["type"] for m in messages] == ["complete"], messages


async def test_progress_streams_count_towards_the_per_user_limit(db_url, user_id):
    env = {"BUDGETQL_MAX_SUBSCRIPTIONS_PER_USER": "2"}
    with running_server(db_url, env=env) as base:
        budget = http_gql(base, CREATE, {"input": current_budget(user_id)})["createBudget"]["budget"]
        alerts = "subscription($u: String!) { budgetAlerts(userId: $u) { id } }"
        async with Subscriber(base, alerts, {"u": user_id}), Subscriber(base, PROGRESS, {"b": budget["id"]}) as second:
            assert (await progress(second))["totalSpent"] == "0.00"
            async with websockets.connect(base.replace("http://", "ws://") + "/graphql", subprotocols=[PROTOCOL]) as ws:
                await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
                assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
                await ws.send(json.dumps({"id": "3", "type": "subscribe", "payload": {"query": PROGRESS, "variables": {"b": budget["id"]}}}))
                messages = await ended(ws)
    errors = [e for m in messages if m["type"] == "next" for e in m["payload"].get("errors", [])]
    assert [e["extensions"]["code"] for e in errors] == ["VALIDATION"] and "at most 2" in errors[0]["message"], messages

"""Every error a client sees has a stable code, and none shows a trace, SQL or a path."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from tests.support.server import running_server
from tests.support.ws import PROTOCOL

LEAKS = ("Traceback", 'File "', "sqlalchemy", "asyncpg", "sqlite3", "/work/", "SELECT ", "RuntimeError")
SECRET_FAILURE = RuntimeError('boom in File "/work/secret.py": SELECT * FROM budgets (sqlalchemy, asyncpg, sqlite3)')


def assert_no_leak(text: str) -> None:
    for marker in LEAKS:
        assert marker not in text, f"{marker!r} reached the client: {text}"


@pytest.mark.parametrize(
    "method, path, kwargs, status",
    [
        ("POST", "/graphql", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 400),
        ("POST", "/graphql", {"json": {"variables": {}}}, 400),
        ("POST", "/graphql", {"content": b"query", "headers": {"content-type": "text/plain"}}, 400),
        ("GET", "/graphql?query=mutation%20%7B%20deleteBudget(id%3A%20%22x%22)%20%7B%20deletedId%20%7D%20%7D", {}, 400),
        ("PUT", "/graphql", {}, 405),
    ],
    ids=["not-json", "no-query", "content-type", "mutation-over-get", "method"],
)
async def test_requests_graphql_cannot_read_get_a_graphql_error_body(client, method, path, kwargs, status):
    response = await client.request(method, path, **kwargs)
    assert response.status_code == status
    (error,) = response.json()["errors"]
    expected = "METHOD_NOT_ALLOWED" if status == 405 else "BAD_REQUEST"
    assert error["extensions"] == {"code": expected} and error["message"]


async def test_unknown_routes_and_methods_get_a_code(client):
    missing = await client.get("/no/such/route")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found", "code": "NOT_FOUND"})
    asset = await client.get("/static/no-such-file.js")
    assert (asset.status_code, asset.json()["code"]) == (404, "NOT_FOUND")
    wrong = await client.put("/budgets")
    assert (wrong.status_code, wrong.json()) == (405, {"detail": "Method Not Allowed", "code": "METHOD_NOT_ALLOWED"})


async def test_graphql_syntax_and_validation_errors_have_codes(client):
    body = (await client.post("/graphql", json={"query": "{ budgets(userId: 1) { nope } "})).json()
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION"
    body = (await client.post("/graphql", json={"query": "{ budgets(userId: 1) { nope } }"})).json()
    assert {e["extensions"]["code"] for e in body["errors"]} == {"GRAPHQL_VALIDATION"} and len(body["errors"]) == 2


async def test_unexpected_failures_are_masked_with_the_request_id(app, client, monkeypatch):
    async def fail(*_args, **_kwargs):
        raise SECRET_FAILURE

    monkeypatch.setattr(app.state.services.budgets, "find_budget", fail)
    monkeypatch.setattr(app.state.services.budgets, "get_budget", fail)
    response = await client.post("/graphql", json={"query": '{ budget(id: "bud_x") { id } }'})
    request_id = response.headers["x-request-id"]
    (error,) = response.json()["errors"]
    assert error["message"] == f"Internal server error (request id {request_id})"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert_no_leak(response.text)

    rest = await client.get("/budgets/bud_x")
    assert rest.status_code == 500
    assert rest.json() == {"detail": f"Internal server error (request id {rest.headers['x-request-id']})", "code": "INTERNAL_SERVER_ERROR"}
    assert_no_leak(rest.text)


async def test_a_failure_outside_graphql_and_rest_is_a_json_500(client, monkeypatch):
    async def fail(*_args, **_kwargs):
        raise SECRET_FAILURE

    monkeypatch.setattr("graph.app.readiness", fail)
    response = await client.get("/readyz")
    request_id = response.headers["x-request-id"]
    assert response.status_code == 500
    assert response.json() == {
        "detail": f"Internal server error (request id {request_id})",
        "code": "INTERNAL_SERVER_ERROR",
        "requestId": request_id,
    }


async def test_every_request_gets_its_own_request_id(client):
    ids = {(await client.get("/healthz")).headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3 and all(len(i) == 16 for i in ids)


async def _ws_messages(base: str, messages: list[dict], expect: int) -> list[dict]:
    url = base.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=[PROTOCOL], open_timeout=10) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        for message in messages:
            await ws.send(json.dumps(message))
        received = []
        while len(received) < expect:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if message["type"] not in ("ping", "pong"):
                received.append(message)
        return received


async def test_websocket_errors_have_codes_and_big_messages_are_refused(db_url, user_id):
    subscribe = "subscription($u: String!) { budgetAlerts(userId: $u) { id } }"
    with running_server(db_url, env={"BUDGETQL_MAX_BODY_BYTES": "20000"}) as base:
        invalid, bad_argument = await _ws_messages(
            base,
            [
                {"id": "1", "type": "subscribe", "payload": {"query": "subscription { nope }"}},
                {"id": "2", "type": "subscribe", "payload": {"query": subscribe, "variables": {"u": " "}}},
            ],
            expect=2,
        )
        # 20 live subscriptions per connection (the default); the 21st is refused.
        many = [{"id": f"s{i}", "type": "subscribe", "payload": {"query": subscribe, "variables": {"u": user_id}}} for i in range(21)]
        (refused,) = await _ws_messages(base, many, expect=1)

        url = base.replace("http://", "ws://") + "/graphql"
        async with websockets.connect(url, subprotocols=[PROTOCOL], open_timeout=10) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"pad": "x" * 30000}}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd.code == 1009  # message too big
    by_id = {m["id"]: m for m in (invalid, bad_argument)}
    assert by_id["1"]["type"] == "error"
    assert by_id["1"]["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION"
    errors = by_id["2"]["payload"]["errors"]
    assert errors[0]["extensions"] == {"code": "VALIDATION", "field": ["userId"]}
    assert refused["type"] == "error" and refused["id"] == "s20"
    assert refused["payload"] == [{"message": "Subscription limit reached", "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS"}}]


async def test_subscription_caps_are_settings(db_url, user_id):
    subscribe = "subscription($u: String!) { budgetAlerts(userId: $u) { id } }"
    env = {"BUDGETQL_MAX_SUBSCRIPTIONS_PER_CONNECTION": "3", "BUDGETQL_MAX_SUBSCRIPTIONS_PER_USER": "2"}
    with running_server(db_url, env=env) as base:
        # Per user: the third live subscription of the same user is refused.
        same_user = [{"id": f"u{i}", "type": "subscribe", "payload": {"query": subscribe, "variables": {"u": user_id}}} for i in range(3)]
        (per_user,) = await _ws_messages(base, same_user, expect=1)
        # Per connection: the fourth operation is refused, whoever it is for.
        users = [{"id": f"c{i}", "type": "subscribe", "payload": {"query": subscribe, "variables": {"u": f"{user_id}-{i}"}}} for i in range(4)]
        (per_connection,) = await _ws_messages(base, users, expect=1)
    assert per_user["id"] == "u2" and per_user["type"] == "next"
    errors = per_user["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "VALIDATION" and "at most 2" in errors[0]["message"]
    assert per_connection["id"] == "c3" and per_connection["type"] == "error"
    assert per_connection["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"

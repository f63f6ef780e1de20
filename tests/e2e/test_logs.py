"""The server logs one JSON object a line, each with its request id, and never a
token, a variable or an amount."""

from __future__ import annotations

import json

import httpx

from tests.support.server import server_process
from tests.support.queries import CREATE, RECORD, budget_input
from tests.support.ws import Subscriber

TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.s1gnature"
AMOUNT = "987654.32"


async def test_log_lines_are_json_with_request_ids_and_no_secrets(db_url, user_id, tmp_path):
    log = tmp_path / "server.log"
    headers = {"Authorization": f"Bearer {TOKEN}", "Cookie": f"session={TOKEN}"}
    with server_process(db_url, output=log, extra_args=["--log-level", "info"]) as server:
        with httpx.Client(base_url=server.base, headers=headers, timeout=30) as http:
            created = http.post("/graphql", json={"query": CREATE, "variables": {"input": budget_input(user_id)}})
            spend = {"userId": user_id, "category": "Groceries", "amount": AMOUNT, "occurredAt": "2025-11-03T10:00:00"}
            recorded = http.post("/graphql", json={"query": RECORD, "variables": {"input": spend}})
            # Errors: a literal that fails coercion (its message quotes the amount), a bad
            # body, an unknown route, a REST request with the token in its query string.
            inline = f'mutation {{ recordTransaction(input: {{userId: "{user_id}", category: "x", amount: "{AMOUNT}", occurredAt: "{TOKEN}"}}) {{ created }} }}'
            invalid = http.post("/graphql", json={"query": inline})
            unreadable = http.post("/graphql", content=f'{{"query": "{AMOUNT}'.encode(), headers={"content-type": "application/json"})
            missing = http.get("/nowhere", params={"token": TOKEN})
            listed = http.get("/budgets", params={"user_id": user_id, "access_token": TOKEN})
        async with Subscriber(server.base, "subscription($u: String!) { budgetAlerts(userId: $u) { id } }", {"u": user_id}, init_payload={"authorization": TOKEN}):
            pass
    responses = [created, recorded, invalid, unreadable, missing, listed]
    assert [r.status_code for r in responses] == [200, 200, 200, 400, 404, 200]
    assert invalid.json()["errors"] and TOKEN in invalid.text  # the client sees its own input, the log must not

    text = log.read_text()
    assert TOKEN not in text and AMOUNT not in text and "98765" not in text
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is JSON
    for line in lines:
        assert {"ts", "level", "logger", "message", "request_id"} <= set(line), line
    access = [line for line in lines if line["logger"] == "budgetql.access"]
    by_id = {line["request_id"]: line for line in access}
    for response in responses:
        line = by_id[response.headers["x-request-id"]]
        assert (line["method"], line["path"], line["status"]) == (response.request.method, response.request.url.path, response.status_code)
        assert line["duration_ms"] >= 0
    websocket = [line for line in access if line["method"] == "WS"]
    assert len(websocket) == 1 and websocket[0]["path"] == "/graphql" and websocket[0]["request_id"]
    # Lines written while serving a request carry its id; only start-up and shut-down lines
    # and the background webhook worker's (it may retry deliveries other tests on this
    # database queued) have none.
    anonymous = {line["logger"] for line in lines if line["request_id"] is None}
    background = {"uvicorn.error", "alembic.runtime.migration", "budgetql", "budgetql.lifecycle", "budgetql.bus",
                  "budgetql.webhooks"}
    assert anonymous <= background, [line for line in lines if line["request_id"] is None]

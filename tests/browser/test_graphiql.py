"""GraphiQL at /graphql works in a real browser, with nothing loaded from outside the server."""

from __future__ import annotations

import json
import re
import time

import httpx

from tests.support.browser import ARTIFACTS, PageWatch

ASSETS = ["graphiql.min.css", "react.production.min.js", "react-dom.production.min.js", "graphiql.min.js"]


async def test_graphiql_page_loads_its_assets_from_this_server(client):
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls == ["data:,", *(f"/static/graphiql/{name}" for name in ASSETS)]
    for url in urls[1:]:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 5_000, url
    assert "subscriptionUrl" in page.text


def _run(page, operation: str, name: str, marker: str) -> dict:
    """Type ``operation`` (named ``name``) into GraphiQL, run it, return the result pane's JSON."""
    _start(page, operation, name)
    return _result(page, marker)


def _start(page, operation: str, name: str) -> None:
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(operation)
    # GraphiQL picks up the operation (its name in the tab, subscription or not) after a
    # short debounce; running before that would send the previous operation's name.
    page.locator(".graphiql-tab-active").get_by_text(name, exact=True).wait_for()
    page.locator(".graphiql-execute-button").click()


def _result(page, marker: str) -> dict:
    page.wait_for_function(
        """marker => {
          const pane = document.querySelector('.graphiql-response .CodeMirror');
          return pane && pane.CodeMirror.getValue().includes(marker);
        }""",
        arg=marker,
    )
    shown = page.locator(".graphiql-response").inner_text()
    assert marker in shown  # visible in the pane, not only in the editor's model
    return json.loads(page.locator(".graphiql-response .CodeMirror").evaluate("e => e.CodeMirror.getValue()"))


def test_graphiql_introspects_runs_operations_and_subscribes_over_websocket(server, page):
    watch = PageWatch(page)
    frames, errors = watch.frames, watch.errors

    page.goto(server + "/graphql")
    page.locator(".graphiql-query-editor .CodeMirror").wait_for()

    # The schema arrived by introspection: the docs explorer lists the root types.
    page.get_by_role("button", name="Show Documentation Explorer").click()
    docs = page.locator(".graphiql-doc-explorer")
    docs.get_by_text("Root Types").wait_for()
    assert "query: Query" in docs.inner_text() and "mutation: Mutation" in docs.inner_text()
    docs.get_by_role("link", name="Query", exact=True).click()
    docs.get_by_text("budgets", exact=True).wait_for()

    created = _run(
        page,
        'mutation AddBudget { createBudget(input: { userId: "browser_user", name: "Groceries only", '
        'type: PERSONAL, period: MONTHLY, startDate: "2025-11-01T00:00:00", '
        'categories: [{ name: "Groceries", amount: "600.00" }] }) '
        "{ budget { name endDate categories { name amount } } errors { message } } }",
        "AddBudget",
        "createBudget",
    )
    assert created == {
        "data": {
            "createBudget": {
                "budget": {
                    "name": "Groceries only",
                    "endDate": "2025-11-30T23:59:59",
                    "categories": [{"name": "Groceries", "amount": "600.00"}],
                },
                "errors": [],
            }
        }
    }

    listed = _run(
        page,
        'query Count {\n  budgets(userId: "browser_user") {\n    totalCount\n    nodes { name }\n  }\n}',
        "Count",
        "totalCount",
    )
    assert listed == {"data": {"budgets": {"totalCount": 1, "nodes": [{"name": "Groceries only"}]}}}
    page.screenshot(path=str(ARTIFACTS / "graphiql.png"))
    assert errors == []

    # Subscriptions go over WebSocket with graphql-transport-ws: spending recorded
    # elsewhere shows up live in the result pane.
    _start(page, 'subscription Live { budgetAlerts(userId: "browser_user") { alertType category message } }', "Live")
    page.wait_for_function("() => document.querySelector('.graphiql-execute-button') !== null")
    deadline = time.monotonic() + 10
    while not any(f.get("sent", {}).get("type") == "subscribe" for f in frames) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)
    spent = httpx.post(
        server + "/graphql",
        json={"query": 'mutation { recordTransaction(input: {userId: "browser_user", category: "Groceries", '
                       'amount: "500.00"}) { errors { message } } }'},
        timeout=10,
    ).json()
    assert spent == {"data": {"recordTransaction": {"errors": []}}}
    live = _result(page, "WARNING")
    assert live["data"]["budgetAlerts"]["alertType"] == "WARNING"
    page.screenshot(path=str(ARTIFACTS / "graphiql-subscription.png"))
    assert errors == []
    assert server.replace("http://", "ws://") + "/graphql" in watch.requested
    sent = [m["type"] for m in watch.sent()]
    received = [m["type"] for m in watch.received()]
    assert sent[:2] == ["connection_init", "subscribe"] and received[0] == "connection_ack", frames

    # Offline: every request went to this server (or was inline data).
    assert watch.outside(server) == []

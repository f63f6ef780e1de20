"""The dashboard at / in a real browser against the real server: apply a template, spend
past 80% of a category, and see its bar turn to WARNING and the alert arrive live over
the budgetAlerts subscription, with nothing loaded from outside the server."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import httpx

from tests.support.browser import ARTIFACTS, PageWatch
from tests.support.cli import budgetql_process
from tests.support.server import free_port, running_server

ASSETS = ["static/dashboard/style.css", "static/dashboard/app.js"]


async def test_the_dashboard_page_and_its_assets_come_from_this_server(client):
    page = await client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls == ["data:,", *ASSETS, "graphql"]  # relative: nothing from elsewhere
    for url in ASSETS:
        asset = await client.get("/" + url)
        assert asset.status_code == 200 and len(asset.content) > 2_000, url
    script = (await client.get("/static/dashboard/app.js")).text
    assert "graphql-transport-ws" in script and "budgetAlerts" in script
    # No address but the SVG namespace's (an identifier that is never fetched).
    assert not re.search(r"https?://", script.replace('"http://www.w3.org/2000/svg"', '""'))
    # Every form control has a label; the alert feed is announced to screen readers.
    ids = set(re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', page.text))
    assert ids and ids == set(re.findall(r'<label for="([^"]+)"', page.text))
    assert re.search(r'<ol id="alert-feed"[^>]* aria-live="polite"', page.text)


def test_dashboard_shows_warning_and_the_live_alert(server, page):
    watch = PageWatch(page)
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)

    page.goto(server + "/")
    page.get_by_label("User", exact=True).fill("dashboard_user")
    page.get_by_role("button", name="Show budgets").click()
    page.get_by_text("dashboard_user has no budgets yet").wait_for()
    live = page.locator("#live-status")
    live.get_by_text("Live alerts: connected").wait_for()

    # A monthly budget from a template, starting today, so spending now counts.
    today = datetime.now(timezone.utc).date()
    page.get_by_label("Template", exact=True).select_option("50_30_20")
    page.get_by_label("Income to split").fill("5000")
    page.get_by_label("Budget name").fill("Household")
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_role("button", name="Create budget").click()
    page.get_by_text("Created “Household”.").wait_for()
    budget = page.locator("article.budget", has=page.get_by_role("heading", name="Household"))
    groceries = budget.locator('li.category[data-category="Groceries"]')
    groceries.wait_for()
    assert groceries.get_attribute("data-status") == "ON_TRACK"
    assert groceries.locator(".status").inner_text().lower() == "on track"
    assert "0.00 USD of 500.00 USD" in groceries.inner_text()
    days_left = budget.locator(".days-left").inner_text()
    assert re.fullmatch(r"\d+ of (28|29|30|31)", days_left), days_left
    assert budget.locator(".forecast").inner_text() == "0.00 USD by period end"

    # 450 of 500 is 90%: past the 80% warning threshold.
    page.get_by_label("Category", exact=True).fill("Groceries")
    page.get_by_label("Amount").fill("450.00")
    page.get_by_label("Description").fill("Big shop")
    page.get_by_role("button", name="Record").click()
    page.get_by_text("Recorded 450.00 in Groceries.").wait_for()

    page.wait_for_function(
        """() => document.querySelector('li.category[data-category="Groceries"]').dataset.status === 'WARNING'"""
    )
    assert groceries.locator(".status").inner_text().lower() == "warning"
    assert groceries.locator(".category-percent").inner_text() == "90.0%"
    assert groceries.get_by_role("progressbar").get_attribute("aria-valuenow") == "90"
    assert "450.00 USD of 500.00 USD" in groceries.inner_text()

    feed = page.locator("#alert-feed")
    alert = feed.locator('li[data-alert-type="WARNING"]', has_text="Groceries budget at 90.0%")
    alert.wait_for()
    assert "Household" in alert.inner_text()
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    # The alert came over the WebSocket subscription (graphql-transport-ws), not a reload.
    sent, received = watch.sent(), watch.received()
    assert [m["type"] for m in sent[:2]] == ["connection_init", "subscribe"]
    assert sent[1]["payload"]["variables"] == {"userId": "dashboard_user", "since": None}
    assert received[0]["type"] == "connection_ack"
    pushed = [m["payload"]["data"]["budgetAlerts"] for m in received if m["type"] == "next"]
    assert ("WARNING", "Groceries") in [(a["alertType"], a["category"]) for a in pushed]
    assert watch.errors == []

    # Offline: every request went to this server (or was inline data).
    assert watch.outside(server) == []


def test_dashboard_reports_bad_input_and_stores_nothing(server, page):
    watch = PageWatch(page)
    page.goto(server + "/?user=careful_user")  # the user can come from the URL
    page.get_by_text("careful_user has no budgets yet").wait_for()

    page.get_by_label("Income to split").fill("-10")
    page.get_by_role("button", name="Create budget").click()
    message = page.locator("#template-message")
    page.get_by_text("Total income must not be negative").wait_for()
    assert message.get_attribute("role") == "alert"

    page.get_by_label("Category", exact=True).fill("Groceries")
    page.get_by_label("Amount").fill("12.345")
    page.get_by_role("button", name="Record").click()
    page.get_by_text("has more decimal places than USD allows").wait_for()

    page.get_by_role("button", name="Refresh").click()
    page.get_by_text("careful_user has no budgets yet").wait_for()
    assert page.locator("article.budget").count() == 0
    assert watch.errors == [] and watch.outside(server) == []


def test_the_feed_reconnects_and_replays_what_it_missed(tmp_path, page):
    """Alerts raised while the server was down (here by a CSV import) arrive when the page
    reconnects, because it resubscribes with `since` = the last alert it saw."""
    db = f"sqlite+aiosqlite:///{tmp_path / 'reconnect.db'}"
    port = free_port()
    watch = PageWatch(page)
    today = datetime.now(timezone.utc).date()

    with running_server(db, port=port) as base:
        _graphql(base, APPLY, {"input": {"userId": "night_owl", "templateKey": "envelope", "totalIncome": "3000",
                                         "startDate": f"{today}T00:00:00", "budgetName": "Envelopes"}})
        page.goto(f"{base}/?user=night_owl")
        page.locator("#live-status").get_by_text("Live alerts: connected").wait_for()
        _graphql(base, SPEND, {"input": {"userId": "night_owl", "category": "Groceries", "amount": "400.00"}})
        warning = page.locator('#alert-feed li[data-alert-type="WARNING"]', has_text="Groceries")
        warning.wait_for()
        warning_id = warning.get_attribute("data-alert-id")

    page.locator("#live-status").get_by_text("Live alerts: reconnecting…").wait_for()
    export = tmp_path / "bank.csv"
    export.write_text(f"Date,Amount,Category\n{today},-150.00,Groceries\n", encoding="utf-8")
    ran = budgetql_process("import-transactions", str(export), "--user", "night_owl", "--database-url", db)
    assert ran.status == 0 and ran.out.startswith("imported: 1\n"), ran

    with running_server(db, port=port):
        over = page.locator('#alert-feed li[data-alert-type="OVERSPENDING"]', has_text="Groceries budget at 110.0%")
        over.wait_for(timeout=45_000)
        page.locator("#live-status").get_by_text("Live alerts: connected").wait_for()
        groceries = page.locator('li.category[data-category="Groceries"]')
        page.wait_for_function(
            """() => document.querySelector('li.category[data-category="Groceries"]').dataset.status === 'OVER'"""
        )
        assert groceries.locator(".status").inner_text().lower() == "over"
    subscribes = [m["payload"]["variables"] for m in watch.sent() if m["type"] == "subscribe"]
    assert subscribes[0] == {"userId": "night_owl", "since": None}
    assert {"userId": "night_owl", "since": warning_id} in subscribes[1:]
    assert page.locator("#alert-feed li").count() == len(set(page.locator("#alert-feed li").evaluate_all(
        "items => items.map(i => i.dataset.alertId)")))  # nothing shown twice
    assert watch.errors == []


APPLY = "mutation($input: ApplyTemplateInput!) { applyTemplate(input: $input) { errors { message } } }"
SPEND = "mutation($input: RecordTransactionInput!) { recordTransaction(input: $input) { errors { message } } }"


def _graphql(base: str, query: str, variables: dict) -> None:
    body = httpx.post(base + "/graphql", json={"query": query, "variables": variables}, timeout=10).json()
    assert not body.get("errors") and not any(v["errors"] for v in body["data"].values()), body


def _gql(base: str, query: str, variables: dict) -> dict:
    body = httpx.post(base + "/graphql", json={"query": query, "variables": variables}, timeout=30).json()
    assert not body.get("errors"), body
    return body["data"]


def test_dashboard_shows_goals_and_each_categorys_last_periods(server, page):
    watch = PageWatch(page)
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    today = datetime.now(timezone.utc).date()
    y, m = divmod(today.month - 1 - 3, 12)
    start = f"{today.year + y}-{m + 1:02d}-01T00:00:00"
    made = _gql(server, """mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } } }""", {"i": {
        "userId": "goal_user", "name": "Savings", "type": "PERSONAL", "period": "MONTHLY", "startDate": start,
        "categories": [{"name": "Vacation", "amount": "300.00"}, {"name": "Groceries", "amount": "400.00"}]}})
    budget_id = made["createBudget"]["budget"]["id"]
    inputs = []
    for back, (vacation, groceries) in zip((3, 2, 1), (("250.00", "380.00"), ("300.00", "450.00"), ("200.00", "390.00"))):
        yy, mm = divmod(today.month - 1 - back, 12)
        day = f"{today.year + yy}-{mm + 1:02d}-10"
        inputs += [{"userId": "goal_user", "category": "Vacation", "amount": vacation, "occurredOn": day},
                   {"userId": "goal_user", "category": "Groceries", "amount": groceries, "occurredOn": day}]
    _gql(server, "mutation($i: [RecordTransactionInput!]!) { recordTransactions(inputs: $i) { createdCount } }",
         {"i": inputs})
    goal = _gql(server, """mutation($i: CreateGoalInput!) { createGoal(input: $i) { goal { id } errors { message } } }""",
                {"i": {"userId": "goal_user", "name": "Trip to Lisbon", "targetAmount": "3000.00",
                       "targetDate": f"{today.year + 1}-06-30", "budgetId": budget_id, "category": "Vacation",
                       "startingAmount": "250.00"}})["createGoal"]["goal"]

    page.goto(server + "/")
    page.get_by_label("User", exact=True).fill("goal_user")
    page.get_by_role("button", name="Show budgets").click()
    row = page.locator(f'li.goal[data-goal-id="{goal["id"]}"]')
    row.wait_for()
    assert "Trip to Lisbon" in row.inner_text()
    assert "1,000.00 USD of 3,000.00 USD" in row.inner_text()  # 250 + 250 + 300 + 200
    bar = row.get_by_role("progressbar")
    assert bar.get_attribute("aria-valuenow") == "33"
    chart = page.locator('li.category[data-category="Groceries"] svg.chart')
    chart.wait_for()
    assert chart.locator("g").count() == 4  # three past months and this one
    assert chart.locator("g.over").count() == 1  # 450 of 400
    assert "Groceries, last 4 periods" in chart.get_attribute("aria-label")
    page.screenshot(path=str(ARTIFACTS / "dashboard-goals.png"), full_page=True)
    assert watch.errors == []
    assert watch.outside(server) == []

"""``GET /budgets/{id}/progress``: the same figures as GraphQL, as plain JSON."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from tests.support.queries import create_budget, progress, record


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


async def test_progress_route_matches_graphql(client, gql, user_id):
    start = (_now() - timedelta(days=70)).replace(hour=0, minute=0, second=0)
    budget = await create_budget(
        gql,
        user_id,
        startDate=start.isoformat(),
        rolloverEnabled=False,
        categories=[{"name": "Groceries", "amount": "600.00"}, {"name": "Restaurants", "amount": "0"}],
    )
    await record(gql, user_id, "Groceries", "425.50", _now().isoformat())
    await record(gql, user_id, "groceries ", "0.25", _now().isoformat())

    response = await client.get(f"/budgets/{budget['id']}/progress")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    # Amounts are JSON numbers with the exact decimal text, not float renderings.
    assert '"spent_amount":425.75' in response.text
    assert '"budgeted_amount":600.00' in response.text
    body = json.loads(response.text, parse_float=Decimal)
    expected = await progress(gql, budget["id"])
    assert set(body) == {
        "budget_id", "current_period", "categories", "total_budgeted", "total_spent", "total_remaining",
        "percent_used", "period_days_elapsed", "period_days_total",
    }
    assert body["budget_id"] == budget["id"]
    assert body["current_period"] == expected["currentPeriod"]
    for key in ("totalBudgeted", "totalSpent", "totalRemaining"):
        snake = "total_" + key[5:].lower()
        assert body[snake] == Decimal(expected[key]), key
    assert body["percent_used"] == Decimal(str(expected["percentUsed"]))
    assert body["period_days_elapsed"] == expected["periodDaysElapsed"]
    assert body["period_days_total"] == expected["periodDaysTotal"]
    assert [
        (c["category_name"], c["budgeted_amount"], c["spent_amount"], c["remaining_amount"], c["percent_used"])
        for c in body["categories"]
    ] == [
        (
            c["categoryName"],
            Decimal(c["budgetedAmount"]),
            Decimal(c["spentAmount"]),
            Decimal(c["remainingAmount"]),
            None if c["percentUsed"] is None else Decimal(str(c["percentUsed"])),
        )
        for c in expected["categories"]
    ]
    assert body["categories"][1]["percent_used"] is None


async def test_progress_route_unknown_budget_is_404(client):
    response = await client.get("/budgets/bud_missing/progress")
    assert response.status_code == 404
    assert response.json() == {"detail": "Budget with ID bud_missing not found", "code": "NOT_FOUND"}


async def test_progress_route_takes_at_and_period_like_graphql(client, gql, user_id):
    budget = await create_budget(
        gql, user_id, startDate="2025-09-01T00:00:00", rolloverEnabled=True,
        categories=[{"name": "Groceries", "amount": "600.00"}],
    )
    await record(gql, user_id, "Groceries", "100.00", "2025-09-10T12:00:00")
    await record(gql, user_id, "Groceries", "50.00", "2025-10-03T12:00:00")
    for query, at, period in (("?at=2025-10-15T00:00:00", "2025-10-15T00:00:00", None), ("?period=0", None, 0)):
        body = json.loads((await client.get(f"/budgets/{budget['id']}/progress{query}")).text, parse_float=Decimal)
        expected = await progress(gql, budget["id"], at=at, period=period)
        assert (body["current_period"], body["total_spent"], body["total_budgeted"]) == (
            expected["currentPeriod"], Decimal(expected["totalSpent"]), Decimal(expected["totalBudgeted"])
        )
    october = json.loads((await client.get(f"/budgets/{budget['id']}/progress?period=1")).text, parse_float=Decimal)
    assert (october["current_period"], october["total_spent"], october["total_budgeted"]) == (
        "October 2025", Decimal("50.00"), Decimal("1100.00")  # September's unused 500 carried
    )
    for query in ("?at=yesterday", "?period=one", "?period=2147483647", "?at=9999-12-31T23:59:59", "?at=2025-10-15%00"):
        response = await client.get(f"/budgets/{budget['id']}/progress{query}")
        assert response.status_code == 400 and response.json()["code"] == "VALIDATION", (query, response.text)

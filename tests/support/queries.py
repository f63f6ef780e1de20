"""Shared GraphQL documents and helpers for the tests."""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from copy import deepcopy

import httpx


def in_ci() -> bool:
    """Under CI=true, a missing PostgreSQL or browser fails the run instead of skipping."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


BUDGET_FIELDS = """
  id userId name type period currency
  categories { name amount }
  totalBudgeted startDate endDate rolloverEnabled rolloverMode
  thresholds { warning limitReached overspending }
  version createdAt updatedAt
"""

CREATE = f"""
mutation($input: CreateBudgetInput!) {{
  createBudget(input: $input) {{
    budget {{ {BUDGET_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""

UPDATE = f"""
mutation($id: ID!, $input: UpdateBudgetInput!, $v: Int) {{
  updateBudget(id: $id, input: $input, expectedVersion: $v) {{
    budget {{ {BUDGET_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""

DELETE = """
mutation($id: ID!) { deleteBudget(id: $id) { deletedId errors { field code message } } }
"""

INVITATION_FIELDS = "id budgetId budgetName userId role invitedBy createdAt expiresAt respondedAt status shareHistory"

GET = f"query($id: ID!) {{ budget(id: $id) {{ {BUDGET_FIELDS} }} }}"

LIST = f"""
query($userId: String!, $type: BudgetType, $first: Int, $after: String) {{
  budgets(userId: $userId, type: $type, first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{ id }} }}
    nodes {{ {BUDGET_FIELDS} }}
  }}
}}
"""


# The spec's November budget, as CreateBudgetInput (less its owner).
NOVEMBER = {
    "name": "November 2025",
    "type": "PERSONAL",
    "period": "MONTHLY",
    "categories": [{"name": "Groceries", "amount": "600.00"}, {"name": "Restaurants", "amount": "200.00"}],
    "startDate": "2025-11-01T00:00:00",
    "rolloverEnabled": True,
}


def budget_input(user_id: str, **overrides) -> dict:
    return {"userId": user_id, **deepcopy(NOVEMBER), **overrides}  # its lists fresh for each test


async def create_budget(gql, user_id: str, **overrides) -> dict:
    data = await gql(CREATE, {"input": budget_input(user_id, **overrides)})
    payload = data["createBudget"]
    assert payload["errors"] == [], payload["errors"]
    return payload["budget"]

CATEGORY_PROGRESS_FIELDS = (
    "categoryName budgetedAmount rolloverAmount spentAmount remainingAmount percentUsed status projectedSpent"
)
PROGRESS_FIELDS = f"""
  budgetId currentPeriod periodIndex periodStart periodEnd
  categories {{ {CATEGORY_PROGRESS_FIELDS} }}
  totalBudgeted totalSpent totalRemaining percentUsed
  periodDaysElapsed periodDaysTotal projectedSpent status unconvertedCount
"""

PROGRESS = f"""
query($id: ID!, $at: DateTime, $period: Int) {{
  budget(id: $id) {{ progress(at: $at, period: $period) {{ {PROGRESS_FIELDS} }} }}
}}
"""

RECORD = """
mutation($input: RecordTransactionInput!) {
  recordTransaction(input: $input) {
    transaction { id userId category amount currency occurredAt occurredOn description externalId createdAt }
    created
    errors { field code message }
  }
}
"""

RECORD_MANY = """
mutation($inputs: [RecordTransactionInput!]!) {
  recordTransactions(inputs: $inputs) {
    transactions { id amount externalId }
    createdCount duplicateCount
    errors { field code message }
  }
}
"""


async def record(gql, user_id: str, category: str, amount, occurred_at: str, **extra) -> dict:
    data = await gql(
        RECORD,
        {"input": {"userId": user_id, "category": category, "amount": amount, "occurredAt": occurred_at, **extra}},
    )
    payload = data["recordTransaction"]
    assert payload["errors"] == [], payload["errors"]
    return payload["transaction"]


async def progress(gql, budget_id: str, at: str | None = None, period: int | None = None) -> dict:
    return (await gql(PROGRESS, {"id": budget_id, "at": at, "period": period}))["budget"]["progress"]


def by_name(p: dict) -> dict:
    return {c["categoryName"]: c for c in p["categories"]}


@asynccontextmanager
async def app_client(db_url: str, **settings):
    """An app of its own with these settings (started), and an HTTP client for it."""
    from graph.app import create_app
    from graph.settings import Settings

    application = create_app(Settings(database_url=db_url, **settings))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://budgetql.test") as http:
            yield application, http


# The threshold alerts (80 / 100 / 110 %). A test about thresholds keeps to these: the
# forecast alert (PROJECTED_OVERSPEND) holds from the 4th day of a period on, so it
# comes or not with the calendar day the suite runs on.
THRESHOLD_ALERTS = ("WARNING", "LIMIT_REACHED", "OVERSPENDING")

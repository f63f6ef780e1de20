"""The progress cache: a reload recomputes nothing unchanged, and any write, on this
process or another, is seen on the next read (both databases)."""

from __future__ import annotations

from tests.support.server import running_server
from tests.support.queries import RECORD, create_budget
from tests.graphql.test_alerts import http_gql
from tests.graphql.test_query_cost import counting

PAGE = """query($u: String!) { budgets(userId: $u) { nodes { id
  progress(at: "2025-11-20T12:00:00") { totalSpent categories { categoryName spentAmount budgetedAmount } }
  periods(last: 3) { totalSpent } } } }"""


def _sums_reads(statements: list[str]) -> int:
    return sum(1 for s in statements if "spending_daily" in s or "spending_monthly" in s)


async def test_a_reload_reads_no_spending_and_a_write_is_seen_at_once(app, gql, user_id):
    for i in range(3):
        await create_budget(gql, user_id, name=f"B{i}", startDate="2025-09-01T00:00:00", rolloverEnabled=True,
                            categories=[{"name": "Groceries", "amount": "600.00"}])
    record = {"userId": user_id, "category": "Groceries", "amount": "12.34", "occurredAt": "2025-11-05T10:00:00"}
    await gql(RECORD, {"input": record})
    with counting(app.state.engine) as first:
        before = await gql(PAGE, {"u": user_id})
    with counting(app.state.engine) as reload:
        again = await gql(PAGE, {"u": user_id})
    assert again == before
    assert _sums_reads(first) >= 1 and _sums_reads(reload) == 0, (first, reload)
    # A write changes the writer's spending version: the next read recomputes.
    await gql(RECORD, {"input": {**record, "amount": "0.66", "occurredAt": "2025-10-05T10:00:00"}})
    after = await gql(PAGE, {"u": user_id})
    spent = [n["progress"]["totalSpent"] for n in after["budgets"]["nodes"]]
    assert spent == ["12.34"] * 3
    assert [n["progress"]["categories"][0]["budgetedAmount"] for n in after["budgets"]["nodes"]] == ["1799.34"] * 3  # Sep and Oct carried: 600 + 600 + 599.34
    # Deleting counts as a write too; so does an edit of the budget.
    budget_id = after["budgets"]["nodes"][0]["id"]
    await gql("mutation($id: ID!, $i: UpdateBudgetInput!) { updateBudget(id: $id, input: $i) { errors { code } } }",
              {"id": budget_id, "i": {"categories": [{"name": "Groceries", "amount": "700.00"}], "effectivePeriod": 0}})
    edited = await gql(PAGE, {"u": user_id})
    # A correction from period 0 on: September, October and November at 700 each.
    assert edited["budgets"]["nodes"][0]["progress"]["categories"][0]["budgetedAmount"] == "2099.34"


def test_a_write_on_one_process_is_seen_at_once_on_another(postgres_url, user_id):
    """Several processes on one database: PostgreSQL's deployment (SQLite serializes
    writers, and two servers on one file time out under load)."""
    with running_server(postgres_url) as one, running_server(postgres_url) as two:
        made = http_gql(one, """mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } } }""", {"i": {
            "userId": user_id, "name": "Shared cache", "type": "PERSONAL", "period": "MONTHLY",
            "startDate": "2025-11-01T00:00:00", "categories": [{"name": "Groceries", "amount": "600.00"}],
        }})
        budget_id = made["createBudget"]["budget"]["id"]
        query = """query($id: ID!) { budget(id: $id) { progress(at: "2025-11-20T12:00:00") { totalSpent } } }"""

        def spent(base: str) -> str:
            return http_gql(base, query, {"id": budget_id})["budget"]["progress"]["totalSpent"]

        assert spent(two) == spent(two) == "0.00"  # cached on process two
        for amount, total in (("10.00", "10.00"), ("2.50", "12.50")):
            http_gql(one, RECORD, {"input": {"userId": user_id, "category": "Groceries", "amount": amount,
                                             "occurredAt": "2025-11-03T09:00:00"}})
            assert spent(two) == total
        rest = httpx_get(two, f"/budgets/{budget_id}/progress")
        assert rest.status_code == 200


def httpx_get(base: str, path: str):
    import httpx

    return httpx.get(base + path, timeout=30)

"""Progress for a page of budgets costs a constant number of SQL statements."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

import httpx
from sqlalchemy import event

from tests.conftest import GraphQLClient
from tests.support.queries import CATEGORY_PROGRESS_FIELDS, RECORD_MANY, record

PAGE_PROGRESS = f"""
query($u: String!, $first: Int) {{
  budgets(userId: $u, first: $first) {{
    nodes {{ id progress(at: "2025-11-15T00:00:00") {{ totalSpent categories {{ {CATEGORY_PROGRESS_FIELDS} }} }}
            periods(last: 3) {{ totalSpent }} }}
  }}
}}
"""


@contextmanager
def counting(engine):
    """The statements sent from this context (the test's requests go through the in-process
    ASGI transport, in the test's task, and the tasks those start inherit it); the app's
    background loops, which share the engine, run in their own contexts and are not counted."""
    statements: list[str] = []
    token = _COUNTING.set(True)

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if _COUNTING.get():
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)
        _COUNTING.reset(token)


_COUNTING: ContextVar[bool] = ContextVar("counting_statements", default=False)


async def _make_budgets(gql, user_id, n, categories):
    cats = [{"name": f"Cat {i}", "amount": "100"} for i in range(categories)]
    inputs = [
        {"userId": user_id, "name": f"B{i}", "type": "PERSONAL", "period": "MONTHLY", "categories": cats,
         "startDate": "2025-01-01T00:00:00", "rolloverEnabled": i % 2 == 0}
        for i in range(n)
    ]
    for item in inputs:
        data = await gql(
            "mutation($i: CreateBudgetInput!) { createBudget(input: $i) { errors { message } } }", {"i": item}
        )
        assert data["createBudget"]["errors"] == []
    for i in range(categories):
        await record(gql, user_id, f"Cat {i}", "10", "2025-11-02T00:00:00")


async def test_statements_do_not_grow_with_budgets_or_categories(app, gql, user_id):
    small, large = user_id + "_small", user_id + "_large"
    await _make_budgets(gql, small, 1, 2)
    await _make_budgets(gql, large, 50, 20)
    engine = app.state.engine
    with counting(engine) as one:
        data = await gql(PAGE_PROGRESS, {"u": small, "first": 50})
    assert len(data["budgets"]["nodes"]) == 1
    with counting(engine) as fifty:
        data = await gql(PAGE_PROGRESS, {"u": large, "first": 50})
    nodes = data["budgets"]["nodes"]
    assert len(nodes) == 50 and all(n["progress"]["totalSpent"] == "200.00" for n in nodes)
    assert all(len(n["progress"]["categories"]) == 20 for n in nodes)
    reads = [s for s in fifty if s.lstrip().upper().startswith("SELECT")]
    assert len(fifty) == len(one), (one, fifty)
    assert len(reads) <= 5, reads


async def test_statement_count_header_is_opt_in(app, client, db_url, user_id):
    from graph.app import create_app
    from graph.settings import Settings

    await _make_budgets(GraphQLClient(client), user_id, 3, 4)
    plain = await client.post("/graphql", json={"query": PAGE_PROGRESS, "variables": {"u": user_id}})
    assert "x-statement-count" not in plain.headers
    counted_app = create_app(Settings(database_url=db_url, migrate_on_start=False, statement_counter=True))
    async with counted_app.router.lifespan_context(counted_app):
        transport = httpx.ASGITransport(app=counted_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://budgetql.test") as counted:
            # Twice: the second is served from this app's progress cache, as the in-process one below is.
            for _ in range(2):
                response = await counted.post("/graphql", json={"query": PAGE_PROGRESS, "variables": {"u": user_id}})
    assert response.status_code == 200 and len(response.json()["data"]["budgets"]["nodes"]) == 3
    with counting(app.state.engine) as in_process:
        await GraphQLClient(client)(PAGE_PROGRESS, {"u": user_id})
    assert int(response.headers["x-statement-count"]) == len(in_process)


async def _past_every_threshold(gql, user_id, categories: int) -> list[dict]:
    """A budget of ``categories`` × 100 with 150 spent in each (every alert raised), and
    the next write's inputs: one more transaction per category."""
    cats = [{"name": f"Cat {i}", "amount": "100"} for i in range(categories)]
    created = await gql(
        "mutation($i: CreateBudgetInput!) { createBudget(input: $i) { errors { message } } }",
        {"i": {"userId": user_id, "name": "B", "type": "PERSONAL", "period": "MONTHLY", "categories": cats,
               "startDate": "2025-11-01T00:00:00"}},
    )
    assert created["createBudget"]["errors"] == []
    data = await gql(RECORD_MANY, {"inputs": [
        {"userId": user_id, "category": f"Cat {i}", "amount": "150", "occurredAt": "2025-11-03T00:00:00"}
        for i in range(categories)
    ]})
    assert data["recordTransactions"]["errors"] == [], data
    return [
        {"userId": user_id, "category": f"Cat {i}", "amount": "1", "occurredAt": "2025-11-04T00:00:00"}
        for i in range(categories)
    ]


async def test_a_write_past_every_threshold_does_not_grow_with_categories(app, gql, user_id):
    few, many = await _past_every_threshold(gql, user_id + "_few", 2), await _past_every_threshold(gql, user_id + "_many", 20)
    alerts = await gql("query($u: String!) { alerts(userId: $u, first: 500) { totalCount } }", {"u": user_id + "_many"})
    assert alerts["alerts"]["totalCount"] >= 3 * 21  # three levels for each category and the total
    with counting(app.state.engine) as for_few:
        await gql(RECORD_MANY, {"inputs": few})
    with counting(app.state.engine) as for_many:
        data = await gql(RECORD_MANY, {"inputs": many})
    assert data["recordTransactions"]["createdCount"] == 20
    # Nothing new to raise: no alert is written, and the statements are the same for 2 or 20
    # categories.
    assert not [s for s in for_many if "INSERT INTO alerts" in s], for_many
    assert len(for_many) == len(for_few), (for_few, for_many)

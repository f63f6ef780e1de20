"""Hostile and oversized requests are rejected with a clear code before any database work."""

from __future__ import annotations

import pytest
from graphql import get_introspection_query

from graph.settings import Settings

from tests.support.queries import RECORD_MANY, app_client
from tests.graphql.test_query_cost import counting

LIMITS = dict(max_query_depth=3, max_tokens=60, max_aliases=2, max_body_bytes=4000)


@pytest.fixture(scope="module")
async def limited(db_url):
    async with app_client(db_url, **LIMITS) as pair:
        yield pair


async def rejected(pair, body: dict, code: str) -> dict:
    """Post ``body``; assert it is rejected with ``code`` and no SQL statement ran."""
    application, http = pair
    with counting(application.state.engine) as statements:
        response = await http.post("/graphql", json=body)
    assert response.status_code == 200, response.text
    payload = response.json()
    assert payload.get("data") is None, payload
    assert payload["errors"] and {e["extensions"]["code"] for e in payload["errors"]} == {code}, payload
    assert statements == []
    return payload


async def test_too_deep_is_rejected_and_the_limit_itself_passes(limited, user_id):
    payload = await rejected(
        limited, {"query": f'{{ budgets(userId: "{user_id}") {{ nodes {{ progress {{ categories {{ status }} }} }} }} }}'}, "QUERY_TOO_DEEP"
    )
    assert "exceeds maximum operation depth of 3" in payload["errors"][0]["message"]
    ok = await limited[1].post("/graphql", json={"query": f'{{ budgets(userId: "{user_id}") {{ nodes {{ id }} }} }}'})
    assert ok.json() == {"data": {"budgets": {"nodes": []}}}


async def test_fragments_count_towards_depth(limited, user_id):
    query = (
        f'query {{ budgets(userId: "{user_id}") {{ ...Page }} }} '
        "fragment Page on BudgetConnection { nodes { progress { categories { status } } } }"
    )
    await rejected(limited, {"query": query}, "QUERY_TOO_DEEP")


async def test_too_many_tokens_is_rejected(limited):
    query = "{ " + " ".join(f"t{i}: templates {{ key }}" for i in range(20)) + " }"
    payload = await rejected(limited, {"query": query}, "TOO_MANY_TOKENS")
    assert "more than 60 tokens" in payload["errors"][0]["message"]


async def test_too_many_aliases_is_rejected_and_the_limit_itself_passes(limited):
    payload = await rejected(limited, {"query": "{ a: templates { key } b: templates { key } c: templates { key } }"}, "TOO_MANY_ALIASES")
    assert payload["errors"][0]["message"] == "3 aliases found. Allowed: 2"
    ok = (await limited[1].post("/graphql", json={"query": "{ a: templates { key } b: templates { key } }"})).json()
    assert "errors" not in ok and len(ok["data"]["a"]) == len(ok["data"]["b"]) == 5


async def test_graphiql_introspection_passes_the_default_limits(client):
    query = get_introspection_query(
        descriptions=True, specified_by_url=True, directive_is_repeatable=True, schema_description=True, input_value_deprecation=True
    )
    body = (await client.post("/graphql", json={"query": query, "operationName": "IntrospectionQuery"})).json()
    assert "errors" not in body, body.get("errors")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_introspection_can_be_switched_off(db_url):
    async with app_client(db_url, introspection=False) as pair:
        payload = await rejected(pair, {"query": "{ __schema { queryType { name } } }"}, "INTROSPECTION_DISABLED")
        assert "introspection has been disabled" in payload["errors"][0]["message"]
        await rejected(pair, {"query": '{ __type(name: "Budget") { name } }'}, "INTROSPECTION_DISABLED")
        typename = await pair[1].post("/graphql", json={"query": "{ __typename }"})
        assert typename.json() == {"data": {"__typename": "Query"}}


async def test_oversized_bodies_get_413_before_the_app_reads_them(limited):
    application, http = limited
    with counting(application.state.engine) as statements:
        declared = await http.post("/graphql", json={"query": "{ templates { key } }", "variables": {"pad": "x" * 5000}})

        async def chunks():  # no Content-Length: the limit is found while reading
            for _ in range(10):
                yield b"x" * 1000

        streamed = await http.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
        rest = await http.post("/budgets", content=b'{"name": "' + b"x" * 5000 + b'"}', headers={"content-type": "application/json"})
    assert statements == []
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json() == {
            "errors": [{"message": "Request body too large: at most 4000 bytes", "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]
        }
    assert rest.status_code == 413
    assert rest.json() == {"detail": "Request body too large: at most 4000 bytes", "code": "PAYLOAD_TOO_LARGE"}
    fits = await http.post("/graphql", json={"query": "{ templates { key } }", "variables": {"pad": "x" * 3000}})
    assert fits.status_code == 200 and len(fits.json()["data"]["templates"]) == 5


@pytest.mark.parametrize(
    "query, variables",
    [
        ('query($u: String!) { budgets(userId: $u, first: 501) { totalCount } }', {}),
        ('query($u: String!) { transactions(userId: $u, first: 501) { totalCount } }', {}),
        ('query($u: String!) { alerts(userId: $u, first: 501) { totalCount } }', {}),
    ],
    ids=["budgets", "transactions", "alerts"],
)
async def test_page_sizes_are_capped_before_any_query(app, client, user_id, query, variables):
    with counting(app.state.engine) as statements:
        body = (await client.post("/graphql", json={"query": query, "variables": {"u": user_id, **variables}})).json()
    assert statements == []
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "VALIDATION", "field": ["first"]}
    assert "500" in body["errors"][0]["message"]


async def test_batches_are_capped_before_any_query(app, client, user_id):
    item = {"userId": user_id, "category": "Groceries", "amount": "1.00", "occurredAt": "2025-11-02T00:00:00"}
    with counting(app.state.engine) as statements:
        body = (await client.post("/graphql", json={"query": RECORD_MANY, "variables": {"inputs": [item] * 1001}})).json()
        categories = [{"name": f"C{i}", "amount": "1"} for i in range(201)]
        too_many = (
            await client.post(
                "/graphql",
                json={
                    "query": "mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } errors { code field message } } }",
                    "variables": {"i": {"userId": user_id, "name": "Big", "type": "PERSONAL", "period": "MONTHLY", "categories": categories}},
                },
            )
        ).json()
    assert statements == []
    assert body["data"]["recordTransactions"]["errors"] == [
        {"field": ["inputs"], "code": "VALIDATION", "message": "A batch holds at most 1000 transactions (got 1001)"}
    ]
    errors = too_many["data"]["createBudget"]["errors"]
    assert too_many["data"]["createBudget"]["budget"] is None
    assert [e["code"] for e in errors] == ["VALIDATION"] and "200" in errors[0]["message"]


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("BUDGETQL_MAX_QUERY_DEPTH", "7")
    monkeypatch.setenv("BUDGETQL_MAX_TOKENS", "900")
    monkeypatch.setenv("BUDGETQL_MAX_ALIASES", "4")
    monkeypatch.setenv("BUDGETQL_MAX_BODY_BYTES", "65536")
    monkeypatch.setenv("BUDGETQL_INTROSPECTION", "off")
    settings = Settings.from_env("sqlite:///x.db")
    assert (settings.max_query_depth, settings.max_tokens, settings.max_aliases) == (7, 900, 4)
    assert (settings.max_body_bytes, settings.introspection) == (65536, False)
    monkeypatch.setenv("BUDGETQL_INTROSPECTION", "maybe")
    with pytest.raises(ValueError, match="BUDGETQL_INTROSPECTION must be on or off"):
        Settings.from_env("sqlite:///x.db")
    monkeypatch.setenv("BUDGETQL_INTROSPECTION", "on")
    monkeypatch.setenv("BUDGETQL_MAX_TOKENS", "-1")
    with pytest.raises(ValueError, match="BUDGETQL_MAX_TOKENS must be positive"):
        Settings.from_env("sqlite:///x.db")
    defaults = Settings(database_url="sqlite:///x.db")
    assert defaults.introspection is True and defaults.max_body_bytes == 1_048_576

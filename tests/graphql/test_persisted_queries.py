"""Automatic persisted queries (Apollo's APQ) on /graphql over GET and POST: a hash the
server does not know is PERSISTED_QUERY_NOT_FOUND, the hash with its query registers
it, then the hash alone runs it; GET still runs queries only and the limits still apply."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.support.queries import CREATE, budget_input, create_budget, app_client
from tests.graphql.test_limits import LIMITS

NOT_FOUND = {"errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]}


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query: str, version: int = 1) -> dict:
    return {"persistedQuery": {"version": version, "sha256Hash": sha(query)}}


def budgets_query(user_id: str) -> str:
    # The user id makes each test's text (so its hash) its own in the shared app's cache.
    return f'query Names {{ budgets(userId: "{user_id}") {{ nodes {{ id name }} }} }}'


async def post(http, query: str | None, extensions: dict, variables: dict | None = None):
    body = {"extensions": extensions, **({"query": query} if query is not None else {}), "variables": variables or {}}
    return await http.post("/graphql", json=body)


async def get(http, query: str | None, extensions: dict, variables: dict | None = None, **headers):
    params = {"extensions": json.dumps(extensions)}
    if query is not None:
        params["query"] = query
    if variables:
        params["variables"] = json.dumps(variables)
    return await http.get("/graphql", params=params, headers=headers)


async def test_post_miss_then_register_then_hit(client, gql, user_id):
    budget = await create_budget(gql, user_id)
    query = budgets_query(user_id)
    expected = {"data": {"budgets": {"nodes": [{"id": budget["id"], "name": budget["name"]}]}}}

    miss = await post(client, None, persisted(query))
    assert miss.status_code == 200 and miss.json() == NOT_FOUND

    registered = await post(client, query, persisted(query))
    assert registered.status_code == 200 and registered.json() == expected

    hit = await post(client, None, persisted(query))
    assert hit.status_code == 200 and hit.json() == expected


async def test_get_miss_then_register_then_hit_with_variables(client, gql, user_id):
    budget = await create_budget(gql, user_id)
    query = f"query One($id: ID!) {{ budget(id: $id) {{ id name }} }} # {user_id}"
    variables = {"id": budget["id"]}
    expected = {"data": {"budget": {"id": budget["id"], "name": budget["name"]}}}

    # httpx sends "Accept: */*", which would ask for GraphiQL if this were not an operation.
    miss = await get(client, None, persisted(query), variables)
    assert miss.status_code == 200 and miss.json() == NOT_FOUND

    registered = await get(client, query, persisted(query), variables)
    assert registered.status_code == 200 and registered.json() == expected

    hit = await get(client, None, persisted(query), variables, accept="text/html,application/json")
    assert hit.status_code == 200 and hit.json() == expected
    # The same hash over POST: one cache for both methods.
    assert (await post(client, None, persisted(query), variables)).json() == expected


async def test_a_persisted_mutation_does_not_run_over_get(client, gql, user_id):
    variables = {"input": budget_input(user_id)}
    registered = await post(client, CREATE, persisted(CREATE), variables)
    assert registered.json()["data"]["createBudget"]["errors"] == []

    refused = await get(client, None, persisted(CREATE), variables)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    names = await gql(budgets_query(user_id))
    assert len(names["budgets"]["nodes"]) == 1  # only the POST created one

    # Sent with its text over GET, it is refused the same way, and still nothing is stored.
    refused = await get(client, CREATE, persisted(CREATE), variables)
    assert refused.status_code == 400
    assert len((await gql(budgets_query(user_id)))["budgets"]["nodes"]) == 1


async def test_a_hash_that_does_not_match_its_query_is_refused_and_not_registered(client, user_id):
    query = budgets_query(user_id)
    other = budgets_query(user_id + "_other")
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": sha(other)}}
    for send in (post, get):
        response = await send(client, query, wrong)
        assert response.status_code == 400
        assert response.json() == {
            "errors": [{"message": "provided sha does not match query", "extensions": {"code": "BAD_REQUEST"}}]
        }
    assert (await post(client, None, persisted(other))).json() == NOT_FOUND
    assert (await post(client, None, persisted(query))).json() == NOT_FOUND


@pytest.mark.parametrize(
    "extension",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}},
        {"persistedQuery": {"sha256Hash": "0" * 64}},
        {"persistedQuery": {"version": 1, "sha256Hash": "not-a-hash"}},
        {"persistedQuery": {"version": 1}},
        {"persistedQuery": "abc"},
    ],
)
async def test_a_malformed_persisted_query_is_a_bad_request(client, extension):
    for send in (post, get):
        response = await send(client, None, extension)
        assert response.status_code == 400, response.text
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_REQUEST" and "persisted" in error["message"].lower()


async def test_limits_apply_to_persisted_queries(db_url, user_id):
    async with app_client(db_url, **LIMITS) as (_, http):
        deep = f'{{ budgets(userId: "{user_id}") {{ nodes {{ progress {{ categories {{ status }} }} }} }} }}'
        many = "{ a: templates { key } b: templates { key } c: templates { key } }"
        for query, code in ((deep, "QUERY_TOO_DEEP"), (many, "TOO_MANY_ALIASES")):
            for send in (post, get):
                rejected = (await send(http, query, persisted(query))).json()
                assert rejected.get("data") is None
                assert {e["extensions"]["code"] for e in rejected["errors"]} == {code}
                # Rejected, so not kept: its hash alone is still unknown.
                assert (await send(http, None, persisted(query))).json() == NOT_FOUND

        ok = budgets_query(user_id)
        assert (await post(http, ok, persisted(ok))).json() == {"data": {"budgets": {"nodes": []}}}
        assert (await get(http, None, persisted(ok))).json() == {"data": {"budgets": {"nodes": []}}}


async def test_the_cache_is_bounded_and_keeps_the_most_recently_used(db_url, user_id):
    async with app_client(db_url, persisted_query_cache_size=2) as (_, http):
        first, second, third = (budgets_query(f"{user_id}_{n}") for n in range(3))
        empty = {"data": {"budgets": {"nodes": []}}}
        for query in (first, second):
            assert (await post(http, query, persisted(query))).json() == empty
        assert (await post(http, None, persisted(first))).json() == empty  # first is now the most recent

        assert (await post(http, third, persisted(third))).json() == empty  # evicts second
        assert (await post(http, None, persisted(second))).json() == NOT_FOUND
        assert (await post(http, None, persisted(first))).json() == empty
        assert (await get(http, None, persisted(third))).json() == empty


async def test_requests_without_a_persisted_query_are_unchanged(client, user_id):
    query = budgets_query(user_id)
    assert (await client.post("/graphql", json={"query": query, "extensions": {"other": 1}})).json() == {
        "data": {"budgets": {"nodes": []}}
    }
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    missing = await client.post("/graphql", json={"extensions": {}})
    assert missing.status_code == 400 and missing.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"

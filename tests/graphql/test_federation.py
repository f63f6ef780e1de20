"""Apollo Federation v2: ``/graphql`` is also a subgraph. ``_service { sdl }`` is
schema.graphql; ``_entities`` resolves ``Budget`` and ``User`` references under the
request's actor with ``budget(id:)``'s and ``budgets(userId:)``'s rules, in one batch,
capped at a page's worth, with the fast path on or off alike.
(tests/e2e/test_federation.py composes it behind a real gateway.)"""

from __future__ import annotations

from pathlib import Path

import httpx

from domain.paging import PAGE_MAX
from graph.api.schema import export_sdl

from tests.graphql.test_nodes import JWT, Viewer
from tests.graphql.test_query_cost import counting
from tests.graphql.test_sharing import ACCEPT, SHARE
from tests.support.auth import mint, new_user
from tests.support.queries import app_client, create_budget

ROOT = Path(__file__).resolve().parents[2]
SDL = "{ _service { sdl } }"
ENTITIES = """
query($r: [_Any!]!) {
  _entities(representations: $r) {
    __typename
    ... on Budget { id name userId totalBudgeted categories { name amount } }
    ... on User { id budgets(first: 10) { totalCount nodes { id name } } }
  }
}
"""
BUDGETS = "query($u: String) { budgets(userId: $u, first: 10) { totalCount nodes { id name } } }"


def budget_ref(budget_id: str) -> dict:
    return {"__typename": "Budget", "id": budget_id}


def user_ref(user: str) -> dict:
    return {"__typename": "User", "id": user}


async def raw(http: httpx.AsyncClient, user: str, query: str, variables: dict | None = None) -> dict:
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}},
                               headers={"Authorization": f"Bearer {mint(user)}"})
    assert response.status_code == 200, response.text
    return response.json()


async def test_service_sdl_is_the_exported_schema_with_the_federation_link_and_keys(gql):
    sdl = (await gql(SDL))["_service"]["sdl"]
    assert sdl.rstrip() + "\n" == export_sdl() == (ROOT / "schema.graphql").read_text()
    assert 'schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key"])' in sdl
    assert 'type Budget implements Node @key(fields: "id")' in sdl
    assert 'type User @key(fields: "id")' in sdl
    assert "union _Entity = Budget | User" in sdl


async def test_service_sdl_needs_authentication_like_every_operation(db_url):
    async with app_client(db_url, auth=JWT, webhook_worker=False) as (_, http):
        response = await http.post("/graphql", json={"query": SDL})
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert (await Viewer(http, new_user())(SDL))["_service"]["sdl"] == export_sdl().rstrip()


async def test_service_sdl_is_refused_with_introspection(db_url):
    async with app_client(db_url, introspection=False, webhook_worker=False) as (_, http):
        response = await http.post("/graphql", json={"query": SDL})
        body = response.json()
        assert body.get("data") is None, body
        assert [e["extensions"]["code"] for e in body["errors"]] == ["INTROSPECTION_DISABLED"]
        assert "budgetql export-schema" in body["errors"][0]["message"]
        # _entities is an ordinary field: still served.
        ok = await http.post("/graphql", json={"query": ENTITIES, "variables": {"r": [budget_ref("bud_none")]}})
        assert ok.json() == {"data": {"_entities": [None]}}


async def test_budget_references_follow_budget_id_visibility(db_url):
    async with app_client(db_url, auth=JWT, webhook_worker=False) as (_, http):
        alice, bob = Viewer(http, new_user("alice")), Viewer(http, new_user("bob"))
        mine = await create_budget(alice, alice.user, name="Alice's")
        theirs = await create_budget(bob, bob.user, name="Bob's")
        refs = [budget_ref(theirs["id"]), budget_ref(mine["id"]), budget_ref("bud_missing0000"), budget_ref("txn_x")]
        found = (await alice(ENTITIES, {"r": refs}))["_entities"]
        assert found[0] is None and found[2] is None and found[3] is None
        assert found[1] == {"__typename": "Budget", "id": mine["id"], "name": "Alice's", "userId": alice.user,
                            "totalBudgeted": "800.00", "categories": mine["categories"]}
        assert found[1] == {"__typename": "Budget", **(await alice(
            "query($id: ID!) { budget(id: $id) { id name userId totalBudgeted categories { name amount } } }",
            {"id": mine["id"]}))["budget"]}
        # Bob sees his own, not Alice's, until she shares it and he accepts.
        assert [e and e["id"] for e in (await bob(ENTITIES, {"r": refs}))["_entities"]] == [theirs["id"], None, None, None]
        sent = (await alice(SHARE, {"b": mine["id"], "u": bob.user, "role": "VIEWER"}))["shareBudget"]
        assert (await bob(ENTITIES, {"r": [budget_ref(mine["id"])]}))["_entities"] == [None]
        assert (await bob(ACCEPT, {"id": sent["invitation"]["id"]}))["acceptInvitation"]["errors"] == []
        shared = (await bob(ENTITIES, {"r": [budget_ref(mine["id"])]}))["_entities"]
        assert shared[0]["id"] == mine["id"] and shared[0]["userId"] == alice.user


async def test_user_references_have_the_budgets_of_budgets_user_id(db_url):
    async with app_client(db_url, auth=JWT, webhook_worker=False) as (_, http):
        alice, bob = Viewer(http, new_user("alice")), Viewer(http, new_user("bob"))
        for name in ("First", "Second"):
            await create_budget(alice, alice.user, name=name)
        (user,) = (await alice(ENTITIES, {"r": [user_ref(alice.user)]}))["_entities"]
        assert user == {"__typename": "User", "id": alice.user,
                        "budgets": (await alice(BUDGETS, {"u": alice.user}))["budgets"]}
        assert user["budgets"]["totalCount"] == 2 and [b["name"] for b in user["budgets"]["nodes"]] == ["Second", "First"]

        # Another user's budgets: the error budgets(userId:) gives, and nothing of theirs.
        expected = await raw(http, bob.user, BUDGETS, {"u": alice.user})
        body = await raw(http, bob.user, ENTITIES, {"r": [user_ref(alice.user)]})
        assert body["data"] == {"_entities": [None]}
        (error,) = body["errors"]
        assert error["extensions"] == expected["errors"][0]["extensions"] and error["extensions"]["code"] == "FORBIDDEN"
        assert error["path"] == ["_entities", 0, "budgets"]
        assert error["message"] == expected["errors"][0]["message"]


async def test_references_are_read_in_one_batch(app, gql, user_id):
    """Statements per request, not per reference: 3 budgets cost what 30 do."""
    ids = [(await create_budget(gql, user_id, name=f"B{i}"))["id"] for i in range(30)]
    counts = []
    for n in (3, 30):
        with counting(app.state.engine) as statements:
            found = (await gql(ENTITIES, {"r": [budget_ref(i) for i in ids[:n]]}))["_entities"]
        assert [b["id"] for b in found] == ids[:n]
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


async def test_bad_representations_are_validation_errors_and_nothing_is_read(gql):
    cases = [
        ([{"id": "bud_x"}], ["representations", "0", "__typename"], "__typename must be one of this subgraph's entities: Budget, User"),
        ([budget_ref("bud_x"), {"__typename": "Transaction", "id": "txn_x"}], ["representations", "1", "__typename"], None),
        ([{"__typename": "Budget"}], ["representations", "0", "id"], "A Budget representation needs its key, id (a string)"),
        ([{"__typename": "User", "id": 7}], ["representations", "0", "id"], None),
        (["bud_x"], ["representations", "0"], "A representation is an object: {__typename, id}"),
        ([budget_ref("bud_x")] * (PAGE_MAX + 1), ["representations"], f"At most {PAGE_MAX} ids per request (got {PAGE_MAX + 1})"),
    ]
    for representations, field, message in cases:
        body = await gql.raw(ENTITIES, {"r": representations})
        assert body["data"] is None, body
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "VALIDATION", "field": field}, (representations[:2], error)
        if message is not None:
            assert error["message"] == message
    assert len((await gql(ENTITIES, {"r": [budget_ref("bud_x")] * PAGE_MAX}))["_entities"]) == PAGE_MAX
    # Extra fields of a representation are ignored (a gateway sends only the key).
    assert (await gql(ENTITIES, {"r": [{**user_ref("someone"), "name": "x"}]}))["_entities"][0]["id"] == "someone"


async def test_entities_answer_the_same_with_and_without_the_fast_path(db_url, user_id):
    answers = []
    for fast_path in (True, False):
        async with app_client(db_url, fast_path=fast_path, webhook_worker=False) as (_, http):
            if fast_path:
                made = [await create_budget(_Client(http), user_id, name=f"F{i}") for i in range(3)]
            refs = [budget_ref(b["id"]) for b in made] + [budget_ref("bud_none"), user_ref(user_id)]
            response = await http.post("/graphql", json={"query": ENTITIES, "variables": {"r": refs}})
            assert response.status_code == 200 and "errors" not in response.json(), response.text
            answers.append(response.content)
    assert answers[0] == answers[1]


class _Client:
    def __init__(self, http: httpx.AsyncClient):
        self.http = http

    async def __call__(self, query: str, variables: dict | None = None) -> dict:
        body = (await self.http.post("/graphql", json={"query": query, "variables": variables or {}})).json()
        assert not body.get("errors"), body
        return body["data"]

"""budgetql behind a real Apollo gateway (``@apollo/gateway`` with ``IntrospectAndCompose``,
tests/e2e/federation/), composed with a second subgraph, ``profiles`` (node), which owns
users' display names and adds ``label`` to budgetql's budgets.

The real server runs with BUDGETQL_AUTH=jwt (``jwt_server``, once per backend); the
gateway forwards each client's Authorization header, so budgetql applies the client's
own rules: a query joins both subgraphs both ways, another tenant's budget reached
through ``_entities`` is null, another user's budgets are FORBIDDEN, and a client with no
token gets nothing (the gateway's own token only ever reads the SDL).
"""

from __future__ import annotations

import httpx
import pytest

from tests.graphql.test_sharing import ACCEPT, SHARE
from tests.support.auth import Api, mint, new_user
from tests.support.federation import running_gateway
from tests.support.queries import CREATE, budget_input

JOIN = """
query($u: ID!) {
  profile(id: $u) {
    id displayName
    budgets(first: 10) { totalCount nodes { id name userId totalBudgeted label } }
  }
}
"""
REFS = """
query($mine: ID!, $theirs: ID!) {
  mine: budgetRef(id: $mine) { id label name userId categories { name amount } }
  theirs: budgetRef(id: $theirs) { id label name }
}
"""
BUDGET = "query($id: ID!) { budget(id: $id) { id name userId label } }"
OWN_BUDGETS = "query($u: String) { budgets(userId: $u, first: 10) { totalCount nodes { id name userId totalBudgeted } } }"
ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Budget { id name } } }"


@pytest.fixture(scope="module")
def gateway(jwt_server):
    with running_gateway(jwt_server, service_token=mint("federation-gateway")) as url:
        yield url


def through(gateway: str, token: str | None, query: str, variables: dict | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(gateway, json={"query": query, "variables": variables or {}}, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _create(api: Api, name: str) -> str:
    payload = api(CREATE, {"input": budget_input(api.user, name=name)})["createBudget"]
    assert payload["errors"] == [], payload
    return payload["budget"]["id"]


def test_a_gateway_query_joins_budgetql_with_the_second_subgraph(jwt_server, gateway):
    alice, bob = Api(jwt_server, new_user("alice")), Api(jwt_server, new_user("bob"))
    own = [_create(alice, "Groceries"), _create(alice, "Holidays")]
    shared = _create(bob, "Household")
    invitation = bob(SHARE, {"b": shared, "u": alice.user, "role": "VIEWER"})["shareBudget"]["invitation"]
    assert alice(ACCEPT, {"id": invitation["id"]})["acceptInvitation"]["errors"] == []

    # profiles -> budgetql (User.budgets, as Alice) -> profiles (Budget.label).
    body = through(gateway, alice.token, JOIN, {"u": alice.user})
    assert "errors" not in body, body
    profile = body["data"]["profile"]
    assert profile["id"] == alice.user and profile["displayName"] == f"Profile of {alice.user}"
    expected = alice(OWN_BUDGETS, {"u": alice.user})["budgets"]
    assert profile["budgets"] == {
        "totalCount": expected["totalCount"],
        "nodes": [{**b, "label": f"label:{b['id']}"} for b in expected["nodes"]],
    }
    assert {b["id"] for b in profile["budgets"]["nodes"]} == {*own, shared}

    # budgetql -> profiles: a root field of budgetql with a field of the other subgraph.
    body = through(gateway, alice.token, BUDGET, {"id": shared})
    assert body == {"data": {"budget": {"id": shared, "name": "Household", "userId": bob.user, "label": f"label:{shared}"}}}


def test_another_tenants_budget_through_the_gateway_is_null(jwt_server, gateway):
    alice, bob = Api(jwt_server, new_user("alice")), Api(jwt_server, new_user("bob"))
    mine, theirs = _create(alice, "Mine"), _create(bob, "Theirs")

    # profiles hands out references to both; budgetql's _entities resolves only Alice's.
    body = through(gateway, alice.token, REFS, {"mine": mine, "theirs": theirs})
    assert body["data"]["mine"] == {"id": mine, "label": f"label:{mine}", "name": "Mine", "userId": alice.user,
                                    "categories": [{"name": "Groceries", "amount": "600.00"},
                                                   {"name": "Restaurants", "amount": "200.00"}]}
    assert body["data"]["theirs"] is None
    assert "Theirs" not in str(body)
    # What the gateway was told, asked directly: null, not an error.
    assert alice(ENTITIES, {"r": [{"__typename": "Budget", "id": theirs}]}) == {"_entities": [None]}
    # Bob, forwarded as himself, sees his.
    assert through(gateway, bob.token, REFS, {"mine": mine, "theirs": theirs})["data"]["theirs"]["name"] == "Theirs"


def test_another_users_budgets_are_forbidden_as_in_budgets_user_id(jwt_server, gateway):
    alice, bob = Api(jwt_server, new_user("alice")), Api(jwt_server, new_user("bob"))
    _create(bob, "Private")
    body = through(gateway, alice.token, JOIN, {"u": bob.user})
    assert body["data"] == {"profile": None}, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN" and error["extensions"]["serviceName"] == "budgetql"
    assert error["path"] == ["profile", "budgets"]
    assert alice.error_code(OWN_BUDGETS, {"u": bob.user}) == "FORBIDDEN"


def test_the_gateway_forwards_no_token_of_its_own(jwt_server, gateway):
    user = new_user()
    for token in (None, "not-a-token"):
        body = through(gateway, token, JOIN, {"u": user})
        assert body["data"] == {"profile": None}, body
        codes = [e["extensions"]["code"] for e in body["errors"]]
        assert codes == ["UNAUTHENTICATED"], body
        assert body["errors"][0]["extensions"]["response"]["status"] == 401

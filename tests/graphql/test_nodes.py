"""Relay: ``node(id:)`` and ``nodes(ids:)`` refetch every Node type by its own id, with the
visibility of the single-object reads (another tenant's id is null, never an error),
in one batch per kind, capped at a page's worth of ids."""

from __future__ import annotations

import httpx

from domain.paging import PAGE_MAX
from graph.settings import AuthSettings

from tests.graphql.test_alerts import current_budget, now_iso
from tests.graphql.test_query_cost import counting
from tests.graphql.test_sharing import ACCEPT, SHARE, UNSHARE
from tests.e2e.test_webhooks import REGISTER, SECRET
from tests.support.auth import AUDIENCE, ISSUER, SECRET as JWT_SECRET, mint, new_user
from tests.support.queries import CREATE, app_client, create_budget, record

FIELDS = """
  __typename id
  ... on Budget { name userId }
  ... on Transaction { amount userId }
  ... on BudgetAlert { alertType budgetId userId }
  ... on Webhook { url userId }
  ... on Template { key builtIn }
"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ {FIELDS} }} }}"
NODES = f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ {FIELDS} }} }}"
TEMPLATE = """
mutation($u: String) { createTemplate(input: {userId: $u, key: "family_plan", name: "Family",
  categories: [{name: "Rent", percent: "60"}, {name: "Food", percent: "40"}]}) {
  template { id key builtIn } errors { field code message } } }
"""
ALERT_IDS = "query($u: String) { alerts(userId: $u) { nodes { id } } }"
MALFORMED = ["", "bud_", "bud_nope", "txn_\u0000x", "tpl_", "tpl_/family_plan", "tpl_someone/Not-A-Key",
             "tpl_no_such_builtin", "whk_x", "alr_x", "nothing", "\ud7ff", "tpl_u/50_30_20", "x" * 5000]


async def tenant_objects(gql, user: str | None) -> dict[str, str]:
    """One of each Node type of ``user`` (None: the viewer): typename -> its id."""
    budget = await gql(CREATE, {"input": current_budget(user) if user else _viewer(current_budget("x"))})
    budget_id = budget["createBudget"]["budget"]["id"]
    txn = await gql(
        "mutation($i: RecordTransactionInput!) { recordTransaction(input: $i) { transaction { id } errors { message } } }",
        {"i": {**({"userId": user} if user else {}), "category": "Groceries", "amount": "120.00", "occurredAt": now_iso()}},
    )
    hook = await gql(REGISTER, {"input": {**({"userId": user} if user else {}), "url": "https://hooks.budgetql-test.invalid/h",
                                           "secret": SECRET}})
    template = (await gql(TEMPLATE, {"u": user}))["createTemplate"]
    assert template["errors"] == [], template
    alerts = (await gql(ALERT_IDS, {"u": user}))["alerts"]["nodes"]
    assert alerts, "spending 120 of 100 raises alerts"
    return {
        "Budget": budget_id,
        "Transaction": txn["recordTransaction"]["transaction"]["id"],
        "BudgetAlert": alerts[0]["id"],
        "Webhook": hook["registerWebhook"]["webhook"]["id"],
        "Template": template["template"]["id"],
    }


def _viewer(budget_input: dict) -> dict:
    return {k: v for k, v in budget_input.items() if k != "userId"}


async def test_node_round_trips_every_type(gql, user_id):
    made = await tenant_objects(gql, user_id)
    assert made["Budget"].startswith("bud_") and made["Transaction"].startswith("txn_")
    assert made["BudgetAlert"].startswith("alr_") and made["Webhook"].startswith("whk_")
    assert made["Template"] == f"tpl_{user_id}/family_plan"
    for typename, node_id in made.items():
        node = (await gql(NODE, {"id": node_id}))["node"]
        assert node["__typename"] == typename and node["id"] == node_id, node
        assert node.get("userId", user_id) == user_id
    template = (await gql(NODE, {"id": made["Template"]}))["node"]
    assert template["key"] == "family_plan" and template["builtIn"] is False
    # The same object as the type's own read gives.
    budget = (await gql("query($id: ID!) { budget(id: $id) { id name } }", {"id": made["Budget"]}))["budget"]
    assert (await gql(NODE, {"id": made["Budget"]}))["node"]["name"] == budget["name"]
    # Built-in templates are Nodes too: everyone's, by their key.
    builtin = (await gql(NODE, {"id": "tpl_50_30_20"}))["node"]
    assert builtin == {"__typename": "Template", "id": "tpl_50_30_20", "key": "50_30_20", "builtIn": True}
    listed = (await gql("query($u: String) { templates(userId: $u) { id key } }", {"u": user_id}))["templates"]
    assert {"id": made["Template"], "key": "family_plan"} in listed
    assert all(t["id"] == f"tpl_{t['key']}" for t in listed if t["key"] != "family_plan")


async def test_nodes_keeps_the_order_of_ids_with_null_where_not_found(gql, user_id):
    made = await tenant_objects(gql, user_id)
    ids = ["bud_missing0000", made["Webhook"], made["Budget"], "nothing", made["Transaction"], made["Budget"],
           made["Template"], "tpl_zero_based", made["BudgetAlert"]]
    nodes = (await gql(NODES, {"ids": ids}))["nodes"]
    assert [n and n["id"] for n in nodes] == [None, *ids[1:3], None, *ids[4:]]
    assert [n["__typename"] for n in nodes if n] == ["Webhook", "Budget", "Transaction", "Budget", "Template",
                                                     "Template", "BudgetAlert"]
    assert (await gql(NODES, {"ids": []}))["nodes"] == []


async def test_unknown_and_malformed_ids_are_null_not_errors(gql):
    for node_id in MALFORMED:
        assert (await gql(NODE, {"id": node_id}))["node"] is None, node_id
    assert (await gql(NODES, {"ids": MALFORMED}))["nodes"] == [None] * len(MALFORMED)


async def test_nodes_takes_at_most_a_page_of_ids(gql):
    assert len((await gql(NODES, {"ids": ["bud_x"] * PAGE_MAX}))["nodes"]) == PAGE_MAX
    body = await gql.raw(NODES, {"ids": ["bud_x"] * (PAGE_MAX + 1)})
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "VALIDATION", "field": ["ids"]}
    assert error["message"] == f"At most {PAGE_MAX} ids per request (got {PAGE_MAX + 1})"


async def test_nodes_reads_each_kind_in_one_batch(app, gql, user_id):
    """Statements per kind, not per id: 3 of each kind cost what 30 of each do."""
    budgets = [(await create_budget(gql, user_id, name=f"B{i}"))["id"] for i in range(30)]
    txns = [(await record(gql, user_id, "Fun", "1.00", f"2025-10-{i + 1:02d}T12:00:00"))["id"] for i in range(30)]
    counts = []
    for n in (3, 30):
        with counting(app.state.engine) as statements:
            nodes = (await gql(NODES, {"ids": [*budgets[:n], *txns[:n]]}))["nodes"]
        assert [x["id"] for x in nodes] == [*budgets[:n], *txns[:n]]
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


class Viewer:
    """One user's GraphQL client for an in-process app with authentication on."""

    def __init__(self, http: httpx.AsyncClient, user: str):
        self.user = user
        self.headers = {"Authorization": f"Bearer {mint(user)}"}
        self.http = http

    async def __call__(self, query: str, variables: dict | None = None) -> dict:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=self.headers)
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return body["data"]


JWT = AuthSettings(mode="jwt", jwt_secret=JWT_SECRET, issuer=ISSUER, audience=AUDIENCE)


async def test_another_tenants_ids_are_null_and_sharing_shows_the_budget_and_its_alerts(db_url):
    async with app_client(db_url, auth=JWT, webhook_worker=False) as (_, http):
        alice, bob = Viewer(http, new_user("alice")), Viewer(http, new_user("bob"))
        made = await tenant_objects(alice, None)
        assert made["Template"] == f"tpl_{alice.user}/family_plan"
        ids = list(made.values())
        assert [n["id"] for n in (await alice(NODES, {"ids": ids}))["nodes"]] == ids
        for node_id in ids:
            assert (await bob(NODE, {"id": node_id}))["node"] is None, node_id
        assert (await bob(NODES, {"ids": ids}))["nodes"] == [None] * len(ids)
        # Bob's own template under the same key has its own id; Alice's stays hidden from him.
        mine = (await bob(TEMPLATE, {"u": None}))["createTemplate"]["template"]["id"]
        assert mine == f"tpl_{bob.user}/family_plan" != made["Template"]
        assert [n and n["id"] for n in (await bob(NODES, {"ids": [made["Template"], mine]}))["nodes"]] == [None, mine]

        # Shared with Bob (accepted): the budget and its alerts, never Alice's own records.
        sent = (await alice(SHARE, {"b": made["Budget"], "u": bob.user, "role": "VIEWER"}))["shareBudget"]
        pending = (await bob(NODES, {"ids": ids}))["nodes"]
        assert pending == [None] * len(ids), "an invitee sees nothing before accepting"
        accepted = (await bob(ACCEPT, {"id": sent["invitation"]["id"]}))["acceptInvitation"]
        assert accepted["errors"] == [], accepted
        seen = {n["__typename"]: n["id"] for n in (await bob(NODES, {"ids": ids}))["nodes"] if n}
        assert seen == {"Budget": made["Budget"], "BudgetAlert": made["BudgetAlert"]}

        gone = (await alice(UNSHARE, {"b": made["Budget"], "u": bob.user}))["unshareBudget"]
        assert gone["errors"] == [], gone
        assert (await bob(NODES, {"ids": ids}))["nodes"] == [None] * len(ids)
        assert (await bob(NODE, {"id": made["BudgetAlert"]}))["node"] is None

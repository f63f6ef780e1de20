"""Shared budgets (households): roles, household spending, alerts to members.

Against the real server with BUDGETQL_AUTH=jwt, on SQLite and PostgreSQL; one user's
token per ``Api`` client.
"""

from __future__ import annotations

from tests.support.auth import Api, new_user
from tests.support.queries import BUDGET_FIELDS, INVITATION_FIELDS, CREATE, DELETE, GET, PROGRESS, RECORD, UPDATE
from tests.graphql.test_alerts import current_budget
from tests.graphql.test_query_cost import counting
from tests.support.ws import Subscriber

SHARE = f"""
mutation($b: ID!, $u: String!, $role: MemberRole!) {{
  shareBudget(budgetId: $b, userId: $u, role: $role) {{
    budget {{ {BUDGET_FIELDS} members {{ userId role createdAt acceptedAt sharesHistory }} }}
    invitation {{ {INVITATION_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""
ACCEPT = f"""
mutation($id: ID!, $history: Boolean! = false) {{
  acceptInvitation(id: $id, shareHistory: $history) {{
    invitation {{ {INVITATION_FIELDS} }}
    budget {{ id members {{ userId role createdAt acceptedAt sharesHistory }} }}
    errors {{ field code message }}
  }}
}}
"""
UNSHARE = """
mutation($b: ID!, $u: String!) {
  unshareBudget(budgetId: $b, userId: $u) { budget { id members { userId role } } errors { field code message } }
}
"""
MINE = "query($shared: Boolean) { budgets(shared: $shared) { totalCount nodes { id userId } } }"
ALERTS = "query($b: ID) { alerts(budgetId: $b) { totalCount nodes { id budgetId userId } } }"
ACK = "mutation($id: ID!) { acknowledgeAlert(id: $id) { alert { acknowledgedAt } errors { code message } } }"


def household(owner: Api, amount: str = "100.00", type: str = "HOUSEHOLD") -> dict:
    """A budget of ``owner`` whose current period started today (Groceries: ``amount``)."""
    payload = owner(CREATE, {"input": {**current_budget(owner.user, amount), "type": type}})["createBudget"]
    assert payload["errors"] == [], payload
    return payload["budget"]


def share(owner: Api, budget: dict, member: Api | str, role: str) -> dict:
    """The owner invites ``member``: the shareBudget payload (an invitation, no membership yet)."""
    user = member if isinstance(member, str) else member.user
    return owner(SHARE, {"b": budget["id"], "u": user, "role": role})["shareBudget"]


def join(owner: Api, budget: dict, member: Api, role: str, share_history: bool = False) -> dict:
    """The owner invites ``member``, who accepts: the acceptInvitation payload."""
    sent = share(owner, budget, member, role)
    assert sent["errors"] == [] and sent["invitation"]["status"] == "PENDING", sent
    accepted = member(ACCEPT, {"id": sent["invitation"]["id"], "history": share_history})["acceptInvitation"]
    assert accepted["errors"] == [], accepted
    return accepted


def spend(api: Api, amount: str, category: str = "Groceries") -> None:
    """Spending that occurs now (the server's clock: after anything accepted before)."""
    payload = api(RECORD, {"input": {"category": category, "amount": amount}})
    assert payload["recordTransaction"]["errors"] == [], payload


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


def test_a_viewer_reads_the_budget_its_progress_and_alerts_but_changes_nothing(jwt_server):
    owner, viewer, stranger = (Api(jwt_server, new_user(p)) for p in ("owner", "viewer", "stranger"))
    budget = household(owner, type="PERSONAL")
    shared = join(owner, budget, viewer, "VIEWER")
    assert [(m["userId"], m["role"]) for m in shared["budget"]["members"]] == [(viewer.user, "VIEWER")]
    assert owner(GET, {"id": budget["id"]})["budget"]["version"] == budget["version"]  # sharing is not an edit

    seen = viewer(GET, {"id": budget["id"]})["budget"]
    assert seen["userId"] == owner.user and seen["name"] == budget["name"]
    assert viewer(MINE, {})["budgets"] == {"totalCount": 1, "nodes": [{"id": budget["id"], "userId": owner.user}]}
    assert viewer(MINE, {"shared": True})["budgets"]["totalCount"] == 1
    assert viewer(MINE, {"shared": False})["budgets"]["totalCount"] == 0
    assert owner(MINE, {"shared": True})["budgets"]["totalCount"] == 0
    spend(owner, "85.00")
    assert viewer(PROGRESS, {"id": budget["id"]})["budget"]["progress"]["totalSpent"] == "85.00"
    alerts = viewer(ALERTS, {})["alerts"]
    assert alerts["totalCount"] == 2 and {a["userId"] for a in alerts["nodes"]} == {owner.user}
    assert viewer.rest("GET", f"/budgets/{budget['id']}").status_code == 200

    assert codes(viewer(UPDATE, {"id": budget["id"], "input": {"name": "Mine"}})["updateBudget"]) == ["FORBIDDEN"]
    assert codes(viewer(DELETE, {"id": budget["id"]})["deleteBudget"]) == ["FORBIDDEN"]
    assert codes(share(viewer, budget, stranger, "EDITOR")) == ["FORBIDDEN"]
    assert codes(viewer(UNSHARE, {"b": budget["id"], "u": viewer.user})["unshareBudget"]) == ["FORBIDDEN"]
    assert codes(viewer(ACK, {"id": alerts["nodes"][0]["id"]})["acknowledgeAlert"]) == ["FORBIDDEN"]
    assert viewer.rest("PATCH", f"/budgets/{budget['id']}", json={"name": "x"}).status_code == 403
    assert viewer.rest("DELETE", f"/budgets/{budget['id']}").status_code == 403
    assert owner(GET, {"id": budget["id"]})["budget"]["name"] == budget["name"]

    # Someone it is not shared with sees nothing at all.
    assert stranger(GET, {"id": budget["id"]})["budget"] is None
    assert stranger(ALERTS, {"b": budget["id"]})["alerts"]["totalCount"] == 0
    assert codes(stranger(UPDATE, {"id": budget["id"], "input": {"name": "x"}})["updateBudget"]) == ["NOT_FOUND"]
    assert codes(share(stranger, budget, stranger, "EDITOR")) == ["NOT_FOUND"]


def test_an_editor_updates_but_only_the_owner_deletes_or_shares(jwt_server):
    owner, editor, other = (Api(jwt_server, new_user(p)) for p in ("owner", "editor", "other"))
    budget = household(owner)
    join(owner, budget, editor, "EDITOR")
    updated = editor(UPDATE, {"id": budget["id"], "input": {"name": "Family food"}, "v": budget["version"]})["updateBudget"]
    assert updated["errors"] == [] and updated["budget"]["name"] == "Family food"
    assert updated["budget"]["userId"] == owner.user
    assert codes(editor(DELETE, {"id": budget["id"]})["deleteBudget"]) == ["FORBIDDEN"]
    assert codes(share(editor, budget, other, "VIEWER")) == ["FORBIDDEN"]
    spend(owner, "85.00")
    alert = editor(ALERTS, {})["alerts"]["nodes"][0]
    assert editor(ACK, {"id": alert["id"]})["acknowledgeAlert"]["errors"] == []

    # Sharing again changes a member's role (no new invitation): now a viewer, they cannot edit.
    again = share(owner, budget, editor, "VIEWER")
    assert again["invitation"] is None
    assert [(m["userId"], m["role"]) for m in again["budget"]["members"]] == [(editor.user, "VIEWER")]
    assert codes(editor(UPDATE, {"id": budget["id"], "input": {"name": "x"}})["updateBudget"]) == ["FORBIDDEN"]
    assert owner(DELETE, {"id": budget["id"]})["deleteBudget"]["errors"] == []
    assert editor(GET, {"id": budget["id"]})["budget"] is None


def test_unsharing_revokes_everything(jwt_server):
    owner, member = Api(jwt_server, new_user("owner")), Api(jwt_server, new_user("member"))
    budget = household(owner)
    join(owner, budget, member, "EDITOR")
    spend(owner, "85.00")
    assert member(ALERTS, {})["alerts"]["totalCount"] == 2
    left = owner(UNSHARE, {"b": budget["id"], "u": member.user})["unshareBudget"]
    assert left == {"budget": {"id": budget["id"], "members": []}, "errors": []}
    assert member(GET, {"id": budget["id"]})["budget"] is None
    assert member(MINE, {})["budgets"]["totalCount"] == 0
    assert member(ALERTS, {})["alerts"]["totalCount"] == 0
    assert codes(member(UPDATE, {"id": budget["id"], "input": {"name": "x"}})["updateBudget"]) == ["NOT_FOUND"]
    assert codes(owner(UNSHARE, {"b": budget["id"], "u": member.user})["unshareBudget"]) == ["NOT_FOUND"]


def test_sharing_rejects_bad_input_and_stores_nothing(jwt_server):
    owner = Api(jwt_server, new_user("owner"))
    budget = household(owner)
    with_owner = share(owner, budget, owner, "VIEWER")
    assert with_owner["budget"] is None and with_owner["errors"][0]["field"] == ["userId"]
    assert codes(with_owner) == ["VALIDATION"]
    assert codes(share(owner, budget, "   ", "VIEWER")) == ["VALIDATION"]
    assert codes(share(owner, {"id": "bud_missing"}, new_user(), "VIEWER")) == ["NOT_FOUND"]
    assert owner("query($id: ID!) { budget(id: $id) { members { userId } } }", {"id": budget["id"]})["budget"] == {
        "members": []
    }


def test_a_household_budget_counts_its_members_spending(jwt_server):
    owner, member, outsider = (Api(jwt_server, new_user(p)) for p in ("owner", "member", "outsider"))
    home = household(owner, "1000.00")
    personal = household(owner, "1000.00", type="PERSONAL")
    join(owner, home, member, "VIEWER")
    join(owner, personal, member, "VIEWER")
    spend(owner, "10.00")
    spend(member, "20.00")
    spend(member, "5.00", category="Restaurants")  # not one of its categories
    spend(outsider, "40.00")
    totals = {b["id"]: b["progress"]["totalSpent"] for b in owner(
        "query { budgets { nodes { id progress { totalSpent } } } }"
    )["budgets"]["nodes"]}
    assert totals == {home["id"]: "30.00", personal["id"]: "10.00"}
    assert member(PROGRESS, {"id": home["id"]})["budget"]["progress"]["totalSpent"] == "30.00"
    owner(UNSHARE, {"b": home["id"], "u": member.user})
    assert owner(PROGRESS, {"id": home["id"]})["budget"]["progress"]["totalSpent"] == "10.00"


def test_accepting_with_history_evaluates_the_members_earlier_spending_at_once(jwt_server):
    owner, member = Api(jwt_server, new_user("owner")), Api(jwt_server, new_user("member"))
    home = household(owner)
    spend(member, "90.00")  # before sharing: not the household's yet
    assert owner(ALERTS, {})["alerts"]["totalCount"] == 0
    sent = share(owner, home, member, "VIEWER")
    assert owner(ALERTS, {})["alerts"]["totalCount"] == 0  # an invitation counts nothing
    accepted = member(ACCEPT, {"id": sent["invitation"]["id"], "history": True})["acceptInvitation"]
    assert accepted["budget"]["members"][0]["sharesHistory"] is True
    kinds = owner(ALERTS, {})["alerts"]
    assert kinds["totalCount"] == 2 and {a["budgetId"] for a in kinds["nodes"]} == {home["id"]}
    assert owner(PROGRESS, {"id": home["id"]})["budget"]["progress"]["totalSpent"] == "90.00"


def test_accepting_without_history_counts_only_what_comes_after(jwt_server):
    owner, member = Api(jwt_server, new_user("owner")), Api(jwt_server, new_user("member"))
    home = household(owner)
    spend(member, "90.00")  # earlier today, before accepting
    join(owner, home, member, "VIEWER")
    assert owner(PROGRESS, {"id": home["id"]})["budget"]["progress"]["totalSpent"] == "0.00"
    assert owner(ALERTS, {})["alerts"]["totalCount"] == 0
    spend(member, "30.00")
    assert owner(PROGRESS, {"id": home["id"]})["budget"]["progress"]["totalSpent"] == "30.00"
    spend(member, "55.00")  # 85 of 100 from acceptance on: WARNING, once
    alerts = owner(ALERTS, {})["alerts"]
    assert alerts["totalCount"] == 2 and {a["budgetId"] for a in alerts["nodes"]} == {home["id"]}


async def test_members_receive_the_households_alerts_on_their_subscriptions(jwt_server):
    owner, member, stranger = (Api(jwt_server, new_user(p)) for p in ("owner", "member", "stranger"))
    home = household(owner)
    join(owner, home, member, "VIEWER")
    query = "subscription { budgetAlerts { budgetId userId category alertType } }"
    async with Subscriber(jwt_server, query, {}, init_payload=owner.ws_init) as to_owner, Subscriber(
        jwt_server, query, {}, init_payload=member.ws_init
    ) as to_member, Subscriber(jwt_server, query, {}, init_payload=stranger.ws_init) as to_stranger:
        spend(member, "85.00")  # the member's own spending crosses the household's 80%
        for_owner = [(await to_owner.next())["budgetAlerts"] for _ in range(2)]
        for_member = [(await to_member.next())["budgetAlerts"] for _ in range(2)]
        assert await to_stranger.nothing_within(0.5)
        owner(UNSHARE, {"b": home["id"], "u": member.user})
        spend(owner, "100.00")  # the member's spending no longer counts: 100%, LIMIT_REACHED for the owner only
        assert {a["alertType"] for a in [(await to_owner.next())["budgetAlerts"] for _ in range(2)]} == {"LIMIT_REACHED"}
        assert await to_member.nothing_within(0.5)
    expected = {(home["id"], owner.user, "Groceries", "WARNING"), (home["id"], owner.user, None, "WARNING")}
    assert {tuple(a.values()) for a in for_owner} == expected
    assert {tuple(a.values()) for a in for_member} == expected


async def test_a_page_of_shared_households_costs_the_same_statements_whatever_its_size(app, gql, user_id):
    """With authentication off (trusted userId): members load with their budgets, batched."""
    page = """query($u: String!) { budgets(userId: $u, first: 50) {
      nodes { id members { userId } progress(at: "2025-11-15T00:00:00") { totalSpent } } } }"""

    async def households(owner: str, member: str, n: int) -> None:
        for i in range(n):
            made = await gql(CREATE, {"input": {**current_budget(owner), "type": "HOUSEHOLD", "startDate": "2025-11-01T00:00:00"}})
            budget_id = made["createBudget"]["budget"]["id"]
            shared = await gql(SHARE, {"b": budget_id, "u": member, "role": "VIEWER"})
            assert shared["shareBudget"]["errors"] == []
            # Trusted (authentication off): the caller accepts for the member, history included.
            accepted = await gql(ACCEPT, {"id": shared["shareBudget"]["invitation"]["id"], "history": True})
            assert accepted["acceptInvitation"]["errors"] == []
        await gql(RECORD, {"input": {"userId": member, "category": "Groceries", "amount": "7", "occurredAt": "2025-11-02T00:00:00"}})

    await households(user_id + "_o1", user_id + "_m1", 1)
    await households(user_id + "_o2", user_id + "_m2", 20)
    with counting(app.state.engine) as one:
        assert len((await gql(page, {"u": user_id + "_m1"}))["budgets"]["nodes"]) == 1
    with counting(app.state.engine) as twenty:
        nodes = (await gql(page, {"u": user_id + "_m2"}))["budgets"]["nodes"]
    assert len(nodes) == 20 and all(n["progress"]["totalSpent"] == "7.00" for n in nodes)
    assert len(twenty) == len(one), (one, twenty)


def test_turning_a_shared_budget_into_a_household_evaluates_its_alerts_at_once(jwt_server):
    owner, member = Api(jwt_server, new_user("owner")), Api(jwt_server, new_user("member"))
    budget = household(owner, type="PERSONAL")
    join(owner, budget, member, "VIEWER")
    spend(member, "90.00")  # not counted: a personal budget counts only its owner's
    assert owner(ALERTS, {})["alerts"]["totalCount"] == 0
    changed = owner(UPDATE, {"id": budget["id"], "input": {"type": "HOUSEHOLD"}})["updateBudget"]
    assert changed["errors"] == []
    alerts = owner(ALERTS, {})["alerts"]  # raised by the update itself, not by a later write
    assert alerts["totalCount"] == 2 and {a["budgetId"] for a in alerts["nodes"]} == {budget["id"]}

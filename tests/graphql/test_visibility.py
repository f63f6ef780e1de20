"""Every path by which one user's data could reach another (SECURITY.md, "Who sees
what"), tried by an uninvited user and by a former member: they see nothing.

Against the real server with BUDGETQL_AUTH=jwt on SQLite and PostgreSQL, through
GraphQL over HTTP, REST and WebSocket; webhooks on a server of their own.
"""

from __future__ import annotations

import json

from tests.support.auth import Api, new_user
from tests.support.queries import INVITATION_FIELDS
from tests.graphql.test_sharing import ACCEPT, ALERTS, MINE, UNSHARE, codes, household, join, share, spend
from tests.e2e.test_webhooks import own_db  # noqa: F401 - the fixture: a database of the test's own
from tests.support.ws import Subscriber

GUESSES = [("medical", "1"), ("GAMBLING", "1"), ("Rent", "1"), ("Therapy", "1")]
VICTIM_SPENDING = [("Medical", "412.37"), ("Gambling", "1500.00"), ("Rent", "2200.00")]
FIGURES = """
query($id: ID!) { budget(id: $id) {
  members { userId }
  progress { totalSpent categories { categoryName spentAmount } }
  periods(last: 3) { totalSpent categories { spentAmount } }
  p0: progress(period: 0) { totalSpent }
} }
"""
CREATE = """
mutation($input: CreateBudgetInput!) { createBudget(input: $input) { budget { id } errors { field code message } } }
"""
RECEIVED = f"query($status: InvitationStatus) {{ invitations(status: $status) {{ {INVITATION_FIELDS} }} }}"
SENT = f"query($id: ID!) {{ budget(id: $id) {{ invitations {{ {INVITATION_FIELDS} }} }} }}"
LEAVE = "mutation($b: ID!) { leaveBudget(budgetId: $b) { leftBudgetId errors { field code message } } }"
DECLINE = f"mutation($id: ID!) {{ declineInvitation(id: $id) {{ invitation {{ {INVITATION_FIELDS} }} errors {{ field code message }} }} }}"
CANCEL = f"mutation($id: ID!) {{ cancelInvitation(id: $id) {{ invitation {{ {INVITATION_FIELDS} }} errors {{ field code message }} }} }}"
ALERT_SUB = "subscription { budgetAlerts { budgetId userId category alertType spentAmount } }"


def guessing_budget(attacker: Api) -> dict:
    from tests.graphql.test_alerts import today

    categories = [{"name": n, "amount": a} for n, a in GUESSES]
    made = attacker(CREATE, {"input": {
        "name": "Our home", "type": "HOUSEHOLD", "period": "MONTHLY", "categories": categories,
        "startDate": today(), "rolloverEnabled": False,
    }})["createBudget"]
    assert made["errors"] == [], made
    return made["budget"]


def all_zero(figures: dict) -> bool:
    budget = figures["budget"]
    return (
        budget["progress"]["totalSpent"] == "0.00"
        and all(c["spentAmount"] == "0.00" for c in budget["progress"]["categories"])
        and all(p["totalSpent"] == "0.00" for p in budget["periods"])
        and budget["p0"]["totalSpent"] == "0.00"
    )


async def test_the_guessed_category_attack_shows_the_attacker_only_their_own_spending(jwt_server):
    victim, attacker = Api(jwt_server, new_user("victim")), Api(jwt_server, new_user("attacker"))
    for category, amount in VICTIM_SPENDING:
        spend(victim, amount, category)
    budget = guessing_budget(attacker)
    sent = share(attacker, budget, victim, "VIEWER")
    assert sent["errors"] == [] and sent["invitation"]["status"] == "PENDING"
    assert sent["budget"]["members"] == []

    figures = attacker(FIGURES, {"id": budget["id"]})
    assert figures["budget"]["members"] == [] and all_zero(figures), figures
    assert attacker(ALERTS, {})["alerts"]["totalCount"] == 0
    rest = attacker.rest("GET", f"/budgets/{budget['id']}/progress").json()
    assert rest["total_spent"] == 0 and all(c["spent_amount"] == 0 for c in rest["categories"]), rest
    # While the invitation waits, the victim's new spending reaches nobody else either.
    async with Subscriber(jwt_server, ALERT_SUB, {}, init_payload=attacker.ws_init) as to_attacker:
        spend(victim, "999.00", "Therapy")
        assert await to_attacker.nothing_within(0.8)
    assert all_zero(attacker(FIGURES, {"id": budget["id"]}))
    assert attacker(ALERTS, {})["alerts"]["totalCount"] == 0

    # The victim sees who asked, and declining ends it.
    [received] = victim(RECEIVED, {"status": "PENDING"})["invitations"]
    assert (received["budgetId"], received["invitedBy"], received["role"]) == (budget["id"], attacker.user, "VIEWER")
    declined = victim(DECLINE, {"id": received["id"]})["declineInvitation"]
    assert declined["errors"] == [] and declined["invitation"]["status"] == "DECLINED"
    assert codes(victim(ACCEPT, {"id": received["id"]})["acceptInvitation"]) == ["CONFLICT"]
    assert all_zero(attacker(FIGURES, {"id": budget["id"]}))
    assert victim(RECEIVED, {"status": "PENDING"})["invitations"] == []


def test_an_invitation_is_its_invitees_alone_to_answer_and_its_owners_to_see(jwt_server):
    owner, invitee, other = (Api(jwt_server, new_user(p)) for p in ("owner", "invitee", "other"))
    budget = household(owner)
    invitation = share(owner, budget, invitee, "EDITOR")["invitation"]
    # Another user: the invitation does not exist for them.
    assert codes(other(ACCEPT, {"id": invitation["id"]})["acceptInvitation"]) == ["NOT_FOUND"]
    assert codes(other(DECLINE, {"id": invitation["id"]})["declineInvitation"]) == ["NOT_FOUND"]
    assert codes(other(CANCEL, {"id": invitation["id"]})["cancelInvitation"]) == ["NOT_FOUND"]
    assert codes(invitee(CANCEL, {"id": invitation["id"]})["cancelInvitation"]) == ["NOT_FOUND"]
    assert other(RECEIVED, {})["invitations"] == []
    denied = other.raw("query($u: String!) { invitations(userId: $u) { id } }", {"u": invitee.user})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert codes(owner(ACCEPT, {"id": invitation["id"]})["acceptInvitation"]) == ["NOT_FOUND"]
    # Before accepting, the invitee cannot read the budget at all.
    assert invitee("query($id: ID!) { budget(id: $id) { id } }", {"id": budget["id"]})["budget"] is None
    assert invitee.rest("GET", f"/budgets/{budget['id']}").status_code == 404
    # The owner sees the invitation; once accepted, the member sees the budget, not its invitations.
    assert [i["id"] for i in owner(SENT, {"id": budget["id"]})["budget"]["invitations"]] == [invitation["id"]]
    accepted = invitee(ACCEPT, {"id": invitation["id"]})["acceptInvitation"]
    assert accepted["invitation"]["status"] == "ACCEPTED" and accepted["invitation"]["respondedAt"]
    assert [(m["userId"], m["role"]) for m in accepted["budget"]["members"]] == [(invitee.user, "EDITOR")]
    assert invitee(SENT, {"id": budget["id"]})["budget"]["invitations"] == []
    assert owner(SENT, {"id": budget["id"]})["budget"]["invitations"][0]["status"] == "ACCEPTED"


def test_the_owner_cancels_and_unsharing_withdraws_an_open_invitation(jwt_server):
    owner, invitee = Api(jwt_server, new_user("owner")), Api(jwt_server, new_user("invitee"))
    budget = household(owner)
    first = share(owner, budget, invitee, "VIEWER")["invitation"]
    again = share(owner, budget, invitee, "EDITOR")["invitation"]
    assert again["id"] == first["id"] and again["role"] == "EDITOR"  # one open invitation per user
    cancelled = owner(CANCEL, {"id": first["id"]})["cancelInvitation"]
    assert cancelled["errors"] == [] and cancelled["invitation"]["status"] == "CANCELLED"
    assert codes(invitee(ACCEPT, {"id": first["id"]})["acceptInvitation"]) == ["CONFLICT"]
    second = share(owner, budget, invitee, "VIEWER")["invitation"]
    assert second["id"] != first["id"]
    assert owner(UNSHARE, {"b": budget["id"], "u": invitee.user})["unshareBudget"]["errors"] == []
    assert codes(invitee(ACCEPT, {"id": second["id"]})["acceptInvitation"]) == ["CONFLICT"]
    assert invitee(MINE, {})["budgets"]["totalCount"] == 0


async def test_a_member_who_leaves_stops_counting_at_once_and_sees_nothing(jwt_server):
    owner, member = Api(jwt_server, new_user("owner")), Api(jwt_server, new_user("member"))
    budget = household(owner, "100.00")
    join(owner, budget, member, "EDITOR")
    spend(member, "50.00")
    spend(owner, "10.00")
    progress = "query($id: ID!) { budget(id: $id) { progress { totalSpent } } }"
    assert owner(progress, {"id": budget["id"]})["budget"]["progress"]["totalSpent"] == "60.00"
    async with Subscriber(jwt_server, ALERT_SUB, {}, init_payload=member.ws_init) as to_member:
        left = member(LEAVE, {"b": budget["id"]})["leaveBudget"]
        assert left == {"leftBudgetId": budget["id"], "errors": []}
        assert owner(progress, {"id": budget["id"]})["budget"]["progress"]["totalSpent"] == "10.00"
        spend(member, "45.00")  # would have made 105.00 of 100
        spend(owner, "75.00")  # 85.00: the owner's WARNING, which the former member must not get
        assert await to_member.nothing_within(0.8)
    alerts = owner(ALERTS, {})["alerts"]
    assert alerts["totalCount"] == 2
    # The former member: GraphQL, REST and the lists all say it does not exist.
    assert member("query($id: ID!) { budget(id: $id) { id } }", {"id": budget["id"]})["budget"] is None
    assert member(MINE, {})["budgets"]["totalCount"] == 0
    assert member(ALERTS, {})["alerts"]["totalCount"] == 0
    assert member(ALERTS, {"b": budget["id"]})["alerts"]["totalCount"] == 0
    assert member.rest("GET", f"/budgets/{budget['id']}").status_code == 404
    assert member.rest("GET", f"/budgets/{budget['id']}/progress").status_code == 404
    assert member.rest("GET", "/budgets").json() == []
    ack = "mutation($id: ID!) { acknowledgeAlert(id: $id) { errors { code } } }"
    assert codes(member(ack, {"id": alerts["nodes"][0]["id"]})["acknowledgeAlert"]) == ["NOT_FOUND"]
    assert codes(member(LEAVE, {"b": budget["id"]})["leaveBudget"]) == ["NOT_FOUND"]
    assert codes(owner(LEAVE, {"b": budget["id"]})["leaveBudget"]) == ["VALIDATION"]


def test_invitations_are_bounded_per_budget_and_per_inviter(jwt_server):
    owner = Api(jwt_server, new_user("owner"))
    budgets = [household(owner) for _ in range(3)]
    for i in range(20):
        assert share(owner, budgets[0], new_user(f"i{i}"), "VIEWER")["errors"] == []
    assert codes(share(owner, budgets[0], new_user("one_more"), "VIEWER")) == ["RATE_LIMITED"]
    for i in range(20):
        assert share(owner, budgets[1], new_user(f"j{i}"), "VIEWER")["errors"] == []
    for i in range(10):
        assert share(owner, budgets[2], new_user(f"k{i}"), "VIEWER")["errors"] == []
    refused = share(owner, budgets[2], new_user("fifty_first"), "VIEWER")
    assert codes(refused) == ["RATE_LIMITED"] and "24 hours" in refused["errors"][0]["message"]
    assert len(owner(SENT, {"id": budgets[2]["id"]})["budget"]["invitations"]) == 10
    assert owner.rest("GET", f"/budgets/{budgets[2]['id']}").status_code == 200


def test_webhooks_of_a_former_member_receive_nothing_more(own_db, user_id):
    """Deliveries go to the webhooks of the budget's owner and its members at the time an
    alert is raised: an invitee before accepting and a member after leaving get none."""
    from tests.support.server import running_server
    from tests.graphql.test_alerts import http_gql
    from tests.e2e.test_webhooks import FAST, Receiver, deliveries, register, wait_until

    owner, member, invitee = user_id + "_owner", user_id + "_member", user_id + "_invitee"
    trusted_share = """mutation($b: ID!, $u: String!) {
      shareBudget(budgetId: $b, userId: $u, role: VIEWER) { invitation { id } errors { code } } }"""
    accept = "mutation($id: ID!) { acceptInvitation(id: $id) { errors { code } } }"
    leave = "mutation($b: ID!, $u: String) { leaveBudget(budgetId: $b, userId: $u) { errors { code } } }"
    with Receiver() as receiver, running_server(own_db, env=FAST) as base:
        hooks = {u: register(base, u, receiver.url(f"/{u}")) for u in (owner, member, invitee)}
        from tests.graphql.test_alerts import today

        made = http_gql(base, """mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } } }""", {"i": {
            "userId": owner, "name": "Home", "type": "HOUSEHOLD", "period": "MONTHLY", "startDate": today(),
            "categories": [{"name": "Groceries", "amount": "100.00"}, {"name": "Rent", "amount": "100.00"}],
            "rolloverEnabled": False,
        }})
        budget_id = made["createBudget"]["budget"]["id"]
        for user in (member, invitee):
            sent = http_gql(base, trusted_share, {"b": budget_id, "u": user})["shareBudget"]
            if user == member:
                assert http_gql(base, accept, {"id": sent["invitation"]["id"]})["acceptInvitation"]["errors"] == []

        def spend(user: str, category: str, amount: str) -> None:
            body = http_gql(base, "mutation($i: RecordTransactionInput!) { recordTransaction(input: $i) { errors { code } } }",
                            {"i": {"userId": user, "category": category, "amount": amount}})
            assert body["recordTransaction"]["errors"] == []

        spend(owner, "Groceries", "85.00")  # Groceries WARNING: to the owner and the member
        wait_until("both deliveries", lambda: receiver.got(f"/{owner}") and receiver.got(f"/{member}"))
        assert http_gql(base, leave, {"b": budget_id, "u": member})["leaveBudget"]["errors"] == []
        spend(owner, "Rent", "85.00")  # Rent's WARNING and the total's (170 of 200): to the owner only
        wait_until("the owner's later deliveries", lambda: len(receiver.got(f"/{owner}")) >= 3)
        def categories(path: str) -> list[str]:
            return sorted(str(json.loads(r["body"])["category"]) for r in receiver.got(path))

        assert categories(f"/{owner}") == ["Groceries", "None", "Rent"]
        assert categories(f"/{member}") == ["Groceries"]
        assert receiver.got(f"/{invitee}") == [] and deliveries(base, hooks[invitee]["id"]) == []


def test_only_a_webhooks_owner_rotates_its_secret(jwt_server):
    owner, other = Api(jwt_server, new_user("owner")), Api(jwt_server, new_user("other"))
    made = owner("""mutation { registerWebhook(input: {url: "https://hooks.example.com/x", secret: "first-secret-0123456789"})
      { webhook { id secretHint active } errors { code } } }""")["registerWebhook"]
    assert made["webhook"]["active"] is True and made["webhook"]["secretHint"] == "6789"
    rotate = """mutation($id: ID!, $s: String!) { rotateWebhookSecret(id: $id, secret: $s) {
      webhook { secretHint active } errors { field code } } }"""
    hook = made["webhook"]["id"]
    assert other(rotate, {"id": hook, "s": "stolen-secret-0123456789"})["rotateWebhookSecret"]["errors"] == [
        {"field": ["id"], "code": "NOT_FOUND"}
    ]
    assert owner(rotate, {"id": hook, "s": "short"})["rotateWebhookSecret"]["errors"] == [
        {"field": ["secret"], "code": "VALIDATION"}
    ]
    rotated = owner(rotate, {"id": hook, "s": "second-secret-abcdefghij"})["rotateWebhookSecret"]
    assert rotated == {"webhook": {"secretHint": "ghij", "active": True}, "errors": []}

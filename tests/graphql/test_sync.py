"""Delta sync (``changes``): a client's copy, kept by applying pages, ends with exactly
what fresh queries of the server return; racing writers lose nothing; sharing and
unsharing reach the member; other tenants are refused; old and forged cursors.

Against the real server with BUDGETQL_AUTH=jwt, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from graph.services import open_services
from tests.graphql.test_alerts import current_budget
from tests.graphql.test_sharing import ACCEPT, UNSHARE, household, join, share, spend
from tests.support.auth import Api, new_user
from tests.support.queries import CREATE, DELETE, RECORD, RECORD_MANY, UPDATE, budget_input

BUDGET = "id userId name version members { userId role } categories { name amount }"
TRANSACTION = "id userId category amount description version"
ALERT = "id budgetId alertType acknowledgedAt"
TEMPLATE = "key name"
GOAL = "id name targetAmount targetDate version budgetId"
RULE = "id category priority"
CHANGES = f"""
query($since: String, $first: Int, $u: String) {{
  changes(since: $since, first: $first, userId: $u) {{
    cursor hasMore
    budgets {{ {BUDGET} }} deletedBudgetIds
    transactions {{ {TRANSACTION} }} deletedTransactionIds
    alerts {{ {ALERT} }} deletedAlertIds
    templates {{ {TEMPLATE} }} deletedTemplateKeys
    goals {{ {GOAL} }} deletedGoalIds
    categoryRules {{ {RULE} }} deletedCategoryRuleIds
  }}
}}
"""
SERVER = f"""
query {{
  budgets(first: 500) {{ nodes {{ {BUDGET} }} }}
  transactions(first: 500) {{ nodes {{ {TRANSACTION} }} }}
  alerts(first: 500) {{ nodes {{ {ALERT} }} }}
  templates {{ {TEMPLATE} builtIn }}
  goals {{ {GOAL} }}
  categoryRules {{ {RULE} }}
}}
"""
UPDATE_TXN = f"""
mutation($id: ID!, $i: UpdateTransactionInput!) {{
  updateTransaction(id: $id, input: $i) {{ transaction {{ {TRANSACTION} }} errors {{ code message }} }}
}}
"""
DELETE_TXN = "mutation($id: ID!) { deleteTransaction(id: $id) { errors { code message } } }"
CREATE_TEMPLATE = """
mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { template { key } errors { code message } } }
"""
DELETE_TEMPLATE = "mutation($k: String!) { deleteTemplate(key: $k) { errors { code message } } }"
CREATE_GOAL = "mutation($i: CreateGoalInput!) { createGoal(input: $i) { goal { id } errors { code message } } }"
UPDATE_GOAL = "mutation($id: ID!, $i: UpdateGoalInput!) { updateGoal(id: $id, input: $i) { errors { code message } } }"
DELETE_GOAL = "mutation($id: ID!) { deleteGoal(id: $id) { errors { code message } } }"
CREATE_RULE = """
mutation($i: CreateCategoryRuleInput!) { createCategoryRule(input: $i) { rule { id } errors { code message } } }
"""
UPDATE_RULE = """
mutation($id: ID!, $i: UpdateCategoryRuleInput!) { updateCategoryRule(id: $id, input: $i) { errors { code message } } }
"""
DELETE_RULE = "mutation($id: ID!) { deleteCategoryRule(id: $id) { errors { code message } } }"
ACK = "mutation($id: ID!) { acknowledgeAlert(id: $id) { errors { code message } } }"

# ChangeSet field -> (replica key, the id field, its deletions' field)
LISTS = {
    "budgets": ("id", "deletedBudgetIds"),
    "transactions": ("id", "deletedTransactionIds"),
    "alerts": ("id", "deletedAlertIds"),
    "templates": ("key", "deletedTemplateKeys"),
    "goals": ("id", "deletedGoalIds"),
    "categoryRules": ("id", "deletedCategoryRuleIds"),
}


def ok(payload: dict) -> dict:
    (value,) = payload.values()
    assert value["errors"] == [], value
    return value


class Replica:
    """A client's local copy: dicts kept by applying pages of changes."""

    def __init__(self, api: Api, first: int = 500):
        self.api, self.first = api, first
        self.cursor: str | None = None
        self.things: dict[str, dict[str, dict]] = {name: {} for name in LISTS}
        self.seen: dict[str, set[str]] = {name: set() for name in LISTS}  # ever upserted
        self.gone: dict[str, set[str]] = {name: set() for name in LISTS}  # ever deleted
        self.pages = 0

    def apply(self, page: dict) -> None:
        for name, (key, deleted) in LISTS.items():
            for item in page[name]:
                self.things[name][item[key]] = item
                self.seen[name].add(item[key])
            for ident in page[deleted]:
                self.things[name].pop(ident, None)
                self.gone[name].add(ident)
            ids = [item[key] for item in page[name]] + page[deleted]
            assert len(ids) == len(set(ids)), f"{name}: a thing twice in one page"
        self.cursor = page["cursor"]
        self.pages += 1

    def sync(self) -> "Replica":
        while True:
            page = self.api(CHANGES, {"since": self.cursor, "first": self.first})["changes"]
            assert sum(len(page[n]) + len(page[d]) for n, (_, d) in LISTS.items()) <= self.first
            self.apply(page)
            if not page["hasMore"]:
                return self

    def sync_until(self, done, seconds: float = 60.0) -> "Replica":
        """Sync until ``done()`` holds. A change is delivered once every writing transaction
        that started before it has ended: on PostgreSQL that includes other databases' on the
        same server (other tests, other suites), so a change may take a moment to arrive.
        One that was lost never does, and the test fails at the deadline."""
        deadline = time.monotonic() + seconds
        while True:
            self.sync()
            if done() or time.monotonic() > deadline:
                return self
            time.sleep(0.2)

    def state(self) -> dict[str, dict[str, dict]]:
        return {name: dict(sorted(items.items())) for name, items in self.things.items()}


def server_state(api: Api) -> dict[str, dict[str, dict]]:
    data = api(SERVER)
    lists = {
        "budgets": data["budgets"]["nodes"],
        "transactions": data["transactions"]["nodes"],
        "alerts": data["alerts"]["nodes"],
        "templates": [{k: v for k, v in t.items() if k != "builtIn"} for t in data["templates"] if not t["builtIn"]],
        "goals": data["goals"],
        "categoryRules": data["categoryRules"],
    }
    return {name: dict(sorted((item[LISTS[name][0]], item) for item in items)) for name, items in lists.items()}


def feed_of(db_url: str, user_id: str, ids: set[str]) -> list:
    """The stored feed rows of these ids (to say what a failing test missed)."""
    from sqlalchemy import select

    from persistence.tables import SyncChangeRow

    async def read() -> list:
        async with open_services(db_url) as services:
            async with services.budgets.uow() as uow:
                c = SyncChangeRow
                rows = await uow.session.execute(
                    select(c.pos, c.kind, c.entity_id, c.deleted).where(c.user_id == user_id, c.entity_id.in_(ids))
                )
                return [tuple(r) for r in rows]

    return asyncio.run(read())


def goal_input(budget: dict, name: str = "Trip") -> dict:
    return {"name": name, "targetAmount": "1000", "targetDate": "2030-06-01", "budgetId": budget["id"],
            "category": "Groceries"}


def rule_input(category: str, word: str) -> dict:
    return {"category": category, "priority": 1, "match": {"descriptionContains": word}}


def test_a_client_that_syncs_goes_offline_and_syncs_again_ends_with_the_servers_state(jwt_server):
    owner, other = Api(jwt_server, new_user("owner")), Api(jwt_server, new_user("other"))
    kept = household(owner, type="PERSONAL")
    doomed = ok(owner(CREATE, {"input": budget_input(owner.user, name="Doomed")}))["budget"]
    ok(other(CREATE, {"input": budget_input(other.user, name="Not theirs")}))  # another tenant's: never synced
    spent = [ok(owner(RECORD, {"input": {"category": "Groceries", "amount": a}}))["transaction"] for a in ("5", "6", "7")]
    ok(owner(CREATE_TEMPLATE, {"i": {"key": "first_plan", "name": "First", "type": "PERSONAL",
                                     "categories": [{"name": "Home", "weight": 1}]}}))
    goal = ok(owner(CREATE_GOAL, {"i": goal_input(kept)}))["goal"]
    doomed_goal = ok(owner(CREATE_GOAL, {"i": goal_input(doomed, "Gone with its budget")}))["goal"]
    rule = ok(owner(CREATE_RULE, {"i": rule_input("Groceries", "market")}))["rule"]

    client = Replica(owner, first=3)
    client.sync_until(lambda: client.state() == server_state(owner))  # a full sync, in pages of 3
    assert client.pages >= 3  # 9 things
    assert client.state() == server_state(owner)
    assert set(client.things["budgets"]) == {kept["id"], doomed["id"]}

    # Offline, while another session of the same user changes everything.
    ok(owner(CREATE, {"input": budget_input(owner.user, name="New")}))
    ok(owner(UPDATE, {"id": kept["id"], "input": {"name": "Renamed"}}))
    ok(owner(DELETE, {"id": doomed["id"]}))
    ok(owner(UPDATE_TXN, {"id": spent[0]["id"], "i": {"amount": "50.00", "description": "edited"}}))
    ok(owner(DELETE_TXN, {"id": spent[1]["id"]}))
    spend(owner, "90.00")  # 80 % and more of 100: alerts
    ok(owner(RECORD_MANY, {"inputs": [{"category": "Fuel", "amount": str(i)} for i in range(1, 6)]}))
    ok(owner(CREATE_TEMPLATE, {"i": {"key": "second_plan", "name": "Second", "type": "PERSONAL",
                                     "categories": [{"name": "Home", "weight": 1}]}}))
    ok(owner(DELETE_TEMPLATE, {"k": "first_plan"}))
    ok(owner(UPDATE_GOAL, {"id": goal["id"], "i": {"name": "Bigger trip", "targetAmount": "2000"}}))
    ok(owner(UPDATE_RULE, {"id": rule["id"], "i": {"priority": 7}}))
    made = ok(owner(CREATE_RULE, {"i": rule_input("Fuel", "station")}))["rule"]
    ok(owner(CREATE_RULE, {"i": rule_input("Fun", "cinema")}))
    ok(owner(DELETE_RULE, {"id": made["id"]}))
    alerts = owner(SERVER)["alerts"]["nodes"]
    assert alerts
    ok(owner(ACK, {"id": alerts[0]["id"]}))

    client.first = 2
    client.sync_until(lambda: client.state() == server_state(owner))
    assert client.state() == server_state(owner)
    assert doomed["id"] in client.gone["budgets"] and doomed_goal["id"] in client.gone["goals"]
    assert spent[1]["id"] in client.gone["transactions"] and "first_plan" in client.gone["templates"]
    assert client.things["transactions"][spent[0]["id"]]["amount"] == "50.00"
    assert client.things["alerts"][alerts[0]["id"]]["acknowledgedAt"] is not None

    # Caught up: what comes now changes nothing (a change may come again, never a new one).
    before = client.state()
    assert client.sync().state() == before
    # A fresh full sync, in one page, reads the same.
    fresh = Replica(owner)
    assert fresh.sync_until(lambda: fresh.state() == server_state(owner)).state() == server_state(owner)


def test_twenty_racing_writers_and_a_polling_reader_lose_nothing(jwt_server, db_url):
    user = Api(jwt_server, new_user("racer"))
    created: dict[str, set[str]] = {"budgets": set(), "transactions": set()}
    deleted: dict[str, set[str]] = {"budgets": set(), "transactions": set()}
    lock = threading.Lock()
    done = threading.Event()

    def writer(n: int) -> None:
        budget = ok(user(CREATE, {"input": budget_input(user.user, name=f"Racer {n}")}))["budget"]
        written = [ok(user(RECORD, {"input": {"category": "Groceries", "amount": f"{n + 1}.{i}"}}))["transaction"]["id"]
                   for i in range(3)]
        many = ok(user(RECORD_MANY, {"inputs": [{"category": "Fuel", "amount": f"{n + 1}.{i}1"} for i in range(4)]}))
        written += [t["id"] for t in many["transactions"]]
        ok(user(UPDATE_TXN, {"id": written[0], "i": {"description": f"edited by {n}"}}))
        ok(user(DELETE_TXN, {"id": written[1]}))
        gone_budget = n % 2 == 0
        if gone_budget:
            ok(user(DELETE, {"id": budget["id"]}))
        with lock:
            created["budgets"].add(budget["id"])
            created["transactions"].update(written)
            deleted["transactions"].add(written[1])
            if gone_budget:
                deleted["budgets"].add(budget["id"])

    reader = Replica(user, first=7)

    def poll() -> None:
        while not done.is_set():
            reader.sync()

    with ThreadPoolExecutor(max_workers=21) as pool:
        polling = pool.submit(poll)
        try:
            for f in [pool.submit(writer, n) for n in range(20)]:
                f.result()
        finally:
            done.set()
        polling.result()

    def caught_up() -> bool:
        return all(created[n] <= reader.seen[n] | reader.gone[n] and deleted[n] <= reader.gone[n] for n in created)

    reader.sync_until(caught_up)  # after the writers: anything that fell behind a cursor stays lost

    assert reader.pages > 1
    for name in ("budgets", "transactions"):
        assert created[name] <= reader.seen[name] | reader.gone[name], f"{name} never seen"
        assert deleted[name] <= reader.gone[name], f"{name}: deletions lost: {feed_of(db_url, user.user, deleted[name] - reader.gone[name])}"
    assert reader.state() == server_state(user)


def test_sharing_makes_a_budget_appear_for_the_member_and_unsharing_a_deletion(jwt_server):
    owner, member = Api(jwt_server, new_user("owner")), Api(jwt_server, new_user("member"))
    budget = household(owner)
    spend(owner, "85.00")  # alerts before the member joins: they reach them once they do
    client = Replica(member).sync()
    assert client.state()["budgets"] == {}

    invitation = share(owner, budget, member, "VIEWER")["invitation"]
    client.sync()
    assert client.state()["budgets"] == {}  # an invitation shares nothing yet
    ok(member(ACCEPT, {"id": invitation["id"]}))
    client.sync_until(lambda: client.state() == server_state(member))
    assert set(client.things["budgets"]) == {budget["id"]}
    assert client.things["alerts"] and client.state() == server_state(member)

    ok(owner(UPDATE, {"id": budget["id"], "input": {"name": "Shared, renamed"}}))
    client.sync_until(lambda: client.things["budgets"][budget["id"]]["name"] == "Shared, renamed")
    assert client.things["budgets"][budget["id"]]["name"] == "Shared, renamed"

    ok(owner(UNSHARE, {"b": budget["id"], "u": member.user}))
    client.sync_until(lambda: budget["id"] in client.gone["budgets"])
    assert budget["id"] in client.gone["budgets"] and client.things["alerts"] == {}
    assert client.state() == server_state(member)
    # The owner's own copy still has it.
    mine = Replica(owner)
    assert budget["id"] in mine.sync_until(lambda: budget["id"] in mine.things["budgets"]).things["budgets"]


def test_another_tenants_changes_are_refused_and_their_cursors_do_not_open(jwt_server):
    owner, stranger = Api(jwt_server, new_user("owner")), Api(jwt_server, new_user("stranger"))
    household(owner)
    assert stranger.error_code(CHANGES, {"u": owner.user}) == "FORBIDDEN"
    assert owner(CHANGES, {"u": owner.user})["changes"]["budgets"]  # naming oneself is fine
    theirs = owner(CHANGES, {})["changes"]["cursor"]
    assert stranger.error_code(CHANGES, {"since": theirs}) == "VALIDATION"  # a cursor is its user's
    assert Replica(stranger).sync().things["budgets"] == {}
    anonymous = Api(jwt_server, token="").post(CHANGES, {})
    assert anonymous.status_code == 401 and anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_first_is_bounded_like_every_page_size(jwt_server):
    owner = Api(jwt_server, new_user("owner"))
    for n in range(3):
        ok(owner(CREATE, {"input": budget_input(owner.user, name=f"B{n}")}))
    for bad in (-1, 501):
        assert owner.error_code(CHANGES, {"first": bad}) == "VALIDATION"
    empty = owner(CHANGES, {"first": 0})["changes"]
    assert empty["hasMore"] and empty["budgets"] == []
    # A page of nothing moves nothing: the full sync goes on from where it was (a full sync
    # reads the current state: nothing to wait for).
    assert len(owner(CHANGES, {"since": empty["cursor"], "first": 500})["changes"]["budgets"]) == 3
    assert len(owner(CHANGES, {"first": 500})["changes"]["budgets"]) == 3


def test_garbage_cursors_are_refused_and_old_ones_expire(jwt_server, db_url):
    owner = Api(jwt_server, new_user("owner"))
    spent = ok(owner(RECORD, {"input": {"category": "Groceries", "amount": "3"}}))["transaction"]
    client = Replica(owner).sync()
    for garbage in ("garbage", "A" * 43, client.cursor[:-2] + ("AA" if not client.cursor.endswith("AA") else "BB")):
        body = owner.raw(CHANGES, {"since": garbage})
        assert body["errors"][0]["extensions"]["code"] == "VALIDATION", body
        assert "cursor" in body["errors"][0]["message"]

    ok(owner(DELETE_TXN, {"id": spent["id"]}))  # a deletion the old cursor still needs

    def expired() -> bool:
        body = owner.raw(CHANGES, {"since": client.cursor})
        return bool(body.get("errors")) and body["errors"][0]["extensions"]["code"] == "CURSOR_EXPIRED"

    async def prune_until_expired() -> bool:
        # A retention of nothing, for the test. Only what no open transaction can precede is
        # pruned, so a writer elsewhere on the server may make it wait a moment.
        async with open_services(db_url) as services:
            for _ in range(300):
                await services.sync.prune(timedelta(0))
                if await asyncio.to_thread(expired):
                    return True
                await asyncio.sleep(0.2)
        return False

    assert not expired()
    assert asyncio.run(prune_until_expired())
    assert owner.error_code(CHANGES, {"since": client.cursor}) == "CURSOR_EXPIRED"
    fresh = Replica(owner)  # the way out: a full sync
    assert fresh.sync_until(lambda: fresh.state() == server_state(owner)).state() == server_state(owner)

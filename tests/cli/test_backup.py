"""``budgetql export`` / ``budgetql import``: a user's backup round-trips exactly, into
an empty database of the other backend; restoring skips what is stored; a damaged file
stores nothing."""

from __future__ import annotations

from domain.access import TRUSTED

import asyncio
import json
import uuid

import pytest

from graph.services import open_services

from tests.support.cli import budgetql
from tests.conftest import ADMIN_URL, _pg_admin
from tests.support.queries import CREATE, RECORD_MANY, UPDATE, budget_input

CREATE_TEMPLATE = """
mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { errors { message } } }
"""


@pytest.fixture
def empty_db_url(db_url, request, tmp_path):
    """An empty database of the other backend than ``db_url``'s."""
    if db_url.startswith("postgresql"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
        return
    request.getfixturevalue("postgres_url")  # skips (or fails under CI) without PostgreSQL
    name = f"budgetql_restore_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    from sqlalchemy.engine import make_url

    yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _ok(gql, query: str, variables: dict, field: str) -> dict:
    payload = (await gql(query, variables))[field]
    assert payload["errors"] == [], payload["errors"]
    return payload


CREATE_RULE = """
mutation($i: CreateCategoryRuleInput!) { createCategoryRule(input: $i) { rule { id } errors { field code message } } }
"""
SET_PERIOD_AMOUNT = """
mutation($i: SetPeriodAmountInput!) { setPeriodAmount(input: $i) { budget { id } errors { field code message } } }
"""


async def make_user_data(gql, user_id: str) -> None:
    """Budgets, templates and transactions using every field a backup must keep."""
    yen = (
        await _ok(
            gql,
            CREATE,
            {
                "input": budget_input(
                    user_id, name="Yen", currency="JPY", rolloverMode="FULL", startDate="2025-01-01T00:00:00",
                    categories=[{"name": "Food", "amount": "30000"}, {"name": "Rent", "amount": "80000"}],
                    thresholds={"warning": "0.5", "limitReached": "0.9", "overspending": "1.5"},
                )
            },
            "createBudget",
        )
    )["budget"]
    # A category added later starts carrying from the current period; the version moves.
    await _ok(
        gql,
        UPDATE,
        {
            "id": yen["id"],
            "input": {"name": "Yen budget", "categories": [
                {"name": "Rent", "amount": "80000"}, {"name": "Fun", "amount": "5000"}, {"name": "Food", "amount": "30000"},
            ]},
            "v": 1,
        },
        "updateBudget",
    )
    home = (await _ok(gql, CREATE, {"input": budget_input(user_id)}, "createBudget"))["budget"]
    # Its history: a time zone, a raise from period 1 on, a period-only amount.
    await _ok(gql, UPDATE, {"id": home["id"], "input": {"timeZone": "America/New_York"}}, "updateBudget")
    await _ok(gql, UPDATE, {"id": home["id"], "input": {"effectivePeriod": 1, "categories": [
        {"name": "Groceries", "amount": "650.00"}, {"name": "Restaurants", "amount": "200.00"}]}}, "updateBudget")
    await _ok(gql, SET_PERIOD_AMOUNT, {"i": {"budgetId": home["id"], "period": 2, "category": "Restaurants",
                                             "amount": "250.00"}}, "setPeriodAmount")
    for key, categories in [
        ("family", [{"name": "Home", "group": "Needs", "percent": "60"}, {"name": "Fun", "percent": "40"}]),
        ("thirds", [{"name": "A", "weight": "1"}, {"name": "B", "weight": "1"}, {"name": "C", "weight": "1.5"}]),
    ]:
        await _ok(
            gql, CREATE_TEMPLATE,
            {"input": {"userId": user_id, "key": key, "name": key.title(), "description": f"{key} split", "categories": categories}},
            "createTemplate",
        )
    inputs = [
        {"userId": user_id, "category": "Groceries", "amount": "425.50", "occurredAt": "2025-11-03T10:00:00",
         "description": "Whole Foods", "externalId": "bank-1"},
        {"userId": user_id, "category": "groceries", "amount": "-25.00", "occurredAt": "2025-11-03T10:00:00"},
        {"userId": user_id, "category": "Restaurants", "amount": "180.25", "occurredAt": "2025-11-20T19:30:15.123456"},
        {"userId": user_id, "category": "Food", "amount": "1200", "currency": "JPY", "occurredAt": "2025-02-01T00:00:00"},
        {"userId": user_id, "category": "Fuel", "amount": "0.01", "occurredAt": "2024-12-31T23:59:59",
         "description": "Zoë's — «station»"},
        {"userId": user_id, "category": "Groceries", "amount": "25.00", "occurredAt": "2025-11-30T21:00:00-05:00"},
        {"userId": user_id, "category": "Groceries", "amount": "7.00", "occurredOn": "2025-11-29"},
        {"userId": user_id, "amount": "100.00", "occurredAt": "2026-01-02T10:00:00", "description": "Costco",
         "splits": [{"category": "Groceries", "amount": "60.00", "memo": "food"}, {"category": "Home", "amount": "40.00"}]},
        {"userId": user_id, "category": "Salary", "amount": "3000.00", "kind": "INCOME", "occurredAt": "2026-01-03T10:00:00"},
        {"userId": user_id, "amount": "4.00", "occurredAt": "2026-01-04T10:00:00", "description": "??",
         "sourceCategory": "SOMETHING_UNKNOWN"},
        {"userId": user_id, "amount": "5.00", "occurredAt": "2026-01-05T10:00:00", "description": "TRAIN TICKET"},
    ]
    await _ok(gql, CREATE_RULE, {"i": {"userId": user_id, "category": "Transport", "priority": 5,
                                       "match": {"descriptionContains": "train", "amountMax": "500"}}},
              "createCategoryRule")
    await _ok(gql, RECORD_MANY, {"inputs": inputs}, "recordTransactions")


async def _export(capsys, db_url: str, user_id: str, path) -> str:
    ran = await budgetql(capsys, "export", str(path), "--user", user_id, "--database-url", db_url)
    assert ran.status == 0, ran.err
    return path.read_text(encoding="utf-8")


async def _import(capsys, db_url: str, path) -> list[str]:
    ran = await budgetql(capsys, "import", str(path), "--database-url", db_url)
    assert ran.status == 0, ran.err
    return ran.out.splitlines()


async def _progress(db_url: str, budget_id: str, k: int):
    async with open_services(db_url) as services:
        budget = await services.budgets.get_budget(TRUSTED, budget_id)
        return (await services.spending.progress_many([(budget, k, None)]))[0]


async def test_export_then_import_into_an_empty_database_round_trips_exactly(
    capsys, db_url, gql, user_id, tmp_path, empty_db_url
):
    await make_user_data(gql, user_id)
    first = await _export(capsys, db_url, user_id, tmp_path / "backup.json")
    document = json.loads(first)
    assert (document["format"], document["version"], document["user_id"]) == ("budgetql-backup", 3, user_id)
    assert [b["name"] for b in document["budgets"]] == ["Yen budget", "November 2025"]  # oldest first
    yen = document["budgets"][0]
    assert (yen["currency"], yen["rollover_mode"], yen["version"]) == ("JPY", "full", 2)
    assert yen["thresholds"] == {"warning": "0.50", "limit_reached": "0.90", "overspending": "1.50"}
    assert [(c["name"], c["amount"]) for c in yen["categories"]] == [("Rent", "80000"), ("Fun", "5000"), ("Food", "30000")]
    assert yen["categories"][1]["since_period"] > 0  # Fun was added in a later period
    assert [(t["key"], [c["weight"] for c in t["categories"]]) for t in document["templates"]] == [
        ("family", ["60", "40"]), ("thirds", ["1", "1", "1.5"]),
    ]
    assert [t["amount"] for t in document["transactions"]] == [
        "0.01", "1200", "425.50", "-25.00", "180.25", "7.00", "25.00", "100.00", "3000.00", "4.00", "5.00"
    ]
    costco, salary, unknown, train = document["transactions"][7:]
    assert [(s["category"], s["amount"], s["memo"]) for s in costco["splits"]] == [
        ("Groceries", "60.00", "food"), ("Home", "40.00", None)
    ]
    assert (costco["category"], salary["kind"], unknown["categorized_by"]) == (None, "income", None)
    assert (train["category"], train["categorized_by"]) == ("Transport", "rule")
    assert train["rule_id"] == document["category_rules"][0]["id"]
    assert document["category_rules"][0]["match"]["amount_max"] == "500"
    assert document["transactions"][4]["occurred_at"] == "2025-11-20T19:30:15.123456"
    assert [(t["occurred_at"], t["occurred_on"]) for t in document["transactions"][5:7]] == [
        ("2025-11-29T00:00:00", "2025-11-29"), ("2025-12-01T02:00:00", "2025-11-30")
    ]
    home = document["budgets"][1]
    assert (home["time_zone"], home["categories_from"]) == ("America/New_York", 1)
    assert [(p["from_period"], [c["amount"] for c in p["categories"]]) for p in home["earlier_plans"]] == [
        (0, ["600.00", "200.00"])
    ]
    assert home["period_amounts"] == [{"period": 2, "category": "Restaurants", "amount": "250.00"}]
    assert [(r["version"], r["effective_period"], [c["field"] for c in r["changes"]]) for r in home["history"]][1:] == [
        (2, None, ["timeZone"]),
        (3, 1, ["categories.Groceries.amount"]),
        (4, 2, ["periods.2.categories.Restaurants.amount"]),
    ]

    assert await _import(capsys, empty_db_url, tmp_path / "backup.json") == [
        f"restored the backup of {user_id}",
        "budgets: 2 restored, 0 already present (skipped)",
        "templates: 2 restored, 0 already present (skipped)",
        "transactions: 11 restored, 0 already present (skipped)",
    ]
    again = await _export(capsys, empty_db_url, user_id, tmp_path / "again.json")
    assert again == first
    # The restored spending is counted as the original was (the rollup came with it).
    budget_id = document["budgets"][1]["id"]
    restored, original = await _progress(empty_db_url, budget_id, 0), await _progress(db_url, budget_id, 0)
    assert restored.total_spent == original.total_spent
    assert [(c.category_name, c.spent_amount) for c in restored.categories] == [
        ("Groceries", original.categories[0].spent_amount), ("Restaurants", original.categories[1].spent_amount),
    ]
    assert str(restored.total_spent) == "612.75"  # 580.75 in the spec example, plus 7 on Nov 29 and 25 on Nov 30 (New York)


async def test_import_skips_what_is_already_stored(capsys, db_url, gql, user_id, tmp_path):
    await make_user_data(gql, user_id)
    before = await _export(capsys, db_url, user_id, tmp_path / "backup.json")
    assert (await _import(capsys, db_url, tmp_path / "backup.json"))[1:] == [
        "budgets: 0 restored, 2 already present (skipped)",
        "templates: 0 restored, 2 already present (skipped)",
        "transactions: 0 restored, 11 already present (skipped)",
    ]
    # Deleted records come back, with their ids; nothing else is touched.
    document = json.loads(before)
    await gql("mutation($id: ID!) { deleteBudget(id: $id) { errors { message } } }", {"id": document["budgets"][0]["id"]})
    await gql(
        "mutation($id: ID!) { deleteTransaction(id: $id) { errors { message } } }",
        {"id": document["transactions"][2]["id"]},
    )
    await gql('mutation($u: String!) { deleteTemplate(key: "thirds", userId: $u) { errors { message } } }', {"u": user_id})
    assert (await _import(capsys, db_url, tmp_path / "backup.json"))[1:] == [
        "budgets: 1 restored, 1 already present (skipped)",
        "templates: 1 restored, 1 already present (skipped)",
        "transactions: 1 restored, 10 already present (skipped)",
    ]
    after = json.loads(await _export(capsys, db_url, user_id, tmp_path / "after.json"))
    # The same records, field for field; those restored now are stored after the
    # others, so they may list in another order: compare by id.
    def by_id(records: list[dict], key: str = "id") -> list[dict]:
        return sorted(records, key=lambda r: r[key])

    assert by_id(after["budgets"]) == by_id(document["budgets"])
    assert by_id(after["templates"], "key") == by_id(document["templates"], "key")
    assert by_id(after["transactions"]) == by_id(document["transactions"])


def _damage(document: dict) -> None:
    document["budgets"][0]["categories"][0]["amount"] = "12.345"  # JPY has no minor unit
    document["budgets"][1]["color"] = "blue"
    document["templates"][0]["key"] = "50_30_20"
    document["transactions"][1]["id"] = document["transactions"][0]["id"]
    document["transactions"][2]["occurred_at"] = "2025-11-20T19:30:15Z"


async def test_a_damaged_backup_stores_nothing(capsys, db_url, gql, user_id, tmp_path, empty_db_url):
    await make_user_data(gql, user_id)
    document = json.loads(await _export(capsys, db_url, user_id, tmp_path / "backup.json"))
    _damage(document)
    (tmp_path / "damaged.json").write_text(json.dumps(document), encoding="utf-8")
    ran = await budgetql(capsys, "import", str(tmp_path / "damaged.json"), "--database-url", empty_db_url)
    assert ran.status == 2 and ran.out == ""
    lines = ran.err.splitlines()
    assert lines[0].endswith("is not a valid backup; nothing was restored:")
    assert lines[1:] == [
        "  budgets.0.categories.0.amount: Amount for 'Rent' 12.345 has more decimal places than JPY allows (0)",
        "  budgets.1: fields: unknown color",
        "  templates.0.key: Template key '50_30_20' is a built-in template's: a template cannot shadow a built-in",
        "  transactions.2.occurred_at: must be a calendar time without a zone",
        f"  transactions.1: transaction id {document['transactions'][0]['id']!r} appears more than once",
    ]
    empty = json.loads(await _export(capsys, empty_db_url, user_id, tmp_path / "empty.json"))
    assert (empty["budgets"], empty["templates"], empty["transactions"]) == ([], [], [])


@pytest.mark.parametrize(
    "text,message",
    [
        ("not json", "is not JSON"),
        ("[]", "(document): must be an object"),
        ('{"format": "x", "version": 1, "user_id": "u", "budgets": [], "templates": [], "transactions": []}',
         "format: not a budgetql backup"),
        ('{"format": "budgetql-backup", "version": 4, "user_id": "u", "budgets": [], "templates": [], "transactions": []}',
         "version: backup version 4 is not supported"),
        ('{"format": "budgetql-backup", "version": 1, "user_id": "u", "budgets": {}, "templates": [], "transactions": []}',
         "budgets: must be a list"),
    ],
)
async def test_files_that_are_not_backups(capsys, tmp_path, text, message):
    path = tmp_path / "file.json"
    path.write_text(text)
    ran = await budgetql(capsys, "import", str(path), "--database-url", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert ran.status == 2 and message in ran.err
    assert not (tmp_path / "x.db").exists()  # refused before touching any database


SHARE = """mutation($b: ID!, $u: String!, $role: MemberRole!) {
  shareBudget(budgetId: $b, userId: $u, role: $role) { invitation { id } errors { message } } }"""
ANSWER = """mutation($id: ID!, $history: Boolean!) {
  acceptInvitation(id: $id, shareHistory: $history) { errors { message } } }"""
DECLINE = "mutation($id: ID!) { declineInvitation(id: $id) { errors { message } } }"


async def test_a_shared_household_round_trips_with_its_members_and_invitations(
    capsys, db_url, gql, user_id, tmp_path, empty_db_url
):
    owner, sharer, newcomer, undecided, refuser = (f"{user_id}_{n}" for n in ("o", "s", "n", "u", "r"))
    home = (await _ok(gql, CREATE, {"input": budget_input(
        owner, name="Home", type="HOUSEHOLD", startDate="2025-11-01T00:00:00",
        categories=[{"name": "Groceries", "amount": "600.00"}],
    )}, "createBudget"))["budget"]
    for member in (sharer, newcomer):
        await _ok(gql, RECORD_MANY, {"inputs": [
            {"userId": member, "category": "Groceries", "amount": "12.34", "occurredAt": "2025-11-02T10:00:00"},
        ]}, "recordTransactions")
    invitations = {}
    for user, role in ((sharer, "EDITOR"), (newcomer, "VIEWER"), (undecided, "VIEWER"), (refuser, "VIEWER")):
        sent = await _ok(gql, SHARE, {"b": home["id"], "u": user, "role": role}, "shareBudget")
        invitations[user] = sent["invitation"]["id"]
    await _ok(gql, ANSWER, {"id": invitations[sharer], "history": True}, "acceptInvitation")
    await _ok(gql, ANSWER, {"id": invitations[newcomer], "history": False}, "acceptInvitation")
    await _ok(gql, DECLINE, {"id": invitations[refuser]}, "declineInvitation")

    first = await _export(capsys, db_url, owner, tmp_path / "owner.json")
    document = json.loads(first)
    [budget] = document["budgets"]
    assert [(m["user_id"], m["role"], m["share_history"]) for m in budget["members"]] == [
        (sharer, "editor", True), (newcomer, "viewer", False),
    ]
    assert all(m["accepted_at"].endswith("Z") and m["accepted_at"] >= m["created_at"] for m in budget["members"])
    assert [(i["user_id"], i["status"]) for i in budget["invitations"]] == [
        (sharer, "accepted"), (newcomer, "accepted"), (undecided, "pending"), (refuser, "declined"),
    ]
    # A budget shared with a user is its owner's data: not in the member's backup.
    member_backup = json.loads(await _export(capsys, db_url, sharer, tmp_path / "sharer.json"))
    assert member_backup["budgets"] == [] and len(member_backup["transactions"]) == 1

    for user in (owner, sharer, newcomer):
        await _export(capsys, db_url, user, tmp_path / f"{user}.json")
        await _import(capsys, empty_db_url, tmp_path / f"{user}.json")
    assert await _export(capsys, empty_db_url, owner, tmp_path / "again.json") == first
    restored, original = await _progress(empty_db_url, home["id"], 0), await _progress(db_url, home["id"], 0)
    # The sharer's history counts, the newcomer's earlier spending does not: in both databases.
    assert restored.total_spent == original.total_spent and str(original.total_spent) == "12.34"


async def test_a_version_1_backup_still_reads(capsys, db_url, gql, user_id, tmp_path):
    await make_user_data(gql, user_id)
    document = json.loads(await _export(capsys, db_url, user_id, tmp_path / "backup.json"))
    document["version"] = 1
    del document["alert_acknowledgements"], document["webhooks"], document["category_rules"]
    for budget in document["budgets"]:
        del budget["members"], budget["invitations"]
        for key in ("categories_from", "earlier_plans", "period_amounts", "time_zone", "history"):
            del budget[key]
    for transaction in document["transactions"]:
        for key in ("occurred_on", "kind", "splits", "source_category", "categorized_by", "rule_id", "version"):
            del transaction[key]
    # Version 1 knew only categorized spending: the others (split, income, uncategorized) go.
    document["transactions"] = [t for t in document["transactions"] if t["category"] and t["amount"] != "3000.00"]
    (tmp_path / "v1.json").write_text(json.dumps(document))
    assert (await _import(capsys, db_url, tmp_path / "v1.json"))[1] == "budgets: 0 restored, 2 already present (skipped)"
    document["version"] = 2
    document["alert_acknowledgements"], document["webhooks"] = [], []
    (tmp_path / "v2.json").write_text(json.dumps(document))
    ran = await budgetql(capsys, "import", str(tmp_path / "v2.json"), "--database-url", db_url)
    assert ran.status != 0 and "budgets.0: fields: missing members, invitations" in ran.err


async def test_alert_acknowledgements_round_trip(capsys, db_url, gql, user_id, tmp_path, empty_db_url):
    budget = (await _ok(gql, CREATE, {"input": budget_input(
        user_id, name="Acked", startDate="2025-11-01T00:00:00",
        categories=[{"name": "Groceries", "amount": "100.00"}, {"name": "Fun", "amount": "100.00"}],
    )}, "createBudget"))["budget"]
    await _ok(gql, RECORD_MANY, {"inputs": [
        {"userId": user_id, "category": "Groceries", "amount": "105.00", "occurredAt": "2025-11-05T10:00:00"},
        {"userId": user_id, "category": "Fun", "amount": "85.00", "occurredAt": "2025-11-06T10:00:00"},
    ]}, "recordTransactions")
    alerts = (await gql(
        "query($u: String!, $b: ID) { alerts(userId: $u, budgetId: $b) { nodes { id category alertType } } }",
        {"u": user_id, "b": budget["id"]},
    ))["alerts"]["nodes"]
    chosen = [a for a in alerts if (a["category"], a["alertType"]) in {("Groceries", "LIMIT_REACHED"), (None, "WARNING")}]
    assert len(chosen) == 2
    for a in chosen:
        await _ok(gql, "mutation($id: ID!) { acknowledgeAlert(id: $id) { errors { message } } }", {"id": a["id"]},
                  "acknowledgeAlert")
    first = await _export(capsys, db_url, user_id, tmp_path / "acked.json")
    acks = json.loads(first)["alert_acknowledgements"]
    assert {(a["category"], a["alert_type"]) for a in acks} == {(None, "warning"), ("Groceries", "limit_reached")}
    assert all(a["budget_id"] == budget["id"] and a["period_start"] == "2025-11-01T00:00:00" for a in acks)
    lines = await _import(capsys, empty_db_url, tmp_path / "acked.json")
    assert lines[-1] == "alert acknowledgements: 2 restored, 0 skipped (acknowledged already, or no such alert)"
    assert await _export(capsys, empty_db_url, user_id, tmp_path / "again.json") == first
    lines = await _import(capsys, empty_db_url, tmp_path / "acked.json")
    assert lines[-1] == "alert acknowledgements: 0 restored, 2 skipped (acknowledged already, or no such alert)"


HOOKS = "query($u: String!) { webhooks(userId: $u) { id url secretHint active createdAt } }"
ROTATE = """mutation($id: ID!, $s: String!) {
  rotateWebhookSecret(id: $id, secret: $s) { webhook { id secretHint active } errors { field code message } } }"""
DELIVERIES = "query($w: ID!) { webhookDeliveries(webhookId: $w) { totalCount } }"


async def test_webhooks_round_trip_without_their_secrets_and_wait_for_a_new_one(
    capsys, db_url, gql, user_id, tmp_path, empty_db_url
):
    await make_user_data(gql, user_id)
    for path in ("/a", "/b"):
        registered = await gql(
            "mutation($i: RegisterWebhookInput!) { registerWebhook(input: $i) { errors { message } } }",
            {"i": {"userId": user_id, "url": f"https://hooks.example.com{path}", "secret": "s3cret-0123456789abcdef"}},
        )
        assert registered["registerWebhook"]["errors"] == []
    first = await _export(capsys, db_url, user_id, tmp_path / "hooks.json")
    assert "s3cret" not in first and "cdef" not in first
    document = json.loads(first)
    assert [w["url"] for w in document["webhooks"]] == ["https://hooks.example.com/a", "https://hooks.example.com/b"]
    lines = await _import(capsys, empty_db_url, tmp_path / "hooks.json")
    assert "webhooks: 2 restored (inactive until rotateWebhookSecret), 0 already present (skipped)" in lines
    assert await _export(capsys, empty_db_url, user_id, tmp_path / "again.json") == first

    async with open_services(empty_db_url) as services:
        from domain.access import TRUSTED as actor
        from domain.models import utcnow

        restored = await services.webhooks.list(actor, user_id)
        assert [(w.id, w.active, w.secret_hint) for w in restored] == [(w["id"], False, None) for w in document["webhooks"]]
        # The restored spending raised alerts: none was queued for a webhook without a secret.
        for w in restored:
            assert (await services.webhooks.deliveries(actor, w.id)).total_count == 0
        with pytest.raises(Exception) as short:
            await services.webhooks.rotate_secret(actor, restored[0].id, "short")
        assert getattr(short.value, "code", None) is not None and short.value.code.value == "VALIDATION"
        active = await services.webhooks.rotate_secret(actor, restored[0].id, "new-secret-0123456789")
        assert (active.active, active.secret_hint) == (True, "6789")
        from domain.spending.rules import TransactionInput

        await services.budgets.create_budget(
            actor, user_id=user_id, name="Now", type="personal", period="monthly", categories={"Coffee": "100.00"},
        )
        await services.spending.record(actor, TransactionInput(
            user_id=user_id, category="Coffee", amount="100.00", currency="USD", occurred_at=utcnow(),
        ))
        counts = [(await services.webhooks.deliveries(actor, w.id)).total_count for w in restored]
    # Coffee's WARNING and LIMIT_REACHED, and the total's (at the limit, no forecast alert
    # whatever the day): to the webhook with a secret again, none to the other.
    assert counts == [4, 0]

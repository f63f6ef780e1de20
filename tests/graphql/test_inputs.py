"""Nothing a client sends gets a 500 (issue #17): hostile strings, decimals, dates and
period indexes are VALIDATION / NOT_FOUND with a field, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import unicodedata
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import httpx
import pytest
import websockets

from domain.backup import rules as backup
from domain.spending import csv_rows
from domain.errors import BudgetError

from tests.support.server import running_server
from tests.support.queries import (
    CREATE,
    DELETE,
    GET,
    PROGRESS,
    RECORD,
    UPDATE,
    budget_input,
    by_name,
    create_budget,
    progress,
    record,
)
from tests.support.ws import PROTOCOL

NUL = "a\u0000b"
ALERTS = """query($u: String!, $b: ID) { alerts(userId: $u, budgetId: $b) {
  totalCount nodes { budgetId category alertType message percentUsed } } }"""


def no_internal_error(body: dict) -> None:
    for error in body.get("errors") or []:
        assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", body


def payload_errors(body: dict, mutation: str) -> list[dict]:
    no_internal_error(body)
    assert not body.get("errors"), body
    return body["data"][mutation]["errors"]


# -- error paths -------------------------------------------------------------------
async def test_record_transaction_errors_are_under_input(gql, user_id):
    body = await gql.raw(RECORD, {"input": {"userId": user_id, "category": " ", "amount": "0.001", "currency": "XXX1"}})
    assert sorted(e["field"] for e in payload_errors(body, "recordTransaction")) == [
        ["input", "amount"], ["input", "category"], ["input", "currency"]
    ]


# -- strings -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": NUL}, ["input", "name"]),
        ({"name": "bell\u0007"}, ["input", "name"]),
        ({"name": "two\nlines"}, ["input", "name"]),
        ({"name": "c1 \u0085 control"}, ["input", "name"]),
        ({"userId": NUL}, ["input", "userId"]),
        ({"categories": [{"name": NUL, "amount": "1"}]}, ["input", "categories", "0", "name"]),
        ({"categories": [{"name": "tab\there", "amount": "1"}]}, ["input", "categories", "0", "name"]),
    ],
    ids=["nul-name", "bel-name", "newline-name", "c1-name", "nul-user", "nul-category", "tab-category"],
)
async def test_control_characters_in_a_budget_are_validation(gql, user_id, overrides, field):
    body = await gql.raw(CREATE, {"input": budget_input(user_id, **overrides)})
    (error,) = payload_errors(body, "createBudget")
    assert (error["field"], error["code"]) == (field, "VALIDATION")
    assert "control characters" in error["message"]
    assert body["data"]["createBudget"]["budget"] is None


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"description": NUL}, ["input", "description"]),
        ({"category": NUL}, ["input", "category"]),
        ({"externalId": NUL}, ["input", "externalId"]),
        ({"userId": NUL}, ["input", "userId"]),
    ],
)
async def test_control_characters_in_a_transaction_are_validation(gql, user_id, overrides, field):
    given = {"userId": user_id, "category": "Groceries", "amount": "1.00", "occurredAt": "2025-11-03T10:00:00"}
    body = await gql.raw(RECORD, {"input": {**given, **overrides}})
    (error,) = payload_errors(body, "recordTransaction")
    assert (error["field"], error["code"]) == (field, "VALIDATION")
    listed = await gql("query($u: String!) { transactions(userId: $u) { totalCount } }", {"u": user_id})
    assert listed["transactions"]["totalCount"] == 0


async def test_a_description_may_hold_tabs_and_newlines(gql, user_id):
    t = await record(gql, user_id, "Groceries", "1.00", "2025-11-03T10:00:00", description="milk\teggs\nbread")
    assert t["description"] == "milk\teggs\nbread"


async def test_template_and_webhook_strings_are_checked_too(gql, user_id):
    template = await gql.raw(
        """mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { errors { field code } } }""",
        {"i": {"userId": user_id, "key": "mine", "name": "Mine", "description": NUL,
               "categories": [{"name": "A", "group": NUL, "percent": "100"}]}},
    )
    assert sorted(e["field"][-1] for e in payload_errors(template, "createTemplate")) == ["description", "group"]
    applied = await gql.raw(
        """mutation($i: ApplyTemplateInput!) { applyTemplate(input: $i) { errors { field code } } }""",
        {"i": {"userId": user_id, "templateKey": "50_30_20", "totalIncome": "5000", "budgetName": NUL}},
    )
    assert payload_errors(applied, "applyTemplate") == [{"field": ["input", "budgetName"], "code": "VALIDATION"}]
    hook = await gql.raw(
        """mutation($i: RegisterWebhookInput!) { registerWebhook(input: $i) { errors { field code } } }""",
        {"i": {"userId": user_id, "url": "https://example.com/hook", "secret": "0123456789abcdef" + NUL}},
    )
    assert payload_errors(hook, "registerWebhook") == [{"field": ["input", "secret"], "code": "VALIDATION"}]


async def test_ids_and_keys_with_nul_are_not_found(gql, user_id):
    assert (await gql(GET, {"id": "bud" + NUL}))["budget"] is None
    deleted = await gql.raw(DELETE, {"id": "bud" + NUL})
    assert [(e["field"], e["code"]) for e in payload_errors(deleted, "deleteBudget")] == [(["id"], "NOT_FOUND")]
    for mutation, argument in (("deleteTransaction", "id"), ("acknowledgeAlert", "id"), ("deleteWebhook", "id")):
        body = await gql.raw(f'mutation($x: ID!) {{ {mutation}({argument}: $x) {{ errors {{ field code }} }} }}', {"x": NUL})
        assert payload_errors(body, mutation) == [{"field": ["id"], "code": "NOT_FOUND"}]
    template = await gql('query($k: String!, $u: String) { template(key: $k, userId: $u) { key } }', {"k": NUL, "u": user_id})
    assert template["template"] is None
    body = await gql.raw(
        "mutation($k: String!, $u: String) { deleteTemplate(key: $k, userId: $u) { errors { field code } } }",
        {"k": NUL, "u": user_id},
    )
    assert payload_errors(body, "deleteTemplate") == [{"field": ["key"], "code": "NOT_FOUND"}]
    progress_of = await gql('query($b: ID!) { budgetProgress(budgetId: $b) { totalSpent } }', {"b": NUL})
    assert progress_of["budgetProgress"] is None


@pytest.mark.parametrize(
    "query, variables, field",
    [
        ("query($u: String!) { budgets(userId: $u) { totalCount } }", {"u": NUL}, ["userId"]),
        ("query($u: String!) { transactions(userId: $u) { totalCount } }", {"u": NUL}, ["userId"]),
        ("query($c: String!) { transactions(userId: \"u\", category: $c) { totalCount } }", {"c": NUL}, ["category"]),
        ("query($b: ID!) { alerts(userId: \"u\", budgetId: $b) { totalCount } }", {"b": NUL}, ["budgetId"]),
        ("query($u: String!) { templates(userId: $u) { key } }", {"u": NUL}, ["userId"]),
    ],
    ids=["budgets", "transactions", "transactions-category", "alerts-budget", "templates"],
)
async def test_query_arguments_with_nul_are_validation(gql, query, variables, field):
    body = await gql.raw(query, variables)
    no_internal_error(body)
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "VALIDATION", "field": field}


async def test_rest_strings_with_nul_are_400_or_404(client, user_id):
    listed = await client.get("/budgets?user_id=a%00b")
    assert (listed.status_code, listed.json()["code"]) == (400, "VALIDATION")
    missing = await client.get("/budgets/bud%00x")
    assert (missing.status_code, missing.json()["code"]) == (404, "NOT_FOUND")
    for method in ("PATCH", "DELETE"):
        response = await client.request(method, "/budgets/bud%00x", json={"name": "x"} if method == "PATCH" else None)
        assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND")
    # Raw JSON text: Python's json (the REST reader) takes even a lone surrogate, which no
    # driver can encode.
    start = '{"user_id": "%s", "type": "personal", "period": "monthly", ' % user_id
    for rest in ('"name": "a\\u0000b", "categories": {"A": 1}}', '"name": "\\ud800", "categories": {"A": 1}}',
                 '"name": "x", "categories": {"\\u0000": 1}}'):
        created = await client.post("/budgets", content=start + rest, headers={"content-type": "application/json"})
        assert (created.status_code, created.json()["code"]) == (400, "VALIDATION"), created.text
    assert (await client.get(f"/budgets?user_id={user_id}")).json() == []


async def test_text_is_nfc_and_categories_match_composed_and_decomposed(gql, user_id):
    composed, decomposed = "Caf\u00e9", "Cafe\u0301"
    assert unicodedata.normalize("NFC", decomposed) == composed != decomposed
    twice = await gql.raw(
        CREATE, {"input": budget_input(user_id, categories=[{"name": composed, "amount": "1"}, {"name": decomposed, "amount": "2"}])}
    )
    (error,) = payload_errors(twice, "createBudget")
    assert (error["field"], error["code"]) == (["input", "categories", "1", "name"], "VALIDATION")

    budget = await create_budget(gql, user_id, name=f"Sortie au {decomposed}", categories=[{"name": decomposed, "amount": "100.00"}])
    assert budget["name"] == f"Sortie au {composed}"
    assert budget["categories"][0]["name"] == composed
    t = await record(gql, user_id, "CAFE\u0301", "12.50", "2025-11-03T10:00:00")
    assert t["category"] == "CAF\u00c9"
    assert by_name(await progress(gql, budget["id"], at="2025-11-15T00:00:00"))[composed]["spentAmount"] == "12.50"
    filtered = await gql(
        "query($u: String!, $c: String) { transactions(userId: $u, category: $c) { totalCount } }",
        {"u": user_id, "c": composed.lower()},
    )
    assert filtered["transactions"]["totalCount"] == 1


async def test_a_category_too_long_once_case_folded_is_validation(gql, user_id):
    body = await gql.raw(CREATE, {"input": budget_input(user_id, categories=[{"name": "\u00df" * 100, "amount": "1"}])})
    (error,) = payload_errors(body, "createBudget")
    assert error["field"] == ["input", "categories", "0", "name"] and "case-folded" in error["message"]
    body = await gql.raw(RECORD, {"input": {"userId": user_id, "category": "\u00df" * 60, "amount": "1"}})
    assert [e["field"] for e in payload_errors(body, "recordTransaction")] == [["input", "category"]]


def test_a_backup_goes_through_the_same_rules():
    stamp = "2025-11-01T00:00:00Z"
    document = {
        "format": backup.FORMAT, "version": backup.VERSION, "user_id": "user_1",
        "budgets": [{
            "id": "bud_1", "name": "Nov" + NUL, "type": "personal", "period": "monthly", "currency": "USD",
            "start_date": "2025-11-01T00:00:00", "rollover_mode": "none",
            "thresholds": {"warning": "0.99999", "limit_reached": "1.00", "overspending": "1e400"},
            "categories": [{"name": "\u0661", "amount": "\u0661\u0662", "since_period": 2**40}],
            "version": 1, "created_at": stamp, "updated_at": stamp, "members": [], "invitations": [],
            "categories_from": 0, "earlier_plans": [], "period_amounts": [], "time_zone": "UTC", "history": [],
        }],
        "templates": [],
        "alert_acknowledgements": [],
        "webhooks": [],
        "category_rules": [],
        "transactions": [{
            "id": "txn_1", "category": "Cafe\u0301", "amount": "1.00", "currency": "USD",
            "occurred_at": "2025-11-03T10:00:00", "description": "ok\nline\u0000", "external_id": None,
            "created_at": stamp, "occurred_on": "2025-11-03", "kind": "expense", "splits": [],
            "source_category": None, "categorized_by": "manual", "rule_id": None, "version": 1,
        }],
    }
    with pytest.raises(BudgetError) as refused:
        backup.from_document(document, datetime(2025, 11, 15))
    assert sorted(".".join(p.field) for p in refused.value.problems) == [
        "budgets.0.categories.0.amount", "budgets.0.categories.0.since_period", "budgets.0.name",
        "budgets.0.thresholds.overspending", "budgets.0.thresholds.warning", "transactions.0.description",
    ]
    document["budgets"] = []
    document["transactions"][0]["description"] = "ok\nline"
    restored = backup.from_document(document, datetime(2025, 11, 15))
    assert restored.transactions[0].category == "Caf\u00e9" and restored.transactions[0].description == "ok\nline"


# -- decimals ------------------------------------------------------------------------
@pytest.mark.parametrize("amount", ["\u0661\u0662", "\uff11\uff12", "1\u0660"], ids=["arabic-indic", "fullwidth", "mixed"])
async def test_amounts_take_ascii_digits_only(gql, user_id, amount):
    body = await gql.raw(CREATE, {"input": budget_input(user_id, categories=[{"name": "A", "amount": amount}])})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION" and "digits 0-9" in error["message"]
    spent = await gql.raw(RECORD, {"input": {"userId": user_id, "category": "A", "amount": amount}})
    assert spent["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION"
    assert (await gql("query($u: String!) { budgets(userId: $u) { totalCount } }", {"u": user_id}))["budgets"]["totalCount"] == 0


@pytest.mark.parametrize(
    "thresholds, field",
    [
        ({"overspending": "1e400"}, "overspending"),
        ({"overspending": "1e999999999"}, "overspending"),
        ({"warning": "0.99999"}, "warning"),
        ({"warning": "1e-30"}, "warning"),
        ({"limitReached": "-0"}, "limitReached"),
        ({"overspending": "100.0001"}, "overspending"),
    ],
)
async def test_thresholds_are_range_checked_and_kept_exact(gql, user_id, thresholds, field):
    body = await gql.raw(CREATE, {"input": budget_input(user_id, thresholds=thresholds)})
    (error,) = payload_errors(body, "createBudget")
    assert (error["field"], error["code"]) == (["input", "thresholds", field], "VALIDATION")


async def test_a_threshold_with_four_places_reads_back_exactly(gql, user_id):
    b = await create_budget(gql, user_id, thresholds={"warning": "0.8555", "limitReached": "0.99990", "overspending": "100"})
    stored = (await gql(GET, {"id": b["id"]}))["budget"]["thresholds"]
    assert stored == b["thresholds"] == {"warning": "0.8555", "limitReached": "0.9999", "overspending": "100.00"}
    updated = await gql.raw(UPDATE, {"id": b["id"], "input": {"thresholds": {"warning": "0.00001"}}})
    (error,) = payload_errors(updated, "updateBudget")
    assert error["field"] == ["input", "thresholds", "warning"]


async def test_minus_zero_is_zero(gql, user_id):
    b = await create_budget(gql, user_id, categories=[{"name": "A", "amount": "-0"}, {"name": "B", "amount": "-0.000"}])
    assert [c["amount"] for c in b["categories"]] == ["0.00", "0.00"]
    assert [c["amount"] for c in (await gql(GET, {"id": b["id"]}))["budget"]["categories"]] == ["0.00", "0.00"]
    body = await gql.raw(RECORD, {"input": {"userId": user_id, "category": "A", "amount": "-0"}})
    assert payload_errors(body, "recordTransaction") == [
        {"field": ["input", "amount"], "code": "VALIDATION", "message": "Amount must not be zero"}
    ]


def test_csv_amounts_and_dates_take_ascii_digits_only():
    assert csv_rows.parse_amount("$1,234.50") == Decimal("1234.50")
    for text in ("\u0661\u0662", "\uff11\uff12.00", "1,\u0662\u0663\u0664"):
        with pytest.raises(BudgetError, match="not an amount"):
            csv_rows.parse_amount(text)
    with pytest.raises(BudgetError, match="not a date"):
        csv_rows.parse_date("\u0661\u0661/03/2025")


# -- dates and periods -------------------------------------------------------------------
@pytest.mark.parametrize(
    "arguments, field",
    [
        ({"period": 2147483647}, "period"),
        ({"period": -2147483648}, "period"),
        ({"period": 12 * (3000 - 2025)}, "period"),  # monthly from 2025-11-01: starts 3000-11-01
        ({"at": "9999-12-31T23:59:59"}, "at"),
        ({"at": "9999-12-31T23:00:00-14:00"}, "at"),
        ({"at": "0001-01-01T00:00:00+14:00"}, "at"),
        ({"at": "1899-12-31T23:59:59"}, "at"),
    ],
)
async def test_periods_and_dates_outside_the_calendar_are_validation(gql, user_id, arguments, field):
    b = await create_budget(gql, user_id)
    body = await gql.raw(PROGRESS, {"id": b["id"], **arguments})
    no_internal_error(body)
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "VALIDATION", "field": [field]}, error
    if "at" in arguments:
        root = await gql.raw("query($b: ID!, $at: DateTime) { budgetProgress(budgetId: $b, at: $at) { totalSpent } }",
                             {"b": b["id"], "at": arguments["at"]})
        assert root["errors"][0]["extensions"] == {"code": "VALIDATION", "field": ["at"]}


async def test_the_last_periods_in_the_calendar_still_work(gql, user_id):
    b = await create_budget(gql, user_id, rolloverEnabled=False)
    last = 12 * (2999 - 2025) + 1  # December 2999
    p = await progress(gql, b["id"], period=last)
    assert (p["periodIndex"], p["currentPeriod"], p["periodEnd"]) == (last, "December 2999", "2999-12-31T23:59:59")
    assert (await progress(gql, b["id"], at="2999-12-31T23:59:59"))["periodIndex"] == last
    body = await gql.raw(PROGRESS, {"id": b["id"], "period": last + 1})
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"


async def test_a_rollover_history_of_hundreds_of_periods_is_read(gql, user_id):
    # 900 monthly periods: more than one SQL statement can hold on SQLite (500 terms).
    b = await create_budget(gql, user_id, startDate="1950-01-01T00:00:00", categories=[{"name": "Groceries", "amount": "10.00"}])
    await record(gql, user_id, "Groceries", "4.00", "1950-01-15T00:00:00")
    await record(gql, user_id, "Groceries", "1.00", "2025-01-15T00:00:00")
    p = by_name(await progress(gql, b["id"], period=900))["Groceries"]
    assert (p["rolloverAmount"], p["budgetedAmount"], p["spentAmount"]) == ("8996.00", "9006.00", "1.00")


async def test_transaction_dates_outside_the_calendar_are_validation(gql, user_id):
    body = await gql.raw(
        "query($u: String!, $f: DateTime) { transactions(userId: $u, from: $f) { totalCount } }",
        {"u": user_id, "f": "9999-12-31T23:00:00-14:00"},
    )
    assert body["errors"][0]["extensions"] == {"code": "VALIDATION", "field": ["from"]}
    spent = await gql.raw(RECORD, {"input": {"userId": user_id, "category": "A", "amount": "1", "occurredAt": "0001-01-01T00:00:00+01:00"}})
    assert [e["field"] for e in payload_errors(spent, "recordTransaction")] == [["input", "occurredAt"]]


async def test_before_its_first_period_a_budget_counts_nothing(gql, user_id):
    b = await create_budget(gql, user_id, rolloverEnabled=False)  # from 2025-11-01, Groceries 600
    await record(gql, user_id, "Groceries", "599.00", "2025-10-15T10:00:00")
    for before in (await progress(gql, b["id"], at="2025-10-20T00:00:00"), await progress(gql, b["id"], period=-1)):
        assert (before["periodIndex"], before["currentPeriod"], before["totalSpent"]) == (-1, "October 2025", "0.00")
        assert by_name(before)["Groceries"]["spentAmount"] == "0.00" and before["status"] == "ON_TRACK"
    assert (await progress(gql, b["id"], period=0))["totalSpent"] == "0.00"
    assert (await gql(ALERTS, {"u": user_id}))["alerts"]["totalCount"] == 0


# -- rounding ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "spent, percent, status, alerts",
    [
        ("659.99", 109.99, "LIMIT_REACHED", ["WARNING: Groceries budget at 109.99%", "LIMIT REACHED: Groceries budget at 109.99%"]),
        ("479.99", 79.99, "ON_TRACK", []),
        ("540.00", 90.0, "WARNING", ["WARNING: Groceries budget at 90.0%"]),
    ],
)
async def test_percent_used_and_alert_messages_round_down(gql, user_id, spent, percent, status, alerts):
    now = datetime.now(timezone.utc)
    start = now.strftime("%Y-%m-%dT00:00:00")
    b = await create_budget(gql, user_id, startDate=start, rolloverEnabled=False, categories=[{"name": "Groceries", "amount": "600.00"}])
    await record(gql, user_id, "Groceries", spent, now.replace(tzinfo=None).isoformat(timespec="seconds"))
    groceries = by_name(await progress(gql, b["id"]))["Groceries"]
    assert (groceries["percentUsed"], groceries["status"]) == (percent, status)
    listed = (await gql(ALERTS, {"u": user_id, "b": b["id"]}))["alerts"]["nodes"]
    mine = [a for a in reversed(listed) if a["category"] == "Groceries" and a["alertType"] != "PROJECTED_OVERSPEND"]
    assert [a["message"] for a in mine] == alerts
    assert all(a["percentUsed"] == percent for a in mine)


# -- subscriptions over HTTP ------------------------------------------------------------
async def test_a_subscription_over_http_is_a_bad_request(client):
    query = 'subscription { budgetAlerts(userId: "u") { alertId } }'
    for response in (await client.post("/graphql", json={"query": query}), await client.get("/graphql", params={"query": query})):
        assert response.status_code == 400, response.text
        (error,) = response.json()["errors"]
        assert error["extensions"] == {"code": "BAD_REQUEST"} and "WebSocket" in error["message"]


async def test_budget_alerts_for_a_budget_that_is_not_the_users_is_not_found(db_url, user_id):
    subscribe = "subscription($u: String!, $b: ID) { budgetAlerts(userId: $u, budgetId: $b) { alertId } }"
    with running_server(db_url) as base:
        other = httpx.post(base + "/graphql", json={"query": CREATE, "variables": {"input": budget_input(user_id + "_other")}}).json()
        other_id = other["data"]["createBudget"]["budget"]["id"]
        url = base.replace("http://", "ws://") + "/graphql"
        async with websockets.connect(url, subprotocols=[PROTOCOL], open_timeout=10) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
            for i, budget in enumerate(("bud_nope", other_id, "bud" + NUL)):
                await ws.send(json.dumps({"id": str(i), "type": "subscribe", "payload": {"query": subscribe, "variables": {"u": user_id, "b": budget}}}))
                message, done = [json.loads(await asyncio.wait_for(ws.recv(), 10)), json.loads(await asyncio.wait_for(ws.recv(), 10))]
                assert (message["id"], message["type"], done) == (str(i), "next", {"id": str(i), "type": "complete"})
                (error,) = message["payload"]["errors"]
                assert error["extensions"] == {"code": "NOT_FOUND", "field": ["budgetId"]}, error


# -- currency, deletion, default start ----------------------------------------------
async def test_currency_cannot_change_once_spending_is_counted(gql, user_id):
    b = await create_budget(gql, user_id)
    eur = await gql(UPDATE, {"id": b["id"], "input": {"currency": "EUR"}})
    assert eur["updateBudget"]["errors"] == [] and eur["updateBudget"]["budget"]["currency"] == "EUR"
    await record(gql, user_id, "Groceries", "5.00", "2025-11-03T10:00:00", currency="USD")  # not counted in EUR
    back = await gql(UPDATE, {"id": b["id"], "input": {"currency": "USD"}})
    assert back["updateBudget"]["errors"] == []
    refused = await gql(UPDATE, {"id": b["id"], "input": {"currency": "JPY", "categories": [{"name": "Groceries", "amount": "600"}]}})
    (error,) = refused["updateBudget"]["errors"]
    assert (error["field"], error["code"]) == (["input", "currency"], "VALIDATION") and "USD" in error["message"]
    stored = (await gql(GET, {"id": b["id"]}))["budget"]
    assert (stored["currency"], stored["version"]) == ("USD", 3)
    renamed = await gql(UPDATE, {"id": b["id"], "input": {"currency": "usd", "name": "Still USD"}})
    assert renamed["updateBudget"]["errors"] == []


async def test_deleting_a_budget_deletes_its_alerts(gql, user_id):
    now = datetime.now(timezone.utc)
    keep = await create_budget(gql, user_id, name="Keep", startDate=now.strftime("%Y-%m-%dT00:00:00"),
                               categories=[{"name": "Groceries", "amount": "100.00"}])
    gone = await create_budget(gql, user_id, name="Gone", startDate=now.strftime("%Y-%m-%dT00:00:00"),
                               categories=[{"name": "Groceries", "amount": "50.00"}])
    await record(gql, user_id, "Groceries", "45.00", now.replace(tzinfo=None).isoformat(timespec="seconds"))
    before = (await gql(ALERTS, {"u": user_id}))["alerts"]["nodes"]
    assert {a["budgetId"] for a in before} == {gone["id"]}
    assert (await gql(DELETE, {"id": gone["id"]}))["deleteBudget"]["deletedId"] == gone["id"]
    after = (await gql(ALERTS, {"u": user_id}))["alerts"]
    assert after == {"totalCount": 0, "nodes": []}
    await record(gql, user_id, "Groceries", "40.00", now.replace(tzinfo=None).isoformat(timespec="seconds"))
    assert {a["budgetId"] for a in (await gql(ALERTS, {"u": user_id}))["alerts"]["nodes"]} == {keep["id"]}


def _period_start(period: str, today: datetime) -> str:
    day = today.date()
    if period in ("WEEKLY", "BIWEEKLY"):
        day -= timedelta(days=day.weekday())
    elif period == "MONTHLY":
        day = day.replace(day=1)
    elif period == "QUARTERLY":
        day = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    else:
        day = day.replace(month=1, day=1)
    return f"{day.isoformat()}T00:00:00"


@pytest.mark.parametrize("period", ["WEEKLY", "BIWEEKLY", "MONTHLY", "QUARTERLY", "YEARLY"])
async def test_start_date_defaults_to_the_first_day_of_the_current_period(gql, client, user_id, period):
    given = budget_input(user_id, period=period)
    del given["startDate"]
    b = (await gql(CREATE, {"input": given}))["createBudget"]["budget"]
    assert b["startDate"] == _period_start(period, datetime.now(timezone.utc))
    rest = await client.post("/budgets", json={"user_id": user_id, "name": "x", "type": "personal",
                                               "period": period.lower(), "categories": {"A": 1}})
    assert rest.status_code == 201 and rest.json()["start_date"] == _period_start(period, datetime.now(timezone.utc))

"""The spec's template routes (GET /budgets/templates/list, POST /budgets/from-template)
on SQLite and PostgreSQL, and their cURL examples verbatim against the real server."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest

from tests.rest.test_rest import (  # noqa: F401 - curl is a fixture
    NOT_AN_OBJECT, SPEC_KEYS, assert_no_budgets, assert_refused, assert_spec_budget, curl, post_raw,
)

# The spec's API Reference, "GET /budgets/templates/list": the entry it shows in full.
SPEC_50_30_20 = {
    "name": "50/30/20 Rule",
    "description": "50% needs, 30% wants, 20% savings",
    "type": "personal",
    "period": "monthly",
    "categories": {
        "Housing": 25.0, "Groceries": 10.0, "Utilities": 4.0, "Transportation": 6.0, "Insurance": 5.0,
        "Restaurants": 8.0, "Entertainment": 6.0, "Shopping": 8.0, "Hobbies": 4.0, "Travel": 4.0,
        "Emergency Fund": 6.0, "Investments": 10.0, "Debt Paydown": 4.0,
    },
}
SPEC_TEMPLATE_KEYS = ["50_30_20", "zero_based", "envelope", "pay_yourself_first", "business_essentials"]
# "POST /budgets/from-template": the request body and the 201 response, less id and timestamps.
SPEC_FROM_TEMPLATE = {
    "user_id": "user_123",
    "template_name": "50_30_20",
    "total_income": 5000.00,
    "budget_name": "November 2025 - 50/30/20",
    "start_date": "2025-11-01T00:00:00",
}
SPEC_50_30_20_AT_5000 = {
    "Housing": 1250.00, "Groceries": 500.00, "Utilities": 200.00, "Transportation": 300.00, "Insurance": 250.00,
    "Restaurants": 400.00, "Entertainment": 300.00, "Shopping": 400.00, "Hobbies": 200.00, "Travel": 200.00,
    "Emergency Fund": 300.00, "Investments": 500.00, "Debt Paydown": 200.00,
}
SPEC_FROM_TEMPLATE_CREATED = {
    "user_id": "user_123",
    "name": "November 2025 - 50/30/20",
    "type": "personal",
    "period": "monthly",
    "categories": SPEC_50_30_20_AT_5000,
    "start_date": "2025-11-01T00:00:00",
    "end_date": "2025-11-30T23:59:59",
    "rollover_enabled": False,
    "time_zone": "UTC",
}


# -- GET /budgets/templates/list -------------------------------------------------
async def test_templates_list_is_the_spec_listing(client):
    response = await client.get("/budgets/templates/list")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    listed = response.json()
    assert list(listed) == SPEC_TEMPLATE_KEYS
    assert listed["50_30_20"] == SPEC_50_30_20
    assert '"Housing":25.0,' in response.text  # written as the spec writes it
    assert listed["zero_based"]["categories"]["Rent"] == 33.33
    assert listed["business_essentials"]["type"] == "business"
    assert all(set(t) == {"name", "description", "type", "period", "categories"} for t in listed.values())


async def test_templates_list_adds_a_users_own(client, gql, user_id):
    created = await gql(
        'mutation($u: String!) { createTemplate(input: {userId: $u, key: "family", name: "Family", '
        'categories: [{name: "Home", percent: "60"}, {name: "Fun", percent: "40"}]}) { errors { message } } }',
        {"u": user_id},
    )
    assert created["createTemplate"]["errors"] == []
    listed = (await client.get("/budgets/templates/list", params={"user_id": user_id})).json()
    assert list(listed) == [*SPEC_TEMPLATE_KEYS, "family"]
    assert listed["family"] == {
        "name": "Family", "description": "", "type": "personal", "period": "monthly",
        "categories": {"Home": 60.0, "Fun": 40.0},
    }
    assert list((await client.get("/budgets/templates/list")).json()) == SPEC_TEMPLATE_KEYS
    # A template of one user is not another's to apply.
    other = await client.post(
        "/budgets/from-template", json={"user_id": f"{user_id}_x", "template_name": "family", "total_income": 100}
    )
    assert other.status_code == 400 and "Template 'family' not found" in other.json()["detail"]
    mine = await client.post(
        "/budgets/from-template", json={"user_id": user_id, "template_name": "family", "total_income": 1000.01}
    )
    assert mine.status_code == 201 and '"categories":{"Home":600.01,"Fun":400.00}' in mine.text


# -- POST /budgets/from-template -------------------------------------------------
async def test_from_template_with_the_spec_body_returns_201_and_the_spec_budget(client, user_id):
    response = await client.post("/budgets/from-template", json={**SPEC_FROM_TEMPLATE, "user_id": user_id})
    assert response.status_code == 201, response.text
    got = response.json()
    assert_spec_budget(got, {**SPEC_FROM_TEMPLATE_CREATED, "user_id": user_id})
    assert '"Housing":1250.00,"Groceries":500.00,' in response.text
    listed = (await client.get("/budgets", params={"user_id": user_id})).json()
    assert listed == [got]


async def test_from_template_defaults_to_the_current_month(client, user_id):
    response = await client.post(
        "/budgets/from-template", json={"user_id": user_id, "template_name": "zero_based", "total_income": 4500}
    )
    assert response.status_code == 201
    got = response.json()
    today = datetime.now(timezone.utc)
    assert got["start_date"] == f"{today:%Y-%m}-01T00:00:00"
    assert got["name"] == f"Zero-Based Budget - {today:%B %Y}"
    assert got["categories"]["Rent"] == 1500.00 and sum(got["categories"].values()) == 4500


@pytest.mark.parametrize(
    "change,detail",
    [
        ({"template_name": "60_40"}, "Template '60_40' not found: valid keys are 50_30_20, zero_based, envelope"),
        ({"total_income": 0}, "Total income must not be zero"),
        ({"total_income": -5000}, "Total income must not be negative"),
        ({"total_income": 10.001}, "more decimal places than USD allows"),
        ({"template_name": "nope", "total_income": -1}, "Template 'nope' not found"),
        ({"start_date": "the first"}, "is not an ISO 8601 date"),
        ({"budget_name": " "}, "Name must not be empty"),
    ],
)
async def test_from_template_rejects_an_unknown_template_or_a_bad_income_with_400(client, user_id, change, detail):
    response = await client.post("/budgets/from-template", json={**SPEC_FROM_TEMPLATE, "user_id": user_id, **change})
    assert_refused(response, 400, detail)
    await assert_no_budgets(client, user_id)


@pytest.mark.parametrize(
    "body,detail",
    [
        *NOT_AN_OBJECT,
        ('{"user_id": "u", "template_name": "50_30_20"}', "Field 'total_income' is required"),
        ('{"user_id": "u", "total_income": 5000}', "Field 'template_name' is required"),
        ('{"user_id": "u", "template_name": "50_30_20", "total_income": "5000"}', "Field 'total_income' must be a number"),
        ('{"user_id": "u", "template_name": "50_30_20", "total_income": true}', "Field 'total_income' must be a number"),
        ('{"user_id": "u", "template_name": 5, "total_income": 5}', "Field 'template_name' must be a string"),
        ('{"user_id": "u", "template_name": "50_30_20", "total_income": 5, "period": "weekly"}', "Unknown field 'period'"),
    ],
)
async def test_from_template_rejects_malformed_bodies_with_422(client, body, detail):
    response = await post_raw(client, "/budgets/from-template", body)
    assert_refused(response, 422, detail)


async def test_the_fixed_paths_are_not_read_as_budget_ids(client):
    assert (await client.get("/budgets/templates/list")).status_code == 200
    assert (await client.get("/budgets/from-template")).json() == {"detail": "Budget with ID from-template not found", "code": "NOT_FOUND"}
    assert (await client.post("/budgets/templates/list", json={})).status_code == 405


# -- the spec's cURL examples, verbatim, against the real server -----------------
# Copied from the spec ("4. API Usage (cURL Examples)"); only the host:port changes.
CURL_TEMPLATES = 'curl -X GET "http://localhost:8000/budgets/templates/list"'
CURL_FROM_TEMPLATE = """curl -X POST "http://localhost:8000/budgets/from-template" \\
-H "Content-Type: application/json" \\
-d '{
"user_id": "user_123",
"template_name": "50_30_20",
"total_income": 5000.00,
"budget_name": "November 2025"
}'"""


def test_spec_template_curl_examples_verbatim(curl):
    status, text = curl(CURL_TEMPLATES)
    assert status == 200
    assert list(json.loads(text)) == SPEC_TEMPLATE_KEYS and json.loads(text)["50_30_20"] == SPEC_50_30_20

    status, text = curl(CURL_FROM_TEMPLATE)
    assert status == 201, text
    created = json.loads(text)
    assert set(created) == SPEC_KEYS
    assert (created["user_id"], created["name"], created["type"], created["period"]) == (
        "user_123", "November 2025", "personal", "monthly",
    )
    assert created["categories"] == SPEC_50_30_20_AT_5000
    assert re.search(r'"Housing":\s*1250\.00,\s*"Groceries":\s*500\.00', text)
    assert created["start_date"] == f"{datetime.now(timezone.utc):%Y-%m}-01T00:00:00"
    assert created["rollover_enabled"] is False
    status, text = curl('curl -X GET "http://localhost:8000/budgets?user_id=user_123"')
    assert status == 200 and json.loads(text) == [created]

"""Templates through the real GraphQL endpoint, on SQLite and PostgreSQL."""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime, timezone

import pytest

from domain.periods import calendar_start
from domain.models import BudgetPeriod

from tests.support.queries import GET, LIST, BUDGET_FIELDS
from tests.unit.test_templates import SPEC_EXAMPLES, spec_table

TEMPLATE_FIELDS = """
  key name description type period builtIn
  groups { name percent }
  categories { name group percent weight }
"""

TEMPLATES = f"query($userId: String) {{ templates(userId: $userId) {{ {TEMPLATE_FIELDS} }} }}"
TEMPLATE = f"query($key: String!, $userId: String) {{ template(key: $key, userId: $userId) {{ {TEMPLATE_FIELDS} }} }}"
PREVIEW = """
query($key: String!, $income: Decimal!, $currency: String, $userId: String) {
  previewTemplate(key: $key, totalIncome: $income, currency: $currency, userId: $userId) { name amount }
}
"""
APPLY = f"""
mutation($input: ApplyTemplateInput!) {{
  applyTemplate(input: $input) {{ budget {{ {BUDGET_FIELDS} }} errors {{ field code message }} }}
}}
"""
CREATE_TEMPLATE = f"""
mutation($input: CreateTemplateInput!) {{
  createTemplate(input: $input) {{ template {{ {TEMPLATE_FIELDS} }} errors {{ field code message }} }}
}}
"""
DELETE_TEMPLATE = """
mutation($key: String!, $userId: String!) {
  deleteTemplate(key: $key, userId: $userId) { deletedKey errors { field code message } }
}
"""

BUILTIN_KEYS = ["50_30_20", "zero_based", "envelope", "pay_yourself_first", "business_essentials"]


def as_limits(key: str) -> list[dict]:
    return [{"name": n, "amount": f"{a:.2f}"} for n, a in spec_table(key)]


async def budget_count(gql, user_id: str) -> int:
    return (await gql(LIST, {"userId": user_id}))["budgets"]["totalCount"]


async def test_templates_lists_the_five_built_ins(gql):
    templates = (await gql(TEMPLATES))["templates"]
    assert [t["key"] for t in templates] == BUILTIN_KEYS
    first = templates[0]
    assert (first["name"], first["type"], first["period"], first["builtIn"]) == (
        "50/30/20 Rule",
        "PERSONAL",
        "MONTHLY",
        True,
    )
    assert first["groups"] == [
        {"name": "Needs", "percent": 50.0},
        {"name": "Wants", "percent": 30.0},
        {"name": "Savings", "percent": 20.0},
    ]
    assert first["categories"][0] == {"name": "Housing", "group": "Needs", "percent": 25.0, "weight": "1250"}
    assert templates[4]["type"] == "BUSINESS"


async def test_template_by_key(gql):
    zero = (await gql(TEMPLATE, {"key": "zero_based"}))["template"]
    assert zero["name"] == "Zero-Based Budget"
    assert [g["name"] for g in zero["groups"]] == ["Fixed", "Variable", "Savings", "Discretionary"]
    assert zero["categories"][0] == {"name": "Rent", "group": "Fixed", "percent": 33.33, "weight": "1500"}
    assert (await gql(TEMPLATE, {"key": "nope"}))["template"] is None


@pytest.mark.parametrize("key", list(SPEC_EXAMPLES))
async def test_preview_reproduces_the_spec_example(gql, key):
    income, _ = SPEC_EXAMPLES[key]
    preview = (await gql(PREVIEW, {"key": key, "income": income}))["previewTemplate"]
    assert preview == as_limits(key)


async def test_preview_in_other_currencies_sums_exactly(gql):
    jpy = (await gql(PREVIEW, {"key": "zero_based", "income": "100001", "currency": "JPY"}))["previewTemplate"]
    assert sum(int(c["amount"]) for c in jpy) == 100001
    kwd = (await gql(PREVIEW, {"key": "envelope", "income": 1234.567, "currency": "kwd"}))["previewTemplate"]
    assert all(len(c["amount"].split(".")[1]) == 3 for c in kwd)


async def test_preview_errors_name_the_problem(gql):
    body = await gql.raw(PREVIEW, {"key": "nope", "income": "100"})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "Template 'nope' not found" in error["message"] and "zero_based" in error["message"]
    body = await gql.raw(PREVIEW, {"key": "envelope", "income": "-1"})
    assert body["errors"][0]["extensions"] == {"code": "VALIDATION", "field": ["totalIncome"]}


@pytest.mark.parametrize("key", list(SPEC_EXAMPLES))
async def test_apply_creates_the_spec_budget(gql, user_id, key):
    income, _ = SPEC_EXAMPLES[key]
    payload = (
        await gql(
            APPLY,
            {
                "input": {
                    "userId": user_id,
                    "templateKey": key,
                    "totalIncome": income,
                    "budgetName": "November 2025 - 50/30/20",
                    "startDate": "2025-11-01T00:00:00",
                }
            },
        )
    )["applyTemplate"]
    assert payload["errors"] == []
    budget = payload["budget"]
    assert budget["categories"] == as_limits(key)
    assert budget["totalBudgeted"] == income
    assert (budget["name"], budget["startDate"], budget["endDate"]) == (
        "November 2025 - 50/30/20",
        "2025-11-01T00:00:00",
        "2025-11-30T23:59:59",
    )
    assert budget["type"] == ("BUSINESS" if key == "business_essentials" else "PERSONAL")
    assert budget["period"] == "MONTHLY" and budget["rolloverEnabled"] is False
    assert (await gql(GET, {"id": budget["id"]}))["budget"] == budget


async def test_apply_defaults_name_and_start_from_the_current_period(gql, user_id):
    before = datetime.now(timezone.utc)
    budget = (await gql(APPLY, {"input": {"userId": user_id, "templateKey": "50_30_20", "totalIncome": 5000}}))[
        "applyTemplate"
    ]["budget"]
    after = datetime.now(timezone.utc)
    starts = {calendar_start(BudgetPeriod.MONTHLY, t) for t in (before, after)}
    assert datetime.fromisoformat(budget["startDate"]) in starts
    start = datetime.fromisoformat(budget["startDate"])
    assert budget["name"] == f"50/30/20 Rule - {start:%B %Y}"
    assert budget["totalBudgeted"] == "5000.00"


async def test_apply_overrides_type_period_rollover_and_currency(gql, user_id):
    budget = (
        await gql(
            APPLY,
            {
                "input": {
                    "userId": user_id,
                    "templateKey": "envelope",
                    "totalIncome": "700",
                    "type": "HOUSEHOLD",
                    "period": "WEEKLY",
                    "startDate": "2025-11-19",
                    "rolloverEnabled": True,
                    "currency": "JPY",
                }
            },
        )
    )["applyTemplate"]["budget"]
    assert (budget["type"], budget["period"], budget["currency"], budget["rolloverEnabled"]) == (
        "HOUSEHOLD",
        "WEEKLY",
        "JPY",
        True,
    )
    assert budget["name"] == "Envelope System - November 2025"
    assert sum(int(c["amount"]) for c in budget["categories"]) == 700


@pytest.mark.parametrize(
    "override,errors",
    [
        ({"templateKey": "invalid_name"}, [(["input", "templateKey"], "NOT_FOUND", "Template 'invalid_name' not found")]),
        ({"totalIncome": "0"}, [(["input", "totalIncome"], "VALIDATION", "must not be zero")]),
        ({"totalIncome": "-100"}, [(["input", "totalIncome"], "VALIDATION", "must not be negative")]),
        ({"totalIncome": "100.001"}, [(["input", "totalIncome"], "VALIDATION", "decimal places")]),
        ({"currency": "XYZ"}, [(["input", "currency"], "VALIDATION", "Unknown currency")]),
        ({"budgetName": "  "}, [(["input", "budgetName"], "VALIDATION", "empty")]),
        ({"userId": " "}, [(["input", "userId"], "VALIDATION", "userId")]),
        (
            {"templateKey": "nope", "totalIncome": "-1"},
            [
                (["input", "templateKey"], "NOT_FOUND", "valid keys are 50_30_20, zero_based"),
                (["input", "totalIncome"], "VALIDATION", "negative"),
            ],
        ),
    ],
)
async def test_invalid_apply_is_a_user_error_and_stores_nothing(gql, user_id, override, errors):
    given = {"userId": user_id, "templateKey": "50_30_20", "totalIncome": "5000", **override}
    payload = (await gql(APPLY, {"input": given}))["applyTemplate"]
    assert payload["budget"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(f, c) for f, c, _ in errors]
    for e, (_, _, fragment) in zip(payload["errors"], errors):
        assert fragment in e["message"]
    assert await budget_count(gql, user_id) == 0


# A user's own template, as CreateTemplateInput (less its owner).
FAMILY_PLAN = {
    "key": "family_plan",
    "name": "Family Plan",
    "description": "Thirds, for a family",
    "type": "HOUSEHOLD",
    "categories": [
        {"name": "Home", "group": "Needs", "weight": 1},
        {"name": "Kids", "group": "Needs", "weight": 1},
        {"name": "Savings", "weight": 1},
    ],
}


def my_template(user_id: str, **overrides) -> dict:
    return {"userId": user_id, **deepcopy(FAMILY_PLAN), **overrides}  # its lists fresh for each test


async def test_user_template_round_trip(gql, user_id):
    created = (await gql(CREATE_TEMPLATE, {"input": my_template(user_id)}))["createTemplate"]
    assert created["errors"] == []
    template = created["template"]
    assert (template["key"], template["name"], template["type"], template["period"], template["builtIn"]) == (
        "family_plan",
        "Family Plan",
        "HOUSEHOLD",
        "MONTHLY",
        False,
    )
    assert template["groups"] == [{"name": "Needs", "percent": 66.67}, {"name": "General", "percent": 33.33}]
    assert [c["percent"] for c in template["categories"]] == [33.33, 33.33, 33.33]

    # Listed beside the built-ins for its owner only.
    mine = (await gql(TEMPLATES, {"userId": user_id}))["templates"]
    assert [t["key"] for t in mine] == BUILTIN_KEYS + ["family_plan"]
    assert mine[-1] == template
    assert (await gql(TEMPLATE, {"key": "family_plan", "userId": user_id}))["template"] == template
    assert [t["key"] for t in (await gql(TEMPLATES, {"userId": user_id + "_other"}))["templates"]] == BUILTIN_KEYS
    assert (await gql(TEMPLATE, {"key": "family_plan"}))["template"] is None

    # Applied: thirds of 100.00, to the cent.
    applied = (
        await gql(APPLY, {"input": {"userId": user_id, "templateKey": "family_plan", "totalIncome": "100.00"}})
    )["applyTemplate"]
    assert applied["errors"] == []
    assert applied["budget"]["categories"] == [
        {"name": "Home", "amount": "33.34"},
        {"name": "Kids", "amount": "33.33"},
        {"name": "Savings", "amount": "33.33"},
    ]
    assert applied["budget"]["type"] == "HOUSEHOLD"
    assert applied["budget"]["name"].startswith("Family Plan - ")
    other = (
        await gql(APPLY, {"input": {"userId": user_id + "_other", "templateKey": "family_plan", "totalIncome": "1"}})
    )["applyTemplate"]
    assert other["errors"][0]["code"] == "NOT_FOUND"

    # Deleted: gone, and deleting again is NOT_FOUND.
    deleted = (await gql(DELETE_TEMPLATE, {"key": "family_plan", "userId": user_id}))["deleteTemplate"]
    assert deleted == {"deletedKey": "family_plan", "errors": []}
    assert [t["key"] for t in (await gql(TEMPLATES, {"userId": user_id}))["templates"]] == BUILTIN_KEYS
    again = (await gql(DELETE_TEMPLATE, {"key": "family_plan", "userId": user_id}))["deleteTemplate"]
    assert again["deletedKey"] is None and again["errors"][0]["code"] == "NOT_FOUND"
    # The budget made from it stays.
    assert await budget_count(gql, user_id) == 1


async def test_percentages_totalling_100_keep_their_values(gql, user_id):
    categories = [
        {"name": "Rent", "group": "Needs", "percent": "33.5"},
        {"name": "Food", "group": "Needs", "percent": 16.5},
        {"name": "Fun", "group": "Wants", "percent": "50"},
    ]
    template = (await gql(CREATE_TEMPLATE, {"input": my_template(user_id, key="halves", categories=categories)}))[
        "createTemplate"
    ]["template"]
    assert [(c["percent"], c["weight"]) for c in template["categories"]] == [(33.5, "33.5"), (16.5, "16.5"), (50.0, "50")]
    preview = (await gql(PREVIEW, {"key": "halves", "income": "999.99", "userId": user_id}))["previewTemplate"]
    assert preview == [
        {"name": "Rent", "amount": "335.00"},
        {"name": "Food", "amount": "165.00"},
        {"name": "Fun", "amount": "499.99"},
    ]


async def test_duplicate_key_is_a_conflict(gql, user_id):
    assert (await gql(CREATE_TEMPLATE, {"input": my_template(user_id)}))["createTemplate"]["errors"] == []
    payload = (await gql(CREATE_TEMPLATE, {"input": my_template(user_id, name="Another")}))["createTemplate"]
    assert payload["template"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["input", "key"], "CONFLICT")]
    mine = (await gql(TEMPLATES, {"userId": user_id}))["templates"]
    assert [t["name"] for t in mine if not t["builtIn"]] == ["Family Plan"]
    # Another user may use the same key.
    assert (await gql(CREATE_TEMPLATE, {"input": my_template(user_id + "_b")}))["createTemplate"]["errors"] == []


INVALID_TEMPLATES = [
    ({"key": "zero_based"}, ["input", "key"], "cannot shadow a built-in"),
    ({"key": "Family Plan"}, ["input", "key"], "lowercase letters, digits and underscores"),
    ({"key": "x" * 65}, ["input", "key"], "1–64"),
    ({"name": " "}, ["input", "name"], "empty"),
    ({"name": "x" * 101}, ["input", "name"], "at most 100"),
    ({"userId": ""}, ["input", "userId"], "userId"),
    ({"categories": []}, ["input", "categories"], "at least one category"),
    (
        {"categories": [{"name": "A", "percent": "50"}, {"name": "B", "percent": "49.99"}]},
        ["input", "categories"],
        "total exactly 100 (got 99.99)",
    ),
    (
        {"categories": [{"name": "A", "percent": "50"}, {"name": "B", "weight": "50"}]},
        ["input", "categories"],
        "not a mix",
    ),
    ({"categories": [{"name": "A"}]}, ["input", "categories", "0"], "either a percent or a weight"),
    ({"categories": [{"name": "A", "percent": 100, "weight": 1}]}, ["input", "categories", "0"], "either"),
    ({"categories": [{"name": "A", "weight": "0"}]}, ["input", "categories", "0", "weight"], "greater than zero"),
    ({"categories": [{"name": "A", "weight": "-2"}]}, ["input", "categories", "0", "weight"], "greater than zero"),
    ({"categories": [{"name": "A", "percent": "101"}]}, ["input", "categories", "0", "percent"], "at most 100"),
    ({"categories": [{"name": "A", "weight": "0.0000001"}]}, ["input", "categories", "0", "weight"], "decimal places"),
    (
        {"categories": [{"name": "Food", "weight": 1}, {"name": " food ", "weight": 1}]},
        ["input", "categories", "1", "name"],
        "more than once",
    ),
    ({"categories": [{"name": "x" * 101, "weight": 1}]}, ["input", "categories", "0", "name"], "at most 100"),
    ({"categories": [{"name": "A", "group": " ", "weight": 1}]}, ["input", "categories", "0", "group"], "Group"),
]


@pytest.mark.parametrize("override,field,fragment", INVALID_TEMPLATES)
async def test_invalid_template_is_rejected_and_stores_nothing(gql, user_id, override, field, fragment):
    payload = (await gql(CREATE_TEMPLATE, {"input": my_template(user_id, **override)}))["createTemplate"]
    assert payload["template"] is None
    assert all(e["code"] == "VALIDATION" for e in payload["errors"]), payload["errors"]
    matching = [e for e in payload["errors"] if e["field"] == field]
    assert matching, payload["errors"]
    assert fragment in matching[0]["message"]
    assert [t["key"] for t in (await gql(TEMPLATES, {"userId": user_id}))["templates"]] == BUILTIN_KEYS


async def test_built_ins_cannot_be_deleted(gql, user_id):
    payload = (await gql(DELETE_TEMPLATE, {"key": "50_30_20", "userId": user_id}))["deleteTemplate"]
    assert payload["deletedKey"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["key"], "VALIDATION")]
    assert "built in" in payload["errors"][0]["message"]
    assert [t["key"] for t in (await gql(TEMPLATES))["templates"]] == BUILTIN_KEYS

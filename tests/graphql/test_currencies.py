"""Currencies and their minor units come from ISO 4217 (its current list), through
GraphQL's createBudget on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.support.queries import CREATE, budget_input, create_budget

# (currency, an amount with as many decimals as ISO 4217 gives it, what is stored, one decimal too many)
LEGAL = [
    ("RSD", "1500.25", "1500.25", "1500.255"),
    ("MGA", "20000.50", "20000.50", "20000.505"),
    ("IQD", "250.125", "250.125", "250.1255"),
    ("JPY", "5000", "5000", "5000.5"),
    ("BHD", "12.345", "12.345", "12.3456"),
    ("KWD", "1.125", "1.125", "1.1255"),
    ("usd", "10.5", "10.50", "10.505"),
]


@pytest.mark.parametrize("currency,amount,stored,too_precise", LEGAL, ids=[c[0] for c in LEGAL])
async def test_amounts_take_their_iso_4217_decimals(gql, user_id, currency, amount, stored, too_precise):
    b = await create_budget(gql, user_id, currency=currency, categories=[{"name": "Food", "amount": amount}])
    assert b["currency"] == currency.upper()
    assert b["categories"] == [{"name": "Food", "amount": stored}]
    assert b["totalBudgeted"] == stored
    payload = (await gql(CREATE, {"input": budget_input(user_id, currency=currency, categories=[{"name": "Food", "amount": too_precise}])}))[
        "createBudget"
    ]
    assert payload["budget"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("VALIDATION", ["input", "categories", "0", "amount"])]
    assert "decimal places" in payload["errors"][0]["message"]


@pytest.mark.parametrize(
    "currency,fragment",
    [
        ("ZWL", "current ISO 4217 code"),  # withdrawn in 2024 (ZWG replaced it)
        ("XAU", "no minor unit"),  # gold: ISO 4217 gives it no minor unit ("N.A.")
        ("XDR", "no minor unit"),
        ("XTS", "no minor unit"),
    ],
)
async def test_withdrawn_codes_and_codes_without_a_minor_unit_are_refused(gql, user_id, currency, fragment):
    payload = (await gql(CREATE, {"input": budget_input(user_id, currency=currency, categories=[{"name": "Gold", "amount": "1"}])}))[
        "createBudget"
    ]
    assert payload["budget"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("VALIDATION", ["input", "currency"])]
    assert fragment in payload["errors"][0]["message"]
    listed = await gql("query($u: String!) { budgets(userId: $u) { totalCount } }", {"u": user_id})
    assert listed["budgets"]["totalCount"] == 0

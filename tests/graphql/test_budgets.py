"""Budget CRUD through the real GraphQL endpoint, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.support.queries import CREATE, DELETE, GET, LIST, UPDATE, budget_input, create_budget


async def test_create_returns_the_budget_as_the_spec_describes(gql, user_id):
    b = await create_budget(gql, user_id)
    assert b["id"].startswith("bud_") and len(b["id"]) >= 4 + 12
    assert b["userId"] == user_id
    assert b["name"] == "November 2025"
    assert (b["type"], b["period"], b["currency"]) == ("PERSONAL", "MONTHLY", "USD")
    assert b["categories"] == [
        {"name": "Groceries", "amount": "600.00"},
        {"name": "Restaurants", "amount": "200.00"},
    ]
    assert b["totalBudgeted"] == "800.00"
    assert b["startDate"] == "2025-11-01T00:00:00"
    assert b["endDate"] == "2025-11-30T23:59:59"
    assert b["rolloverEnabled"] is True and b["rolloverMode"] == "UNUSED"
    assert b["thresholds"] == {"warning": "0.80", "limitReached": "1.00", "overspending": "1.10"}
    assert b["version"] == 1
    assert b["createdAt"].endswith("Z") and b["createdAt"] == b["updatedAt"]


async def test_get_reads_back_what_was_stored(gql, user_id):
    created = await create_budget(gql, user_id)
    data = await gql(GET, {"id": created["id"]})
    assert data["budget"] == created


async def test_get_missing_budget_is_null(gql):
    assert (await gql(GET, {"id": "bud_doesnotexist00"}))["budget"] is None


@pytest.mark.parametrize(
    "period,start,end",
    [
        ("MONTHLY", "2025-11-01T00:00:00", "2025-11-30T23:59:59"),
        ("WEEKLY", "2025-11-03T00:00:00", "2025-11-09T23:59:59"),
        ("BIWEEKLY", "2025-11-03T00:00:00", "2025-11-16T23:59:59"),
        ("QUARTERLY", "2025-10-01T00:00:00", "2025-12-31T23:59:59"),
        ("YEARLY", "2025-01-01T00:00:00", "2025-12-31T23:59:59"),
        ("MONTHLY", "2025-01-31T00:00:00", "2025-02-27T23:59:59"),
    ],
)
async def test_end_date_is_the_last_second_of_period_zero(gql, user_id, period, start, end):
    b = await create_budget(gql, user_id, period=period, startDate=start)
    assert (b["startDate"], b["endDate"]) == (start, end)


async def test_amounts_accept_numbers_and_strings_exactly(gql, user_id):
    b = await create_budget(
        gql,
        user_id,
        categories=[{"name": "A", "amount": 0.1}, {"name": "B", "amount": "0.2"}, {"name": "C", "amount": 600}],
    )
    assert [c["amount"] for c in b["categories"]] == ["0.10", "0.20", "600.00"]
    assert b["totalBudgeted"] == "600.30"


async def test_currency_minor_units(gql, user_id):
    jpy = await create_budget(gql, user_id, currency="jpy", categories=[{"name": "Food", "amount": "50000"}])
    assert jpy["currency"] == "JPY" and jpy["categories"][0]["amount"] == "50000"
    kwd = await create_budget(gql, user_id, currency="KWD", categories=[{"name": "Food", "amount": "1.125"}])
    assert kwd["categories"][0]["amount"] == "1.125"


INVALID = [
    ({"name": "   "}, ["input", "name"], "empty"),
    ({"name": "x" * 201}, ["input", "name"], "at most 200"),
    ({"categories": []}, ["input", "categories"], "at least one category"),
    ({"categories": [{"name": f"c{i}", "amount": "1"} for i in range(201)]}, ["input", "categories"], "at most 200"),
    ({"categories": [{"name": "  ", "amount": "1"}]}, ["input", "categories", "0", "name"], "empty"),
    ({"categories": [{"name": "x" * 101, "amount": "1"}]}, ["input", "categories", "0", "name"], "at most 100"),
    (
        {"categories": [{"name": "Food", "amount": "1"}, {"name": " food ", "amount": "2"}]},
        ["input", "categories", "1", "name"],
        "more than once",
    ),
    ({"categories": [{"name": "Food", "amount": "-1"}]}, ["input", "categories", "0", "amount"], "negative"),
    (
        {"categories": [{"name": "Food", "amount": "1000000000000.01"}]},
        ["input", "categories", "0", "amount"],
        "maximum",
    ),
    ({"categories": [{"name": "Food", "amount": "1.005"}]}, ["input", "categories", "0", "amount"], "decimal places"),
    (
        {"currency": "JPY", "categories": [{"name": "Food", "amount": "1.5"}]},
        ["input", "categories", "0", "amount"],
        "decimal places",
    ),
    ({"currency": "XYZ"}, ["input", "currency"], "Unknown currency"),
    ({"thresholds": {"warning": "0.9", "limitReached": "0.8"}}, ["input", "thresholds"], "increasing"),
    ({"thresholds": {"warning": "-0.1"}}, ["input", "thresholds", "warning"], "above 0"),
    ({"userId": " "}, ["input", "userId"], "userId"),
]


@pytest.mark.parametrize("override,field,fragment", INVALID)
async def test_invalid_create_is_a_validation_error_and_stores_nothing(gql, user_id, override, field, fragment):
    data = await gql(CREATE, {"input": budget_input(user_id, **override)})
    payload = data["createBudget"]
    assert payload["budget"] is None
    assert payload["errors"], payload
    assert all(e["code"] == "VALIDATION" for e in payload["errors"])
    matching = [e for e in payload["errors"] if e["field"] == field]
    assert matching, payload["errors"]
    assert fragment.lower() in matching[0]["message"].lower()
    listed = await gql(LIST, {"userId": user_id})
    assert listed["budgets"]["totalCount"] == 0


async def test_all_problems_of_one_input_are_reported_together(gql, user_id):
    data = await gql(
        CREATE,
        {"input": budget_input(user_id, name="", categories=[{"name": "", "amount": "-5"}], currency="ZZZ")},
    )
    fields = {tuple(e["field"]) for e in data["createBudget"]["errors"]}
    assert {("input", "name"), ("input", "currency")} <= fields
    assert ("input", "categories", "0", "name") in fields


async def test_malformed_scalar_is_a_graphql_error_with_a_code(gql, user_id):
    body = await gql.raw(CREATE, {"input": budget_input(user_id, startDate="not a date")})
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION"
    assert "ISO 8601" in body["errors"][0]["message"]
    body = await gql.raw(CREATE, {"input": budget_input(user_id, type="WEEKLY")})
    assert body["errors"] and "data" not in body or body.get("data") is None
    assert (await gql(LIST, {"userId": user_id}))["budgets"]["totalCount"] == 0


async def test_update_is_partial_and_moves_updated_at_only(gql, user_id):
    b = await create_budget(gql, user_id)
    data = await gql(UPDATE, {"id": b["id"], "input": {"name": "  Updated Budget Name "}})
    u = data["updateBudget"]["budget"]
    assert data["updateBudget"]["errors"] == []
    assert u["name"] == "Updated Budget Name"
    assert u["categories"] == b["categories"] and u["period"] == b["period"]
    assert u["createdAt"] == b["createdAt"]
    assert u["updatedAt"] > b["updatedAt"]
    assert u["version"] == b["version"] + 1


async def test_update_spec_example(gql, user_id):
    b = await create_budget(gql, user_id)
    data = await gql(
        UPDATE,
        {
            "id": b["id"],
            "input": {
                "name": "Updated Budget Name",
                "categories": [{"name": "Groceries", "amount": 700.00}, {"name": "Restaurants", "amount": 250.00}],
                "rolloverEnabled": False,
            },
        },
    )
    u = data["updateBudget"]["budget"]
    assert u["categories"] == [{"name": "Groceries", "amount": "700.00"}, {"name": "Restaurants", "amount": "250.00"}]
    assert u["rolloverEnabled"] is False and u["rolloverMode"] == "NONE"
    assert u["endDate"] == "2025-11-30T23:59:59"


async def test_changing_period_or_start_recomputes_end_date(gql, user_id):
    b = await create_budget(gql, user_id)
    u = (await gql(UPDATE, {"id": b["id"], "input": {"period": "QUARTERLY", "startDate": "2025-10-01T00:00:00"}}))[
        "updateBudget"
    ]["budget"]
    assert (u["startDate"], u["endDate"]) == ("2025-10-01T00:00:00", "2025-12-31T23:59:59")
    u = (await gql(UPDATE, {"id": b["id"], "input": {"period": "WEEKLY", "startDate": "2025-11-03"}}))[
        "updateBudget"
    ]["budget"]
    assert (u["startDate"], u["endDate"]) == ("2025-11-03T00:00:00", "2025-11-09T23:59:59")


async def test_partial_threshold_update_keeps_the_others(gql, user_id):
    b = await create_budget(gql, user_id)
    u = (await gql(UPDATE, {"id": b["id"], "input": {"thresholds": {"warning": "0.5"}}}))["updateBudget"]["budget"]
    assert u["thresholds"] == {"warning": "0.50", "limitReached": "1.00", "overspending": "1.10"}


async def test_update_with_no_fields_is_rejected(gql, user_id):
    b = await create_budget(gql, user_id)
    payload = (await gql(UPDATE, {"id": b["id"], "input": {}}))["updateBudget"]
    assert payload["budget"] is None
    assert payload["errors"] == [{"field": None, "code": "VALIDATION", "message": "No updates provided"}]


async def test_invalid_update_stores_nothing(gql, user_id):
    b = await create_budget(gql, user_id)
    payload = (
        await gql(UPDATE, {"id": b["id"], "input": {"name": "ok", "categories": [{"name": "A", "amount": "-1"}]}})
    )["updateBudget"]
    assert payload["errors"][0]["code"] == "VALIDATION"
    assert (await gql(GET, {"id": b["id"]}))["budget"] == b


async def test_currency_change_revalidates_amounts(gql, user_id):
    b = await create_budget(gql, user_id, categories=[{"name": "A", "amount": "10.50"}])
    payload = (await gql(UPDATE, {"id": b["id"], "input": {"currency": "JPY"}}))["updateBudget"]
    assert payload["errors"][0]["code"] == "VALIDATION" and "decimal places" in payload["errors"][0]["message"]


async def test_update_missing_budget_is_not_found(gql):
    payload = (await gql(UPDATE, {"id": "bud_nothere000000", "input": {"name": "x"}}))["updateBudget"]
    assert payload["errors"] == [
        {"field": ["id"], "code": "NOT_FOUND", "message": "Budget with ID bud_nothere000000 not found"}
    ]


async def test_stale_expected_version_is_a_conflict(gql, user_id):
    b = await create_budget(gql, user_id)
    ok = (await gql(UPDATE, {"id": b["id"], "input": {"name": "first"}, "v": 1}))["updateBudget"]
    assert ok["errors"] == [] and ok["budget"]["version"] == 2
    stale = (await gql(UPDATE, {"id": b["id"], "input": {"name": "second"}, "v": 1}))["updateBudget"]
    assert stale["budget"] is None and stale["errors"][0]["code"] == "CONFLICT"
    assert (await gql(GET, {"id": b["id"]}))["budget"]["name"] == "first"


async def test_delete_then_not_found(gql, user_id):
    b = await create_budget(gql, user_id)
    assert (await gql(DELETE, {"id": b["id"]}))["deleteBudget"] == {"deletedId": b["id"], "errors": []}
    assert (await gql(GET, {"id": b["id"]}))["budget"] is None
    again = (await gql(DELETE, {"id": b["id"]}))["deleteBudget"]
    assert again["deletedId"] is None and again["errors"][0]["code"] == "NOT_FOUND"


async def test_list_pages_newest_first(gql, user_id):
    ids = [(await create_budget(gql, user_id, name=f"B{i}"))["id"] for i in range(7)]
    seen, after = [], None
    while True:
        page = (await gql(LIST, {"userId": user_id, "first": 3, "after": after}))["budgets"]
        assert page["totalCount"] == 7
        assert [e["node"]["id"] for e in page["edges"]] == [n["id"] for n in page["nodes"]]
        seen += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        after = page["pageInfo"]["endCursor"]
    assert seen == list(reversed(ids))


async def test_list_filters_by_type_and_user(gql, user_id):
    await create_budget(gql, user_id, type="PERSONAL")
    await create_budget(gql, user_id, type="BUSINESS")
    await create_budget(gql, user_id + "_other", type="BUSINESS")
    page = (await gql(LIST, {"userId": user_id, "type": "BUSINESS"}))["budgets"]
    assert page["totalCount"] == 1 and page["nodes"][0]["type"] == "BUSINESS"
    assert (await gql(LIST, {"userId": user_id}))["budgets"]["totalCount"] == 2


async def test_page_size_cap_and_bad_cursor_are_clear_errors(gql, user_id):
    body = await gql.raw(LIST, {"userId": user_id, "first": 501})
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert "between 0 and 500" in body["errors"][0]["message"]
    body = await gql.raw(LIST, {"userId": user_id, "after": "garbage!"})
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert "cursor" in body["errors"][0]["message"]
    assert (await gql(LIST, {"userId": user_id, "first": 500}))["budgets"]["totalCount"] == 0


async def test_graphiql_is_served_on_get(client):
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


async def test_healthz(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}

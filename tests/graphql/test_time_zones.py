"""The calendar people live on, through GraphQL and REST on both databases: a budget's
time zone, the day a transaction counts on, local midnight and DST."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.support.queries import PROGRESS, RECORD, UPDATE, create_budget, budget_input, CREATE, progress, record

ZONE = "query($id: ID!) { budget(id: $id) { timeZone startDate } }"


async def test_a_new_york_evening_purchase_counts_on_its_own_day(gql, user_id):
    b = await create_budget(gql, user_id, rolloverEnabled=False)  # November 2025, UTC
    t = await record(gql, user_id, "Groceries", "25.00", "2025-11-30T21:00:00-05:00")
    assert t["occurredAt"] == "2025-12-01T02:00:00"  # the moment, in UTC
    assert t["occurredOn"] == "2025-11-30"
    assert (await progress(gql, b["id"], period=0))["totalSpent"] == "25.00"
    assert (await progress(gql, b["id"], period=1))["totalSpent"] == "0.00"


async def test_occurred_on_is_the_day_a_bank_gives(gql, user_id):
    b = await create_budget(gql, user_id, rolloverEnabled=False)
    data = await gql(RECORD, {"input": {"userId": user_id, "category": "Groceries", "amount": "9.00",
                                        "occurredOn": "2025-11-30"}})
    t = data["recordTransaction"]["transaction"]
    assert (t["occurredAt"], t["occurredOn"]) == ("2025-11-30T00:00:00", "2025-11-30")
    # occurredOn wins over occurredAt's date (a posted date with the time of purchase).
    both = await record(gql, user_id, "Groceries", "1.00", "2025-12-01T01:00:00Z", occurredOn="2025-11-30")
    assert (both["occurredAt"], both["occurredOn"]) == ("2025-12-01T01:00:00", "2025-11-30")
    assert (await progress(gql, b["id"], period=0))["totalSpent"] == "10.00"
    bad = await gql(RECORD, {"input": {"userId": user_id, "category": "G", "amount": "1", "occurredOn": "1800-01-01"}})
    assert bad["recordTransaction"]["errors"][0]["field"] == ["input", "occurredOn"]


async def test_a_budget_in_auckland_turns_over_at_local_midnight(gql, user_id):
    b = await create_budget(gql, user_id, timeZone="Pacific/Auckland", rolloverEnabled=False)
    assert (await gql(ZONE, {"id": b["id"]}))["budget"] == {
        "timeZone": "Pacific/Auckland", "startDate": "2025-11-01T00:00:00"
    }
    # Auckland is UTC+13 in summer: its December starts at 11:00 UTC on November 30.
    before = await progress(gql, b["id"], at="2025-11-30T10:59:59Z")
    after = await progress(gql, b["id"], at="2025-11-30T11:00:00Z")
    assert (before["periodIndex"], before["currentPeriod"], before["periodDaysElapsed"]) == (0, "November 2025", 30)
    assert (after["periodIndex"], after["currentPeriod"], after["periodDaysElapsed"]) == (1, "December 2025", 1)
    # A naive `at` is the budget's own wall-clock time.
    assert (await progress(gql, b["id"], at="2025-12-01T00:00:00"))["periodIndex"] == 1
    # Now: the period containing the wall-clock time in Auckland.
    local = datetime.now(timezone.utc).astimezone(ZoneInfo("Pacific/Auckland"))
    expected = (local.year - 2025) * 12 + local.month - 11
    now = await progress(gql, b["id"])
    assert now["periodIndex"] == expected or local.day == 1 and local.hour == 0  # unless it just turned over


async def test_a_week_across_a_dst_change_is_still_seven_days_from_local_midnight(gql, user_id):
    # New York left DST on Sunday November 2, 2025 (a 25-hour day).
    b = await create_budget(gql, user_id, period="WEEKLY", startDate="2025-10-27T00:00:00",
                            timeZone="America/New_York", rolloverEnabled=False)
    week = await progress(gql, b["id"], at="2025-11-03T04:59:59Z")  # Sunday 23:59:59 EST
    assert (week["periodIndex"], week["periodDaysTotal"], week["periodDaysElapsed"]) == (0, 7, 7)
    assert (week["periodStart"], week["periodEnd"]) == ("2025-10-27T00:00:00", "2025-11-02T23:59:59")
    assert (await progress(gql, b["id"], at="2025-11-03T05:00:00Z"))["periodIndex"] == 1  # Monday 00:00 EST
    # And into DST again on March 8, 2026 (a 23-hour day): week 19 is Mar 2 – Mar 8.
    spring = await progress(gql, b["id"], at="2026-03-09T03:59:59Z")  # Sunday 23:59:59 EDT
    assert (spring["periodIndex"], spring["periodDaysTotal"]) == (18, 7)
    assert (await progress(gql, b["id"], at="2026-03-09T04:00:00Z"))["periodIndex"] == 19
    # A purchase late on Sunday evening counts in that week.
    await record(gql, user_id, "Groceries", "3.00", "2025-11-02T23:30:00-05:00")
    assert (await progress(gql, b["id"], period=0))["totalSpent"] == "3.00"


async def test_the_default_start_is_the_first_day_of_the_current_period_where_the_budget_lives(gql, user_id):
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14 and UTC−11
        b = await create_budget(gql, user_id, timeZone=zone, startDate=None, period="MONTHLY")
        local = datetime.now(timezone.utc).astimezone(ZoneInfo(zone))
        if local.day == 1 and local.hour == 0:
            continue  # turned over while the test ran
        assert b["startDate"] == f"{local.year}-{local.month:02d}-01T00:00:00"


async def test_the_time_zone_is_set_on_update_and_recorded(gql, user_id):
    b = await create_budget(gql, user_id)
    assert (await gql(ZONE, {"id": b["id"]}))["budget"]["timeZone"] == "UTC"
    data = await gql(UPDATE, {"id": b["id"], "input": {"timeZone": "Asia/Kolkata"}})
    assert data["updateBudget"]["errors"] == []
    assert (await gql(ZONE, {"id": b["id"]}))["budget"]["timeZone"] == "Asia/Kolkata"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "EST5EDT-nope", "utc ", "../etc/passwd"])
async def test_unknown_time_zones_are_refused_everywhere(gql, client, user_id, zone):
    made = await gql(CREATE, {"input": budget_input(user_id, timeZone=zone)})
    assert made["createBudget"]["budget"] is None
    assert made["createBudget"]["errors"][0]["field"] == ["input", "timeZone"]
    b = await create_budget(gql, user_id)
    updated = await gql(UPDATE, {"id": b["id"], "input": {"timeZone": zone}})
    assert updated["updateBudget"]["errors"][0]["field"] == ["input", "timeZone"]
    applied = await gql(
        "mutation($i: ApplyTemplateInput!) { applyTemplate(input: $i) { budget { id } errors { field code } } }",
        {"i": {"userId": user_id, "templateKey": "50_30_20", "totalIncome": "100", "timeZone": zone}},
    )
    assert applied["applyTemplate"]["errors"][0] == {"field": ["input", "timeZone"], "code": "VALIDATION"}
    rest = await client.post("/budgets", json={"user_id": user_id, "name": "x", "type": "personal",
                                               "period": "monthly", "categories": {"A": 1}, "time_zone": zone})
    assert rest.status_code == 400 and "time zone" in rest.json()["detail"].lower()


async def test_apply_template_and_rest_take_a_time_zone(gql, client, user_id):
    applied = await gql(
        "mutation($i: ApplyTemplateInput!) { applyTemplate(input: $i) { budget { timeZone } errors { code } } }",
        {"i": {"userId": user_id, "templateKey": "50_30_20", "totalIncome": "100", "timeZone": "Europe/Paris"}},
    )
    assert applied["applyTemplate"]["budget"] == {"timeZone": "Europe/Paris"}
    made = await client.post("/budgets", json={"user_id": user_id, "name": "x", "type": "personal",
                                               "period": "monthly", "categories": {"A": 1},
                                               "start_date": "2025-11-01", "time_zone": "America/Chicago"})
    assert made.status_code == 201 and made.json()["time_zone"] == "America/Chicago"
    patched = await client.patch(f"/budgets/{made.json()['id']}", json={"time_zone": "Europe/Berlin"})
    assert patched.status_code == 200 and patched.json()["time_zone"] == "Europe/Berlin"
    from_template = await client.post("/budgets/from-template", json={
        "user_id": user_id, "template_name": "50_30_20", "total_income": 100, "time_zone": "Asia/Tokyo"})
    assert from_template.status_code == 201 and from_template.json()["time_zone"] == "Asia/Tokyo"


async def test_progress_in_a_zone_still_matches_the_spec_example(gql, user_id):
    # The spec's November example, in a zone: the same figures, on local days.
    b = await create_budget(gql, user_id, rolloverEnabled=False, timeZone="America/Los_Angeles")
    await record(gql, user_id, "Groceries", "425.50", "2025-11-03T10:00:00-08:00")
    await record(gql, user_id, "restaurants", "180.25", "2025-11-08T20:00:00-08:00")
    p = await gql(PROGRESS, {"id": b["id"], "at": "2025-11-15T14:30:00-08:00", "period": None})
    p = p["budget"]["progress"]
    assert (p["totalSpent"], p["totalBudgeted"], p["percentUsed"], p["periodDaysElapsed"]) == (
        "605.75", "800.00", 75.71, 15
    )

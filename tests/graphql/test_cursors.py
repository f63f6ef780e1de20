"""Page cursors are sealed: they carry nothing a tenant can read (row numbers are shared
by all tenants), they page as before, and a cursor that was not handed out is a
VALIDATION error on ``after``. Every process on one database shares the key."""

from __future__ import annotations

import base64
import struct

import pytest
from sqlalchemy import select

from persistence.tables import BudgetRow, TransactionRow

from tests.conftest import GraphQLClient
from tests.support.queries import CREATE, LIST, app_client, create_budget, record
from tests.graphql.test_alerts import ALERTS, current_budget, now_iso
from tests.graphql.test_progress import TRANSACTIONS
from tests.e2e.test_webhooks import DELIVERIES, REGISTER, SECRET

OLD_STYLE = base64.urlsafe_b64encode(b"budget:1").decode().rstrip("=")  # what cursors used to be


def opened(cursor: str) -> bytes:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))


async def pks(app, table, ids: list[str]) -> dict[str, int]:
    async with app.state.engine.connect() as conn:
        rows = await conn.execute(select(table.id, table.pk).where(table.id.in_(ids)))
        return dict(rows.all())


async def page_all(gql, query: str, field: str, variables: dict, first: int) -> tuple[list[str], list[str]]:
    """Every node id, following endCursor; and the cursors used."""
    ids, cursors, after = [], [], None
    while True:
        page = (await gql(query, {**variables, "first": first, "after": after}))[field]
        ids += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids, cursors
        after = page["pageInfo"]["endCursor"]
        cursors.append(after)


async def test_cursors_reveal_no_row_numbers(app, gql, user_id):
    made = [(await create_budget(gql, user_id, name=f"B{i}"))["id"] for i in range(3)]
    page = (await gql(LIST, {"userId": user_id, "first": 3}))["budgets"]
    budget_pk = await pks(app, BudgetRow, made)
    for edge in page["edges"]:
        raw = opened(edge["cursor"])
        pk = budget_pk[edge["node"]["id"]]
        assert b"budget" not in raw and str(pk).encode() + b"\x00" not in raw
        assert struct.pack("!q", pk) not in raw and struct.pack("<q", pk) not in raw
    tx = [(await record(gql, user_id, "Groceries", "1.00", f"2025-11-0{d}T12:00:00"))["id"] for d in (1, 2)]
    page = (await gql(TRANSACTIONS, {"u": user_id, "first": 1}))["transactions"]
    raw = opened(page["pageInfo"]["endCursor"])
    pk = (await pks(app, TransactionRow, tx))[page["nodes"][0]["id"]]
    assert b"2025" not in raw and struct.pack("!q", pk) not in raw and b"spend" not in raw
    # One length for each kind of cursor, whatever the position: nothing to count by.
    assert len({len(e["cursor"]) for e in (await gql(LIST, {"userId": user_id, "first": 3}))["budgets"]["edges"]}) == 1


async def test_three_pages_of_each_list(gql, user_id):
    budgets = [(await create_budget(gql, user_id, name=f"B{i}"))["id"] for i in range(7)]
    ids, cursors = await page_all(gql, LIST, "budgets", {"userId": user_id}, first=3)
    assert ids == list(reversed(budgets)) and len(cursors) == 2 and len(set(cursors)) == 2

    made = [(await record(gql, user_id, "Fun", f"{d}.00", f"2025-10-0{d}T12:00:00"))["id"] for d in range(1, 8)]
    ids, cursors = await page_all(gql, TRANSACTIONS, "transactions", {"u": user_id}, first=3)
    assert ids == list(reversed(made)) and len(cursors) == 2

    other = user_id + "_alerts"
    await gql(CREATE, {"input": current_budget(other)})
    hook = (await gql(REGISTER, {"input": {"userId": other, "url": "https://hooks.budgetql-test.invalid/h", "secret": SECRET}}))
    await record(gql, other, "Groceries", "120.00", now_iso())  # WARNING, LIMIT_REACHED, OVER_BUDGET
    alerts = [a["id"] for a in (await gql(ALERTS, {"u": other, "first": 50}))["alerts"]["nodes"]]
    ids, cursors = await page_all(gql, ALERTS, "alerts", {"u": other}, first=1)
    assert ids == alerts and len(ids) >= 3 and len(cursors) == len(ids) - 1

    whk = hook["registerWebhook"]["webhook"]["id"]
    ids, cursors = await page_all(gql, DELIVERIES, "webhookDeliveries", {"w": whk}, first=1)
    assert len(set(ids)) == len(alerts) and len(cursors) == len(ids) - 1


async def cursors_of_every_kind(gql, user_id: str) -> dict[str, tuple[str, str, dict]]:
    """kind -> (query, field, variables), and a valid cursor of that kind in 'after'."""
    for i in range(2):
        await create_budget(gql, user_id, name=f"B{i}")
        await record(gql, user_id, "Fun", "1.00", f"2025-10-0{i + 1}T12:00:00")
    await gql(CREATE, {"input": current_budget(user_id)})
    hook = (await gql(REGISTER, {"input": {"userId": user_id, "url": "https://hooks.budgetql-test.invalid/h", "secret": SECRET}}))
    await record(gql, user_id, "Groceries", "120.00", now_iso())
    lists = {
        "budgets": (LIST, {"userId": user_id}),
        "transactions": (TRANSACTIONS, {"u": user_id}),
        "alerts": (ALERTS, {"u": user_id}),
        "webhookDeliveries": (DELIVERIES, {"w": hook["registerWebhook"]["webhook"]["id"]}),
    }
    out = {}
    for field, (query, variables) in lists.items():
        page = (await gql(query, {**variables, "first": 1}))[field]
        assert page["pageInfo"]["hasNextPage"]
        out[field] = (query, variables, page["pageInfo"]["endCursor"])
    return out


def tampered(cursor: str) -> list[str]:
    flipped = cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:]
    return [flipped, cursor[:-1], cursor[:-4], cursor + "AAAA", cursor + "!", OLD_STYLE, "garbage!", "x" * 5000]


async def test_tampered_truncated_or_foreign_cursors_are_validation_errors(gql, user_id):
    lists = await cursors_of_every_kind(gql, user_id)
    for field, (query, variables, cursor) in lists.items():
        foreign = [c for f, (_, _, c) in lists.items() if f != field]
        for bad in tampered(cursor) + foreign:
            body = await gql.raw(query, {**variables, "first": 1, "after": bad})
            assert body["data"] is None, (field, bad)
            [error] = body["errors"]
            assert error["extensions"] == {"code": "VALIDATION", "field": ["after"]}, (field, bad, error)
            assert "Invalid cursor" in error["message"]
        assert (await gql(query, {**variables, "first": 1, "after": cursor}))[field]["nodes"]  # the real one still pages


async def test_every_process_on_one_database_shares_the_cursor_key(db_url, gql, user_id):
    # Two apps on one database, as `serve --workers 2` runs two processes.
    for i in range(4):
        await create_budget(gql, user_id, name=f"B{i}")
    first = (await gql(LIST, {"userId": user_id, "first": 2}))["budgets"]
    async with app_client(db_url, webhook_worker=False) as (_, http):
        other = GraphQLClient(http)
        assert (await other(LIST, {"userId": user_id, "first": 2}))["budgets"]["pageInfo"] == first["pageInfo"]
        rest = (await other(LIST, {"userId": user_id, "first": 2, "after": first["pageInfo"]["endCursor"]}))["budgets"]
    assert len(rest["nodes"]) == 2 and not {n["id"] for n in rest["nodes"]} & {n["id"] for n in first["nodes"]}


async def test_cursor_secret_setting_seals_with_that_secret(db_url, gql, user_id):
    for i in range(3):
        await create_budget(gql, user_id, name=f"B{i}")
    stored_key_cursor = (await gql(LIST, {"userId": user_id, "first": 1}))["budgets"]["pageInfo"]["endCursor"]
    secret = "a-cursor-secret-of-at-least-32-characters"
    async with app_client(db_url, webhook_worker=False, cursor_secret=secret) as (_, one), app_client(
        db_url, webhook_worker=False, cursor_secret=secret
    ) as (_, two):
        a, b = GraphQLClient(one), GraphQLClient(two)
        cursor = (await a(LIST, {"userId": user_id, "first": 1}))["budgets"]["pageInfo"]["endCursor"]
        assert cursor != stored_key_cursor
        assert len((await b(LIST, {"userId": user_id, "first": 5, "after": cursor}))["budgets"]["nodes"]) == 2
        body = await b.raw(LIST, {"userId": user_id, "first": 1, "after": stored_key_cursor})
        assert body["errors"][0]["extensions"] == {"code": "VALIDATION", "field": ["after"]}


def test_a_short_cursor_secret_stops_the_server(monkeypatch):
    from graph.settings import Settings

    monkeypatch.setenv("BUDGETQL_CURSOR_SECRET", "too-short")
    with pytest.raises(ValueError, match="BUDGETQL_CURSOR_SECRET must be at least 32 characters"):
        Settings.from_env("sqlite+aiosqlite:///x.db")
    monkeypatch.setenv("BUDGETQL_CURSOR_SECRET", "s" * 32)
    assert Settings.from_env("sqlite+aiosqlite:///x.db").cursor_secret == "s" * 32

"""100 concurrent writes on one budget: no update lost, totals equal what was accepted."""

from __future__ import annotations

import asyncio
import random
import re
from decimal import Decimal

from tests.support.queries import GET, RECORD, create_budget, progress

UPDATE_NAME = """
mutation($id: ID!, $name: String!, $v: Int) {
  updateBudget(id: $id, input: {name: $name}, expectedVersion: $v) {
    budget { name version } errors { field code message }
  }
}
"""


async def test_hundred_concurrent_updates_and_transactions_on_one_budget(gql, user_id):
    budget = await create_budget(gql, user_id, categories=[{"name": "Groceries", "amount": "100000.00"}])
    assert budget["version"] == 1
    rng = random.Random(20251101)

    async def retried(document: str, variables: dict, field: str) -> dict:
        # As a client does: SERVICE_UNAVAILABLE (here, no pooled connection within the
        # pool's timeout on a loaded machine) is "nothing done, try again".
        for _ in range(5):
            payload = (await gql(document, variables))[field]
            if not any(e["code"] == "SERVICE_UNAVAILABLE" for e in payload["errors"]):
                return payload
        return payload

    async def update(name: str) -> dict:
        payload = await retried(UPDATE_NAME, {"id": budget["id"], "name": name}, "updateBudget")
        return {"kind": "update", "name": name, "expected": None, **payload}

    async def conditional_update(name: str) -> dict:
        # A client that read the budget a moment ago: fresh, or stale by the time it writes.
        for _ in range(5):  # a read refused as SERVICE_UNAVAILABLE is retried too
            body = await gql.raw(GET, {"id": budget["id"]})
            if not any((e.get("extensions") or {}).get("code") == "SERVICE_UNAVAILABLE" for e in body.get("errors") or []):
                break
        assert not body.get("errors"), body["errors"]
        seen = body["data"]["budget"]["version"]
        payload = await retried(UPDATE_NAME, {"id": budget["id"], "name": name, "v": seen}, "updateBudget")
        return {"kind": "update", "name": name, "expected": seen, **payload}

    async def spend(i: int, amount: str) -> dict:
        item = {"userId": user_id, "category": "Groceries", "amount": amount, "occurredAt": "2025-11-10T12:00:00", "externalId": f"t{i}"}
        payload = await retried(RECORD, {"input": item}, "recordTransaction")
        return {"kind": "spend", "amount": amount, **payload}

    calls = (
        [update(f"plain {i}") for i in range(25)]
        + [conditional_update(f"checked {i}") for i in range(25)]
        + [spend(i, f"{rng.randint(1, 500)}.{rng.randint(0, 99):02d}") for i in range(45)]
        + [spend(100 + i, "0") for i in range(5)]  # invalid: rejected, counted nowhere
    )
    rng.shuffle(calls)
    results = await asyncio.gather(*calls)

    updates = [r for r in results if r["kind"] == "update"]
    accepted = [r for r in updates if not r["errors"]]
    conflicts = [r for r in updates if r["errors"]]
    # Unconditional updates wait their turn: none is refused.
    assert all(not r["errors"] for r in updates if r["expected"] is None)
    # A conditional update is accepted exactly when its version was current: it makes the next one.
    for r in accepted:
        if r["expected"] is not None:
            assert r["budget"]["version"] == r["expected"] + 1
    # A conflict only for a version someone else had already moved past.
    for r in conflicts:
        assert r["expected"] is not None and r["budget"] is None
        (error,) = r["errors"]
        assert (error["code"], error["field"]) == ("CONFLICT", ["expectedVersion"])
        current, expected = map(int, re.search(r"version (\d+), expected (\d+)", error["message"]).groups())
        assert expected == r["expected"] and current > expected
    # No update lost: each accepted update made its own version, 2, 3, … in turn.
    final = (await gql(GET, {"id": budget["id"]}))["budget"]
    assert final["version"] == 1 + len(accepted)
    assert sorted(r["budget"]["version"] for r in accepted) == list(range(2, final["version"] + 1))
    assert final["name"] == next(r["name"] for r in accepted if r["budget"]["version"] == final["version"])

    spends = [r for r in results if r["kind"] == "spend"]
    stored = [r for r in spends if not r["errors"]]
    assert len(stored) == 45 and all(r["created"] for r in stored), [r["errors"] for r in spends if r["errors"] and r["amount"] != "0"]
    assert all(r["errors"][0]["code"] == "VALIDATION" for r in spends if r["errors"])
    total = (await progress(gql, budget["id"], at="2025-11-15T00:00:00"))["totalSpent"]
    assert Decimal(total) == sum(Decimal(r["amount"]) for r in stored)
    listed = await gql("query($u: String!) { transactions(userId: $u) { totalCount } }", {"u": user_id})
    assert listed["transactions"]["totalCount"] == 45

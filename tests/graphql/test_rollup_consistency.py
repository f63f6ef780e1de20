"""The spending rollup always equals the sum of the stored transactions."""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal

from tests.support.queries import by_name, create_budget, progress

RECORD_MANY = """
mutation($inputs: [RecordTransactionInput!]!) {
  recordTransactions(inputs: $inputs) { transactions { id category amount occurredAt } errors { message } }
}
"""
DELETE = "mutation($id: ID!) { deleteTransaction(id: $id) { errors { message } } }"


async def test_random_writes_and_deletes_keep_progress_equal_to_the_transactions(gql, user_id):
    rng = random.Random(20251115)
    cats = ["Groceries", "Fun", "Travel"]
    b = await create_budget(gql, user_id, categories=[{"name": c, "amount": "1000"} for c in cats], rolloverEnabled=False)
    # A period of whole months plus loose days at both ends: Sep 15 – Dec 14.
    quarter = await create_budget(
        gql, user_id, categories=[{"name": c, "amount": "1000"} for c in cats], rolloverEnabled=False,
        period="QUARTERLY", startDate="2025-09-15T00:00:00",
    )
    alive: dict[str, tuple[str, Decimal, str]] = {}
    for _ in range(6):
        inputs = [
            {
                "userId": user_id,
                "category": rng.choice(cats),
                "amount": str(Decimal(rng.randint(-2000, 9000)) / 100 or Decimal("0.01")),
                "occurredAt": f"2025-{rng.choice(['10', '11', '12'])}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00",
            }
            for _ in range(rng.randint(5, 40))
        ]
        stored = (await gql(RECORD_MANY, {"inputs": inputs}))["recordTransactions"]
        assert stored["errors"] == []
        for t in stored["transactions"]:
            alive[t["id"]] = (t["category"], Decimal(t["amount"]), t["occurredAt"])
        for victim in rng.sample(sorted(alive), k=len(alive) // 5):
            assert (await gql(DELETE, {"id": victim}))["deleteTransaction"]["errors"] == []
            del alive[victim]
    expected = defaultdict(Decimal)
    for category, amount, at in alive.values():
        if at.startswith("2025-11"):
            expected[category] += amount
    cats_progress = by_name(await progress(gql, b["id"], at="2025-11-15T00:00:00"))
    assert {c: Decimal(cats_progress[c]["spentAmount"]) for c in cats} == {c: expected[c] for c in cats}
    in_quarter = defaultdict(Decimal)
    for category, amount, at in alive.values():
        if "2025-09-15" <= at[:10] < "2025-12-15":
            in_quarter[category] += amount
    quarter_progress = by_name(await progress(gql, quarter["id"], period=0))
    assert {c: Decimal(quarter_progress[c]["spentAmount"]) for c in cats} == {c: in_quarter[c] for c in cats}

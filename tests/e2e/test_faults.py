"""PostgreSQL restarted under a running server while clients keep writing.

The database is a throwaway PostgreSQL of the test's own (see ``pg_instance``), never
the machine's shared cluster: stopping that one would break every other run.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

import httpx
import pytest

from tests.support.pg_instance import PostgresInstance, unavailable_reason
from tests.support.server import server_process
from tests.support.queries import CREATE, RECORD, in_ci
from tests.graphql.test_alerts import SUBSCRIBE, current_budget
from tests.graphql.test_errors import assert_no_leak
from tests.support.ws import Subscriber

FAIL_FAST = 10.0  # seconds: an answer during the outage, not a hang
RECOVERY = 60.0  # seconds the server gets to serve writes again after the restart


@pytest.fixture
def own_postgres():
    reason = unavailable_reason()
    if reason:
        if in_ci():
            pytest.fail(f"{reason} (CI=true requires the fault test to run)")
        pytest.skip(reason)
    pg = PostgresInstance().init()
    pg.start()
    try:
        yield pg
    finally:
        pg.cleanup()


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")


class Writer:
    """Clients recording small transactions in loops, each with its own externalId,
    remembering which were acknowledged and how every other answer looked."""

    def __init__(self, http: httpx.AsyncClient, user_id: str):
        self.http = http
        self.user_id = user_id
        self.acknowledged: list[str] = []
        self.refused: list[dict] = []
        self.slowest = 0.0
        self.stop = asyncio.Event()
        self.acks = asyncio.Condition()

    async def write(self, external_id: str) -> None:
        item = {"userId": self.user_id, "category": "Groceries", "amount": "0.01", "occurredAt": now_iso(), "externalId": external_id}
        started = time.monotonic()
        response = await self.http.post("/graphql", json={"query": RECORD, "variables": {"input": item}})
        self.slowest = max(self.slowest, time.monotonic() - started)
        assert_no_leak(response.text)
        assert response.status_code == 200, response.text
        payload = response.json()["data"]["recordTransaction"]
        if payload["errors"]:
            self.refused.append(payload)
        else:
            async with self.acks:
                self.acknowledged.append(external_id)
                self.acks.notify_all()

    async def run(self, client: int) -> None:
        n = 0
        while not self.stop.is_set() and n < 1000:
            await self.write(f"c{client}-{n}")
            n += 1
            await asyncio.sleep(0.05)

    async def acknowledged_after(self, count: int, timeout: float) -> None:
        async with self.acks:
            await asyncio.wait_for(self.acks.wait_for(lambda: len(self.acknowledged) > count), timeout)


async def stored_external_ids(http: httpx.AsyncClient, user_id: str) -> set[str]:
    query = """query($u: String!, $after: String) { transactions(userId: $u, first: 500, after: $after) {
      nodes { externalId } pageInfo { hasNextPage endCursor } } }"""
    found: set[str] = set()
    after = None
    for _ in range(20):
        page = (await http.post("/graphql", json={"query": query, "variables": {"u": user_id, "after": after}})).json()
        page = page["data"]["transactions"]
        found |= {n["externalId"] for n in page["nodes"] if n["externalId"]}
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return found


async def test_postgres_restart_while_clients_write(own_postgres, user_id, tmp_path):
    pg = own_postgres
    log = tmp_path / "server.log"
    with server_process(pg.url, output=log) as server:
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
            created = (await http.post("/graphql", json={"query": CREATE, "variables": {"input": current_budget(user_id)}})).json()
            budget_id = created["data"]["createBudget"]["budget"]["id"]
            async with Subscriber(server.base, SUBSCRIBE, {"u": user_id}) as sub:
                writer = Writer(http, user_id)
                clients = asyncio.gather(*(writer.run(c) for c in range(4)))
                try:
                    await writer.acknowledged_after(5, FAIL_FAST)

                    await asyncio.to_thread(pg.stop, "fast")
                    while len(writer.refused) < 20:  # the clients keep writing meanwhile
                        assert not clients.done(), clients.exception()
                        await asyncio.sleep(0.1)
                    started = time.monotonic()
                    query = await http.post("/graphql", json={"query": "query($id: ID!) { budget(id: $id) { id } }", "variables": {"id": budget_id}})
                    ready = await http.get("/readyz")
                    health = await http.get("/healthz")
                    assert time.monotonic() - started < 3 * FAIL_FAST
                    acknowledged_before_restart = len(writer.acknowledged)

                    await asyncio.to_thread(pg.start)
                    await writer.acknowledged_after(acknowledged_before_restart + 5, RECOVERY)
                finally:
                    writer.stop.set()
                    await clients

                # An alert raised after the restart reaches the subscriber: the listener reconnected.
                spend = {"userId": user_id, "category": "Groceries", "amount": "85.00", "occurredAt": now_iso()}
                recorded = (await http.post("/graphql", json={"query": RECORD, "variables": {"input": spend}})).json()
                assert recorded["data"]["recordTransaction"]["errors"] == []
                alerts = [(await sub.next(timeout=30))["budgetAlerts"] for _ in range(2)]

            stored = await stored_external_ids(http, user_id)
            after_ready = await http.get("/readyz")

    assert writer.slowest < FAIL_FAST, f"a request took {writer.slowest:.1f}s during the outage"
    assert writer.refused, "no write was refused: the outage was not observed"
    for payload in writer.refused:
        assert payload["transaction"] is None
        assert payload["errors"] == [{"field": None, "code": "SERVICE_UNAVAILABLE", "message": "Database unavailable, try again"}]
    assert query.status_code == 200
    (error,) = query.json()["errors"]
    assert query.json()["data"] == {"budget": None}
    assert (error["message"], error["path"], error["extensions"]) == (
        "Database unavailable, try again", ["budget"], {"code": "SERVICE_UNAVAILABLE"}
    )
    assert (ready.status_code, ready.json()["reason"]) == (503, "database unreachable")
    assert health.status_code == 200
    assert after_ready.json() == {"status": "ready"}

    missing = set(writer.acknowledged) - stored
    assert not missing, f"acknowledged but not stored: {sorted(missing)}"
    assert {(a["category"], a["alertType"]) for a in alerts} == {("Groceries", "WARNING"), (None, "WARNING")}

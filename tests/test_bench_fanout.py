"""The alert fan-out driver of the benchmark, against a stand-in ``budgetAlerts``
subscription (graphql-transport-ws), until the real one is part of the schema."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from typing import AsyncGenerator

import httpx
import strawberry
import uvicorn
from strawberry.asgi import GraphQL

from .server import ROOT, free_port

queues: set[asyncio.Queue] = set()


@strawberry.type
class Alert:
    alert_id: strawberry.ID
    budget_id: strawberry.ID
    user_id: str
    category: str
    alert_type: str
    percent_used: float
    timestamp: str


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Mutation:
    @strawberry.mutation
    def fire(self, count: int) -> bool:
        for _ in range(count):
            stamp = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
            alert = Alert(alert_id=strawberry.ID(uuid.uuid4().hex), budget_id=strawberry.ID("bud_1"), user_id="u",
                          category="Food", alert_type="WARNING", percent_used=85.0, timestamp=stamp)
            for q in queues:
                q.put_nowait(alert)
        return True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def budget_alerts(
        self, user_id: str, budget_id: strawberry.ID | None = None, since: strawberry.ID | None = None
    ) -> AsyncGenerator[Alert, None]:
        q: asyncio.Queue = asyncio.Queue()
        queues.add(q)
        try:
            while True:
                yield await q.get()
        finally:
            queues.discard(q)


def test_fanout_driver_counts_every_delivery():
    app = GraphQL(strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "stand-in server did not start"
            time.sleep(0.05)
        driver = subprocess.Popen(
            [sys.executable, "-m", "bench.fanout", "--url", f"ws://127.0.0.1:{port}/graphql",
             "--subscribers", "20", "--user", "u", "--settle", "2", "--limit", "20"],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        try:
            assert driver.stdout.readline().strip() == "READY"
            httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "mutation { fire(count: 3) }"}, timeout=10)
            driver.stdin.write("DONE\n")
            driver.stdin.flush()
            out, _ = driver.communicate(timeout=60)
        finally:
            driver.kill()
    finally:
        server.should_exit = True
        thread.join(10)
    result = json.loads(next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))[11:])
    assert result["alerts"] == 3 and result["expected"] == 60
    assert result["delivered"] == 60 and result["lost"] == 0 and result["errors"] == 0
    assert 0 <= result["p50_ms"] <= result["p99_ms"] < 5000

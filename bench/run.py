"""The benchmark: six figures, each measured side by side with its baseline in one run.

``python -m bench`` (``make bench``) seeds (or reuses) a PostgreSQL database, starts
the real server (``budgetql serve``: uvicorn over loopback HTTP and WebSocket), drives
it from separate processes (wrk, the fan-out driver), prints one table and writes
``bench/results.json`` and ``bench/latency.png``. ``--smoke`` runs the same code on a
small data set with short measurements, into ``bench/results/smoke/``. Figures P1 and
P2 measure real peers (fin-infra, Actual) side by side with budgetql: ``bench/peers/``.
A run that starts with a 1-minute load average above ``IDLE_LOAD`` reports no verdict
(every ``met`` is null, the table says "machine busy: rerun").
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Callable
import json
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from domain.models import new_id
from domain.access import TRUSTED
from domain.budgets.service import BudgetService
from domain.spending.service import SpendingService
from persistence.database import create_engine
from persistence.migrate import migrate
from persistence.unit_of_work import SqlUnitOfWorkFactory
from tests.support.server import server_process

from . import alternate, load, profile, seed
from .cpu import CpuMeter
from .load import Request

ROOT = Path(__file__).resolve().parent
ADMIN_URL = os.environ.get(
    "BUDGETQL_BENCH_POSTGRES_URL",
    os.environ.get("BUDGETQL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
)
COMPLETE = "budgetql bench data set complete"
IDLE_LOAD = 0.5  # above this 1-minute load average at start, no figure is judged
BUSY = "machine busy: rerun"

CATEGORY_FIELDS = "categoryName budgetedAmount spentAmount remainingAmount percentUsed"
PROGRESS_FIELDS = (
    "budgetId currentPeriod totalBudgeted totalSpent totalRemaining percentUsed periodDaysElapsed periodDaysTotal "
    f"categories {{ {CATEGORY_FIELDS} }}"
)
PROGRESS_QUERY = f"query($id: ID!) {{ budget(id: $id) {{ progress {{ {PROGRESS_FIELDS} }} }} }}"
PAGE_QUERY = f"query($u: String!) {{ budgets(userId: $u, first: 50) {{ nodes {{ id progress {{ {PROGRESS_FIELDS} }} }} }} }}"
RECORD_MANY = """mutation($inputs: [RecordTransactionInput!]!) {
  recordTransactions(inputs: $inputs) { createdCount duplicateCount errors { message } } }"""
RECORD = """mutation($input: RecordTransactionInput!) {
  recordTransaction(input: $input) { created errors { message } } }"""


@dataclass(frozen=True)
class Plan:
    """How long and how hard each figure is measured."""

    throughput_s: float  # one throughput measurement
    latency_s: float  # latency: seconds per request set, the sets taken in turn by one client
    warmup_s: float
    rounds: int  # baseline and candidate alternate this many times
    connections: int
    write_rounds: int
    subscribers: int
    output: Path


FULL_PLAN = Plan(10, 8, 2, 2, 16, 11, 2000, ROOT)
SMOKE_PLAN = Plan(1, 1, 0.5, 1, 4, 2, 20, ROOT / "results" / "smoke")


@dataclass
class Figure:
    figure: str
    name: str
    value: float | None
    baseline: float | None
    ratio: float | None
    target: str
    met: bool | None
    unit: str
    note: str = ""
    details: dict | None = None


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ratio(value: float | None, baseline: float | None) -> float | None:
    return round(value / baseline, 3) if value is not None and baseline else None


# -- the database ------------------------------------------------------------------
def _pg_url(database: str) -> str:
    return make_url(ADMIN_URL).set(drivername="postgresql+asyncpg", database=database).render_as_string(False)


async def _admin() -> asyncpg.Connection:
    url = make_url(ADMIN_URL)
    return await asyncpg.connect(
        host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres",
        password=url.password, database=url.database or "postgres", timeout=5,
    )


async def prepare_database(data: seed.DataSet, now: datetime, *, reuse: bool) -> str:
    """A seeded database: reused when a complete one of this data-set version and
    month exists (the current period then holds spending), else built afresh."""
    name = f"budgetql_bench_{data.key}_{now:%Y%m}" if reuse else f"budgetql_bench_{data.key}_{uuid.uuid4().hex[:8]}"
    admin = await _admin()
    try:
        comment = await admin.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", name
        )
        if reuse and comment == COMPLETE:
            log(f"reusing seeded database {name}")
            return _pg_url(name)
        if reuse:  # older months or versions of the full data set are only disk space
            for (stale,) in await admin.fetch(
                "SELECT datname FROM pg_database WHERE datname LIKE 'budgetql\\_bench\\_v%\\_full\\_%'"
            ):
                await admin.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = _pg_url(name)
    started = time.perf_counter()
    log(f"seeding {name} ({data.name} data set)")
    engine = create_engine(url)
    try:
        await migrate(engine)
        uow = SqlUnitOfWorkFactory(engine)
        await seed.seed(data, BudgetService(uow), SpendingService(uow), now, log=log)
    finally:
        await engine.dispose()
    admin = await _admin()
    try:
        db = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            await db.execute("VACUUM ANALYZE")
        finally:
            await db.close()
        await admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{COMPLETE}'")
    finally:
        await admin.close()
    log(f"seeded in {time.perf_counter() - started:.0f} s")
    return url


async def drop_database(url: str) -> None:
    admin = await _admin()
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await admin.close()


async def budget_ids(url: str, users: list[str]) -> dict[str, list[str]]:
    """Each user's budgets, newest first, read through the product's service."""
    engine = create_engine(url)
    try:
        service = BudgetService(SqlUnitOfWorkFactory(engine))
        return {u: [b.id for b in await service.get_budgets(TRUSTED, u)] for u in users}
    finally:
        await engine.dispose()


# -- requests ------------------------------------------------------------------------
def gql_request(query: str, variables: dict) -> Request:
    return Request("POST", "/graphql", json.dumps({"query": query, "variables": variables}, separators=(",", ":")))


def gql(base: str, query: str, variables: dict | None = None, timeout: float = 60) -> tuple[dict, httpx.Response]:
    response = httpx.post(base + "/graphql", json={"query": query, "variables": variables or {}}, timeout=timeout)
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"GraphQL errors: {body['errors']}")
    return body["data"], response


def progress_requests(ids: list[str]) -> list[Request]:
    return [gql_request(PROGRESS_QUERY, {"id": i}) for i in ids]


def measure(base: str, requests: list[Request], plan: Plan) -> load.LoadResult:
    """Throughput of ``requests`` with wrk, after a warm-up."""
    if plan.warmup_s:
        load.run(base, requests, seconds=plan.warmup_s, connections=plan.connections)
    result = load.run(base, requests, seconds=plan.throughput_s, connections=plan.connections)
    if result.errors or result.non2xx or not result.requests:
        raise RuntimeError(f"load run failed: {result}")
    return result


def in_turns(base: str, candidates: dict[str, list[Request]], plan: Plan) -> dict[str, list[load.LoadResult]]:
    """Throughput of each request set in turn, ``plan.rounds`` times, so drift hits all alike."""
    results: dict[str, list[load.LoadResult]] = defaultdict(list)
    for _ in range(plan.rounds):
        for name, requests in candidates.items():
            results[name].append(measure(base, requests, plan))
    return results


def median_rps(results: list[load.LoadResult]) -> float:
    return round(statistics.median(r.rps for r in results), 1)


def median_p50(results: list[load.LoadResult]) -> float:
    return round(statistics.median(r.p50_ms for r in results), 3)


# -- figures -------------------------------------------------------------------------
def graphql_overhead(base: str, ids: list[str], plan: Plan) -> Figure:
    sample = ids[0]
    via_graphql = gql(base, PROGRESS_QUERY, {"id": sample})[0]["budget"]["progress"]
    via_rest = httpx.get(f"{base}/budgets/{sample}/progress", timeout=30).json()
    assert Decimal(via_graphql["totalSpent"]) == Decimal(str(via_rest["total_spent"])), (via_graphql, via_rest)
    runs = in_turns(
        base, {"graphql": progress_requests(ids), "rest": [Request("GET", f"/budgets/{i}/progress") for i in ids]}, plan
    )
    value, baseline = median_rps(runs["graphql"]), median_rps(runs["rest"])
    r = ratio(value, baseline)
    return Figure(
        "1", "GraphQL overhead: progress query req/s vs bare JSON route", value, baseline, r, ">= 0.85",
        r is not None and r >= 0.85, "req/s",
        details={"budgets": len(ids), "connections": plan.connections, "tool": runs["graphql"][0].tool,
                 "graphql_p50_ms": median_p50(runs["graphql"]), "rest_p50_ms": median_p50(runs["rest"])},
    )


def side_by_side(base: str, sets: dict[str, list[Request]], plan: Plan) -> dict[str, dict]:
    """Latency of each request set, taken in turn by one client (see bench/alternate.py)."""
    if plan.warmup_s:
        alternate.run(base, sets, plan.warmup_s)
    return alternate.run(base, sets, plan.latency_s * len(sets))


@dataclass(frozen=True)
class Scaling:
    """The latency of the same request at several sizes (of history, of page): each
    size's runs, p50 by size, and the largest size's p50 over the smallest's."""

    runs: dict[str, dict]  # by size as text, as bench/alternate.py answers

    @property
    def p50(self) -> dict[int, float]:
        return {int(n): r["p50_ms"] for n, r in self.runs.items()}

    small = property(lambda self: min(self.p50), doc="The smallest size.")
    large = property(lambda self: max(self.p50), doc="The largest size.")

    @property
    def ratio(self) -> float | None:
        return ratio(self.p50[self.large], self.p50[self.small])

    def by_size(self, key: str) -> dict[str, float]:
        """One figure of each size's runs (``p50_ms``, ``p90_ms``, ``n``), by size as text."""
        return {str(n): self.runs[str(n)][key] for n in self.p50}

    def figure(self, key: str, name: str, at_most: float, details: dict) -> Figure:
        """The largest size's p50 against the smallest's: met when their ratio is at most ``at_most``."""
        met = self.ratio is not None and self.ratio <= at_most
        return Figure(
            key, name, self.p50[self.large], self.p50[self.small], self.ratio, f"<= {at_most}", met, "ms", details=details
        )


def scaling(base: str, sets: dict[int, list[Request]], plan: Plan) -> Scaling:
    """The request sets, one per size, measured side by side."""
    return Scaling(side_by_side(base, {str(n): requests for n, requests in sets.items()}, plan))


def _by_history(data: seed.DataSet, ids: dict[str, list[str]]) -> dict[int, str]:
    """Each history user's monthly budget with rollover (the one a dashboard opens, and
    the costliest), by how many transactions the user has."""
    return {n: ids[user][-1] for n, user in data.history_users.items()}


def history_independence(base: str, data: seed.DataSet, ids: dict[str, list[str]], plan: Plan) -> Figure:
    s = scaling(base, {n: progress_requests([b]) for n, b in _by_history(data, ids).items()}, plan)
    return s.figure(
        "2", f"History independence: progress p50 with {s.large:,} vs {s.small:,} transactions", 1.3,
        {"p50_ms": s.by_size("p50_ms"), "p90_ms": s.by_size("p90_ms"), "requests": s.by_size("n"),
         "budget": "monthly, 15 categories, rollover UNUSED, started history_months ago"},
    )


INSIGHTS_QUERY = """query($id: ID!) { budget(id: $id) {
  insights(periods: 12) { periods grewMost categories { categoryName average median trend periodsOverLimit } }
  suggestedLimits(periods: 12) { category suggested difference reason } } }"""


def insights_independence(base: str, data: seed.DataSet, ids: dict[str, list[str]], plan: Plan) -> Figure:
    """Figure 2b: insights and suggested limits over 12 periods read per-period sums from
    the rollups, so their cost does not grow with the transactions."""
    s = scaling(base, {n: [gql_request(INSIGHTS_QUERY, {"id": b})] for n, b in _by_history(data, ids).items()}, plan)
    return s.figure(
        "2b", f"Insights + suggested limits (12 periods) p50 with {s.large:,} vs {s.small:,} transactions", 1.3,
        {"p50_ms": s.by_size("p50_ms"), "requests": s.by_size("n")},
    )


def statement_counts(base: str, data: seed.DataSet) -> Figure:
    counts = {}
    for n, user in data.page_users.items():
        data_, response = gql(base, PAGE_QUERY, {"u": user})
        assert len(data_["budgets"]["nodes"]) == min(n, 50)
        counts[n] = int(response.headers["x-statement-count"])
    small, large = min(counts), max(counts)
    met = counts[large] <= 5 and counts[large] == counts[small]
    return Figure(
        "3a", f"No N+1: SQL statements for a page of {large} vs {small} budget(s) with progress",
        counts[large], counts[small], ratio(counts[large], counts[small]), "<= 5, constant", met, "statements",
        details={"statements": {str(n): c for n, c in counts.items()}, "categories_per_budget": 20},
    )


def page_latency(base: str, data: seed.DataSet, plan: Plan) -> Figure:
    s = scaling(base, {n: [gql_request(PAGE_QUERY, {"u": u})] for n, u in data.page_users.items()}, plan)
    return s.figure(
        "3b", f"No N+1: page latency p50 for {s.large} vs {s.small} budget(s)", 2.5,
        {"p50_ms": s.by_size("p50_ms"), "requests": s.by_size("n")},
    )


def _write_rows(data: seed.DataSet, round_: int, now: datetime) -> list[dict]:
    rng = seed.random.Random(round_)
    return [
        {"userId": "writer", "category": rng.choice(seed.CATEGORIES), "amount": f"{rng.randrange(100, 9000) / 100:.2f}",
         "occurredAt": (now - timedelta(seconds=i)).isoformat(), "description": "bench",
         "externalId": f"{round_}-{i}"}
        for i in range(data.writer_rows)
    ]


async def raw_write(url: str, rows: list[dict], now: datetime) -> float:
    """The same rows the cheapest way: COPY into transactions, then the daily and monthly
    rollup upserts, in one transaction over a raw asyncpg connection (no validation, no
    idempotency check, no alert evaluation). Seconds taken."""
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        started = time.perf_counter()
        records, deltas = [], defaultdict(lambda: [Decimal(0), 0])
        for row in rows:
            at = datetime.fromisoformat(row["occurredAt"])
            key = row["category"].strip().casefold()
            amount = Decimal(row["amount"])
            records.append((new_id("txn"), row["userId"], row["category"], key, amount, "USD", at, at.date(),
                            row["description"], "raw-" + row["externalId"], now, "manual"))
            d = deltas[(row["userId"], key, "USD", at.date())]
            d[0] += amount
            d[1] += 1
        async with conn.transaction():
            await conn.copy_records_to_table(
                "transactions", records=records,
                columns=["id", "user_id", "category", "category_key", "amount", "currency", "occurred_at",
                         "occurred_on", "description", "external_id", "created_at", "categorized_by"],
            )
            await conn.executemany(
                "INSERT INTO spending_daily (user_id, category_key, currency, day, total, count) "
                "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, category_key, currency, day) "
                "DO UPDATE SET total = spending_daily.total + excluded.total, count = spending_daily.count + excluded.count",
                [(*k, t, c) for k, (t, c) in sorted(deltas.items())],
            )
            # The monthly rollup too, as the product keeps both.
            monthly = defaultdict(lambda: [Decimal(0), 0])
            for (user, key, currency, day), (t, c) in deltas.items():
                m = monthly[(user, key, currency, day.replace(day=1))]
                m[0] += t
                m[1] += c
            await conn.executemany(
                "INSERT INTO spending_monthly (user_id, category_key, currency, month, total, count) "
                "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, month, category_key, currency) "
                "DO UPDATE SET total = spending_monthly.total + excluded.total, count = spending_monthly.count + excluded.count",
                [(*k, t, c) for k, (t, c) in sorted(monthly.items())],
            )
        return time.perf_counter() - started
    finally:
        await conn.close()


def _timed_writes(base: str, url: str, plan: Plan, rounds: Callable[[int], tuple[list[dict], list[dict]]]) -> tuple[list[float], list[float]]:
    """Seconds per round of recordTransactions (the round's GraphQL inputs) and of the raw
    baseline (its rows), taking turns; the first round of each warms up."""
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    graphql_s, raw_s = [], []
    for i in range(plan.write_rounds + 1):
        inputs, rows = rounds(i)
        body = json.dumps({"query": RECORD_MANY, "variables": {"inputs": inputs}}).encode()

        def via_graphql() -> float:
            started = time.perf_counter()
            response = httpx.post(base + "/graphql", content=body, headers={"content-type": "application/json"}, timeout=120)
            elapsed = time.perf_counter() - started
            payload = response.json()["data"]["recordTransactions"]
            assert payload["createdCount"] == len(inputs), payload
            return elapsed

        def via_raw() -> float:
            return asyncio.run(raw_write(url, rows, now))

        # Whichever goes second finds the index pages the first one read: take turns.
        if i % 2:
            raw, elapsed = via_raw(), via_graphql()
        else:
            elapsed, raw = via_graphql(), via_raw()
        if i:
            graphql_s.append(elapsed)
            raw_s.append(raw)
    return graphql_s, raw_s


def _write_figure(key: str, title: str, data: seed.DataSet, graphql_s: list[float], raw_s: list[float], plan: Plan,
                  note: str) -> Figure:
    value = round(data.writer_rows / statistics.median(graphql_s), 1)
    baseline = round(data.writer_rows / statistics.median(raw_s), 1)
    r = ratio(value, baseline)
    return Figure(
        key, title, value, baseline, r, ">= 0.25", r is not None and r >= 0.25, "rows/s", note=note,
        details={"graphql_ms": round(statistics.median(graphql_s) * 1000, 1),
                 "raw_ms": round(statistics.median(raw_s) * 1000, 1), "rounds": plan.write_rounds},
    )


def write_path(base: str, url: str, data: seed.DataSet, plan: Plan) -> Figure:
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    run_id = uuid.uuid4().hex[:6]

    def rounds(i: int) -> tuple[list[dict], list[dict]]:
        rows = [{**r, "externalId": f"{run_id}-{r['externalId']}"} for r in _write_rows(data, i, now)]
        return rows, rows

    graphql_s, raw_s = _timed_writes(base, url, plan, rounds)
    return _write_figure(
        "4", f"Write path: recordTransactions of {data.writer_rows:,} rows vs raw asyncpg COPY + rollups",
        data, graphql_s, raw_s, plan,
        "GraphQL side: validation, insert, daily and monthly rollups, alert evaluation, one transaction",
    )


RULES_FOR_BENCH = 500
CREATE_RULE = """
mutation($i: CreateCategoryRuleInput!) { createCategoryRule(input: $i) { rule { id } errors { message } } }
"""


def rule_write_path(base: str, url: str, data: seed.DataSet, plan: Plan) -> Figure:
    """Figure 4b: the same batch without categories, through 500 category rules of the
    writer (tried highest priority first), against the same raw baseline."""
    user = "rule-writer"
    for n in range(RULES_FOR_BENCH):
        match = {"descriptionContains": f"shop {n:03d}"} if n % 3 else {"descriptionStartsWith": f"store {n:03d}"}
        gql(base, CREATE_RULE, {"i": {"userId": user, "category": seed.CATEGORIES[n % len(seed.CATEGORIES)],
                                      "priority": n % 7, "match": match}})
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    run_id = uuid.uuid4().hex[:6]

    def rounds(i: int) -> tuple[list[dict], list[dict]]:
        rows = [{**r, "userId": user, "externalId": f"{run_id}-{r['externalId']}"} for r in _write_rows(data, 1000 + i, now)]
        unlabelled = [
            {k: v for k, v in r.items() if k != "category"} | {"description": f"card purchase shop {j % 500:03d}"}
            for j, r in enumerate(rows)
        ]
        return unlabelled, rows

    graphql_s, raw_s = _timed_writes(base, url, plan, rounds)
    return _write_figure(
        "4b", f"Write path with {RULES_FOR_BENCH} category rules: {data.writer_rows:,} rows without a category",
        data, graphql_s, raw_s, plan, "every row is matched against the writer's 500 rules (highest priority first)",
    )


def scale_out(url: str, ids: list[str], plan: Plan) -> Figure:
    requests = progress_requests(ids)
    runs: dict[int, list[load.LoadResult]] = defaultdict(list)
    cpu: dict[int, dict[str, float]] = {}
    for _ in range(plan.rounds):
        for workers in (1, 2):
            with server_process(url, extra_args=["--workers", str(workers)]) as server:
                base, proc = server.base, server.proc
                with CpuMeter(proc.pid) as meter:
                    runs[workers].append(measure(base, requests, plan))
                cpu[workers] = meter.cores
    value, baseline = median_rps(runs[2]), median_rps(runs[1])
    r = ratio(value, baseline)
    return Figure(
        "6", "Scale-out: progress query req/s with --workers 2 vs 1 (PostgreSQL)", value, baseline, r, ">= 1.6",
        r is not None and r >= 1.6, "req/s",
        note=f"cores used with 1 worker: {cpu[1]}; with 2: {cpu[2]}",
        details={"connections": plan.connections, "cores": os.cpu_count(),
                 "cpu_cores_used": {str(w): c for w, c in cpu.items()}},
    )


FANOUT_NAME = "Alert fan-out: subscribers over 2 server processes, commit-to-delivery p99"
FANOUT_TARGET = "0 lost, p99 <= 100"
# Each amount is recorded in every category of a budget of 100 per category:
# 85% → WARNING, 105% → LIMIT_REACHED, 115% → OVERSPENDING (and the total's own alerts).
FANOUT_STEPS = ("85", "20", "10")


def alert_fanout(url: str, plan: Plan) -> Figure:
    """``plan.subscribers`` subscriptions of one user, round robin over two server
    processes; the writer records through the first one only, so half the subscribers
    are reached through PostgreSQL LISTEN/NOTIFY. The writer crosses the thresholds of
    a new budget in each of ``plan.rounds + 1`` rounds; the figure is the median of the
    rounds' p99 (one round's p99 rests on its few slowest alerts)."""
    # One user holds every subscription: lift the per-user cap (100 by default) for this run.
    env = {"BUDGETQL_MAX_SUBSCRIPTIONS_PER_USER": str(plan.subscribers)}
    categories = [f"Alert {i}" for i in range(5)]
    rounds = plan.rounds + 1
    with ExitStack() as stack:
        servers = [stack.enter_context(server_process(url, env=env)).base for _ in range(2)]
        user = f"alerts_{uuid.uuid4().hex[:8]}"
        budgets = []
        for r in range(rounds):
            created = gql(servers[0], "mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } errors { message } } }", {"i": {
                "userId": user, "name": f"Alerts {r}", "type": "PERSONAL", "period": "MONTHLY",
                "categories": [{"name": f"{c} of {r}", "amount": "100"} for c in categories]}})[0]["createBudget"]
            assert created["errors"] == [], created
            budgets.append(created["budget"]["id"])
        driver = subprocess.Popen(
            [sys.executable, "-m", "bench.fanout", *(a for s in servers for a in ("--url", s.replace("http", "ws") + "/graphql")),
             "--subscribers", str(plan.subscribers), "--user", user],
            cwd=ROOT.parent, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        stack.callback(driver.kill)
        if driver.stdout.readline().strip() != "READY":
            raise RuntimeError("fan-out driver did not get ready")
        writes = 0
        for r in range(rounds):
            for amount in FANOUT_STEPS:
                for c in categories:
                    result = gql(servers[0], RECORD, {"input": {"userId": user, "category": f"{c} of {r}", "amount": amount}})[0]
                    assert result["recordTransaction"]["errors"] == [], result
                    writes += 1
                    time.sleep(0.05)
            time.sleep(0.5)  # let the round's last deliveries land before the next begins
        driver.stdin.write("DONE\n")
        driver.stdin.flush()
        out, _ = driver.communicate(timeout=180)
        stored = gql(servers[1], "query($u: String!) { alerts(userId: $u, first: 500) { totalCount } }", {"u": user})[0]
    line = next(l for l in out.splitlines() if l.startswith(load.MARK))
    result = json.loads(line[len(load.MARK):])
    per_round = [round(result["p99_ms_by_budget"].get(b, float("nan")), 1) for b in budgets]
    result |= {"writes": writes, "alerts_stored": stored["alerts"]["totalCount"], "servers": len(servers),
               "rounds": rounds, "p99_ms_per_round": per_round}
    p99 = statistics.median(per_round)
    # Every stored alert reached every subscriber: the alerts seen are all that were raised.
    complete = result["alerts"] == result["alerts_stored"] >= rounds * len(categories) * len(FANOUT_STEPS)
    met = result["lost"] == 0 and result["errors"] == 0 and complete and p99 <= 100
    return Figure("5", FANOUT_NAME, round(p99, 1), None, None, FANOUT_TARGET, met, "ms",
                  note=f"{plan.subscribers:,} subscribers, {result['alerts']} of {result['alerts_stored']} stored alerts "
                       f"seen; {result['delivered']:,} of {result['expected']:,} deliveries, {result['lost']} lost; "
                       f"p99 per round {per_round} ms, p50 {result['p50_ms']:.1f} ms",
                  details=result)


# -- report ---------------------------------------------------------------------------
def shortfall(f: Figure) -> str:
    """How far a missed figure is from its target, when the target is one bound on the
    ratio (or, without a baseline, on the value): "12% short" of ">= 0.85", "8% over"
    "<= 2.5"."""
    bound = re.match(r"\s*(>=|<=)\s*([0-9.]+)", f.target.replace("0 lost, p99", "").split(",")[0])
    measured = f.ratio if f.baseline is not None else f.value
    if bound is None or measured is None:
        return ""
    limit = float(bound.group(2))
    gap = (limit - measured) / limit if bound.group(1) == ">=" else (measured - limit) / limit
    return f"{gap:.0%} {'short' if bound.group(1) == '>=' else 'over'}" if gap > 0 else ""


def table(figures: list[Figure], busy: bool = False) -> str:
    def fmt(v):
        return "-" if v is None else f"{v:,.3f}".rstrip("0").rstrip(".") if isinstance(v, float) else f"{v:,}"

    rows = [("#", "figure", "value", "baseline", "ratio", "target", "met")]
    for f in figures:
        not_measured = (f.details or {}).get("not_measured")
        met = "not measured" if not_measured else BUSY if busy else "n/a" if f.met is None else "yes" if f.met else (
            f"NO ({shortfall(f)})" if shortfall(f) else "NO")
        rows.append((f.figure, f.name, f"{fmt(f.value)} {f.unit}" if f.value is not None else "-",
                     f"{fmt(f.baseline)} {f.unit}" if f.baseline is not None else "-", fmt(f.ratio), f.target, met))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def chart(figures: list[Figure], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by = {f.figure: f for f in figures}
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3), dpi=80)
    hist = by["2"].details
    xs = sorted(int(n) for n in hist["p50_ms"])
    left.plot(xs, [hist["p50_ms"][str(x)] for x in xs], "o-", label="p50")
    left.plot(xs, [hist["p90_ms"][str(x)] for x in xs], "s--", label="p90")
    left.set_xscale("log")
    left.set_xlabel("transactions in the user's history")
    left.set_ylabel("progress query latency (ms)")
    left.set_ylim(bottom=0)
    left.legend()
    page = by["3b"].details["p50_ms"]
    xs = sorted(int(n) for n in page)
    right.plot(xs, [page[str(x)] for x in xs], "o-", color="tab:green", label="p50")
    right.set_xlabel("budgets in the page (20 categories each)")
    right.set_ylabel("page-with-progress latency (ms)")
    right.set_ylim(bottom=0)
    right.legend()
    fig.suptitle("budgetql: latency against data volume (1 client, loopback)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def run(smoke: bool, reseed: bool, only: set[str] | None = None) -> list[Figure]:
    data, plan = (seed.SMOKE, SMOKE_PLAN) if smoke else (seed.FULL, FULL_PLAN)
    plan.output.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    started, load_before = time.perf_counter(), os.getloadavg()
    url = asyncio.run(prepare_database(data, now, reuse=not smoke and not reseed))
    try:
        users = [*data.population, *data.history_users.values()]
        ids = asyncio.run(budget_ids(url, users))
        population_ids = [b for u in data.population for b in ids[u]]
        figures: list[Figure] = []

        def want(key: str) -> bool:
            return only is None or key in only

        from .peers import figures as peers  # it uses this module's helpers

        logs = (plan.output if smoke else ROOT / "results") / "peer-logs"
        logs.mkdir(parents=True, exist_ok=True)

        same_server = [  # figures measured on one server with one worker, in this order
            ("1", "GraphQL vs bare route", lambda base: graphql_overhead(base, population_ids, plan)),
            ("2", "history independence", lambda base: history_independence(base, data, ids, plan)),
            ("2b", "insights independence", lambda base: insights_independence(base, data, ids, plan)),
            ("3", "page latency", lambda base: page_latency(base, data, plan)),
            ("4", "write path", lambda base: write_path(base, url, data, plan)),
            ("4b", "write path through 500 category rules", lambda base: rule_write_path(base, url, data, plan)),
            ("P2", "peer Actual: a month's figures", lambda base: peers.actual_month(url, data, ids, base, plan, logs)),
        ]
        with server_process(url) as server:
            base = server.base
            for key, what, figure in same_server:
                if want(key):
                    log(f"figure {key}: {what}")
                    figures.append(figure(base))
        if want("3"):
            with server_process(url, env={"BUDGETQL_STATEMENT_COUNTER": "1"}) as server:
                base = server.base
                log("figure 3: statement counts")
                figures.append(statement_counts(base, data))
        if want("5"):
            log("figure 5: alert fan-out")
            figures.append(alert_fanout(url, plan))
        if want("6"):
            log("figure 6: scale-out")
            figures.append(scale_out(url, population_ids, plan))
        if want("P1"):
            log("figure P1: peer fin-infra, REST create + get + list")
            figures.append(peers.fin_infra_crud(plan, logs))
        peer_info = {"fin-infra": peers.fin_infra_info(), "actual": peers.actual_info()} if want("P1") or want("P2") else None
    finally:
        if smoke:
            asyncio.run(drop_database(url))
    figures.sort(key=lambda f: f.figure)
    # On a busy machine the ratios are still worth keeping, a verdict is not.
    busy = load_before[0] > IDLE_LOAD
    if busy:
        for f in figures:
            f.met = None
            f.note = f"{BUSY} (1-minute load average {load_before[0]:.2f} at start > {IDLE_LOAD})" + (f"; {f.note}" if f.note else "")
    report = {
        "data_set": asdict(data) | {"key": data.key}, "plan": {k: str(v) for k, v in asdict(plan).items()},
        "load_tool": load.tool(), "cores": os.cpu_count(), "load_average_at_start": load_before,
        "load_average_at_end": os.getloadavg(), "generated_at": now.isoformat(timespec="seconds") + "Z",
        "wall_time_s": round(time.perf_counter() - started, 1),
        "idle_load_limit": IDLE_LOAD, "machine_busy": busy,
        "figures": [asdict(f) for f in figures],
    }
    if peer_info is not None:
        report["peers"] = peer_info
    (plan.output / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    if {"2", "3b"} <= {f.figure for f in figures}:
        chart(figures, plan.output / "latency.png")
    if busy:
        print(f"{BUSY}: the 1-minute load average was {load_before[0]:.2f} at start (> {IDLE_LOAD}); no figure is judged")
    print(table(figures, busy))
    log(f"wrote {plan.output / 'results.json'} in {report['wall_time_s']} s")
    return figures


def profile_server(mix: str, seconds: float = 15) -> None:
    """py-spy on the one-worker server while wrk drives the progress query (``graphql``)
    or the bare route (``rest``): the evidence for where the time goes."""
    data, plan = seed.FULL, FULL_PLAN
    url = asyncio.run(prepare_database(data, datetime.now(timezone.utc).replace(tzinfo=None), reuse=True))
    ids = asyncio.run(budget_ids(url, data.population))
    population_ids = [b for u in data.population for b in ids[u]]
    mixes = {
        "graphql": progress_requests(population_ids),
        "rest": [Request("GET", f"/budgets/{i}/progress") for i in population_ids],
        "page": [gql_request(PAGE_QUERY, {"u": data.page_users[max(data.page_sizes)]})],
    }
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    with server_process(url) as server:
        base, proc = server.base, server.proc
        load.run(base, mixes[mix], seconds=plan.warmup_s, connections=plan.connections)
        print(profile.record(proc.pid, base, mixes[mix], seconds, plan.connections, out / f"profile-{mix}"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="small data, short runs, into bench/results/smoke/")
    parser.add_argument("--reseed", action="store_true", help="rebuild the cached database")
    parser.add_argument("--only", help="comma-separated figures to run (1,2,2b,3,4,4b,5,6,P1,P2)")
    parser.add_argument("--profile", choices=["graphql", "rest", "page"], help="py-spy the server under one load instead")
    args = parser.parse_args(argv)
    if args.profile:
        profile_server(args.profile)
        return 0
    run(args.smoke, args.reseed, set(args.only.split(",")) if args.only else None)
    return 0

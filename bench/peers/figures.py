"""Figures P1 and P2: budgetql against real peers, measured side by side in the same run.

* **P1**, fin-infra 0.13.0 (the spec's reference implementation): its
  ``fin_infra.budgets.add_budgets`` FastAPI app under uvicorn, against budgetql's REST
  routes, on the same mix of ``POST /budgets``, ``GET /budgets/{id}`` and
  ``GET /budgets?user_id=``, driven by the same load tool, in turns.
* **P2**, Actual (``@actual-app/api``): ``getBudgetMonth`` on a local budget file
  holding a ``hist_<n>`` user's transactions (imported through Actual's API), against
  budgetql's progress query for that user's monthly budget, for each history size.

A peer that is not installed (``make bench-peers``) or does not run gives a figure
with no numbers, ``met`` null and the reason in ``details["not_measured"]``.
Imported from ``bench.run`` when the figures run (it uses that module's helpers).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import queue
import random
import shutil
import statistics
import subprocess
import threading
import time
import uuid
from contextlib import ExitStack
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx

from domain.access import TRUSTED
from domain.budgets.service import BudgetService
from persistence.database import create_engine
from persistence.migrate import migrate
from persistence.unit_of_work import SqlUnitOfWorkFactory
from tests.support.server import answered, free_port, server_process, stop

from .. import alternate, seed
from ..cpu import CpuMeter
from ..load import MARK, Request
from ..run import ROOT, Figure, _admin, _pg_url, drop_database, gql, log, measure, median_p50, median_rps, progress_requests, ratio

PEERS = Path(__file__).resolve().parent
FIN_VENV = PEERS / ".venv-fin-infra"
FIN_PYTHON = FIN_VENV / "bin" / "python"
FIN_APP_DIR = PEERS / "fin-infra"
ACTUAL_DIR = PEERS / "actual"
MONTH_JS = ACTUAL_DIR / "month.js"
ACTUAL_CACHE = ROOT / "results" / "actual-budgets"

P1_NAME = "Peer fin-infra: REST create + get + list req/s, budgetql vs fin-infra add_budgets"
P2_NAME = "Peer Actual: a month's per-category figures p50, budgetql progress vs Actual getBudgetMonth"
P2_MAX = 100_000  # the history sizes P2 compares (Actual imports every row through its API)
P1_READERS, P1_BUDGETS_EACH, P1_WRITERS, P1_ROUNDS = 20, 3, 8, 60


class NotMeasured(Exception):
    """A peer could not be installed or run here; the message says why."""


def not_measured(figure: str, name: str, target: str, unit: str, reason: str) -> Figure:
    log(f"figure {figure}: not measured: {reason}")
    return Figure(figure, name, None, None, None, target, None, unit, note=f"not measured: {reason}",
                  details={"not_measured": reason})


def _quiet(cmd: list[str], **kw) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True, **kw).stdout.strip()


# -- what is installed ------------------------------------------------------------------
def fin_infra_info() -> dict:
    info = {
        "package": "fin-infra (PyPI)", "module": "fin_infra.budgets (add_budgets, which calls easy_budgets)",
        "install": "make bench-peers: python3 -m venv bench/peers/.venv-fin-infra, then pip install -r "
                   "bench/peers/fin-infra/requirements.txt (fin-infra==0.13.0 and its dependencies, pinned; "
                   "asyncpg, uvloop and httptools at budgetql's versions)",
        "run": "bench/peers/.venv-fin-infra/bin/python -m uvicorn app:app --app-dir bench/peers/fin-infra "
               "--host 127.0.0.1 --port PORT --log-level warning --no-access-log (1 worker, uvloop, httptools), "
               "FIN_INFRA_BENCH_DB_URL = its own PostgreSQL database",
        "glue": "bench/peers/fin-infra/app.py: FastAPI() + add_budgets(app, db_url=...); svc-infra's login "
                "check replaced by a fixed principal through FastAPI's dependency_overrides (budgetql runs "
                "the benchmark with authentication off too)",
        "persistence": "none: BudgetTracker 0.13.0 keeps budgets in a Python dict (self._budgets, 'in-memory "
                       "storage until SQL persistence is implemented'); the engine easy_budgets creates is "
                       "never connected, so its database stays empty",
        "progress": "GET /budgets/{id}/progress is a stub: every category spent 0.0, remaining = budgeted "
                    "(no transactions exist in fin-infra's budgets module), so only CRUD is compared",
    }
    if not FIN_PYTHON.exists():
        return info | {"installed": False, "reason": "fin-infra is not installed (run `make bench-peers`)"}
    try:
        out = _quiet([str(FIN_PYTHON), "-c", "import sys, importlib.metadata as m; "
                      "print(m.version('fin-infra'), m.version('svc-infra'), m.version('fastapi'), "
                      "m.version('uvicorn'), sys.version.split()[0])"])
    except (subprocess.SubprocessError, OSError) as exc:
        return info | {"installed": False, "reason": f"fin-infra's venv does not answer: {exc}"}
    version, svc, fastapi, uvicorn, python = out.split()
    return info | {"installed": True, "version": version, "svc_infra": svc, "fastapi": fastapi,
                   "uvicorn": uvicorn, "python": python}


def actual_info() -> dict:
    info = {
        "package": "@actual-app/api (npm)",
        "install": "make bench-peers: npm ci in bench/peers/actual (package.json and package-lock.json pin "
                   "@actual-app/api and every dependency exactly)",
        "run": "node bench/peers/actual/month.js DATA_DIR INPUT.json: a local budget file (no sync server); "
               "created once per data set through the API (runImport around one batchBudgetUpdates; "
               "createCategoryGroup, createCategory; addTransactions, 2,500 rows a call, each call into a new "
               "on-budget account (createAccount), every transaction an outflow; setBudgetAmount for each month "
               "of the budget), cached in bench/results/actual-budgets/, then loaded with loadBudget; "
               "getBudgetMonth(current month) timed back to back in-process (no HTTP), process.hrtime per call",
        "budget": "envelope budgeting: a positive balance carries over to the next month, as budgetql's "
                  "rollover (UNUSED) budget does",
    }
    node = shutil.which("node")
    package = ACTUAL_DIR / "node_modules" / "@actual-app" / "api" / "package.json"
    if not node:
        return info | {"installed": False, "reason": "node is not installed"}
    if not package.exists():
        return info | {"installed": False, "reason": "@actual-app/api is not installed (run `make bench-peers`)"}
    try:
        node_version = _quiet([node, "--version"])
    except (subprocess.SubprocessError, OSError) as exc:
        return info | {"installed": False, "reason": f"node does not run: {exc}"}
    return info | {"installed": True, "version": json.loads(package.read_text())["version"], "node": node_version}


# -- P1: fin-infra ------------------------------------------------------------------------
class FinInfraServer:
    """fin-infra's app under uvicorn, from its own venv. Started on entry (it takes a
    few seconds to import); ``ready()`` waits until it answers."""

    def __init__(self, database_url: str, log_path: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.log_path = log_path

    def __enter__(self) -> "FinInfraServer":
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
        env["FIN_INFRA_BENCH_DB_URL"] = self.database_url
        self.sink = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [str(FIN_PYTHON), "-m", "uvicorn", "app:app", "--app-dir", str(FIN_APP_DIR), "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--no-access-log"],
            cwd=FIN_APP_DIR, env=env, stdout=self.sink, stderr=subprocess.STDOUT,
        )
        return self

    def ready(self, timeout: float = 120) -> None:
        def answers() -> bool:
            return httpx.get(self.base + "/budgets", params={"user_id": "ready"}, timeout=2).status_code == 200

        if answered(self.proc, answers, timeout, interval=0.2):
            return
        if self.proc.poll() is not None:
            raise NotMeasured(f"fin-infra's server exited: {self.log_path.read_text()[-800:]}")
        raise NotMeasured(f"fin-infra's server did not answer within {timeout:.0f} s")

    def __exit__(self, *exc) -> None:
        stop(self.proc)
        self.sink.close()


def _create_body(user: str, name: str, rng: random.Random) -> str:
    """The spec's create request, the same bytes for both servers."""
    categories = {c: rng.randrange(50, 1500) for c in rng.sample(seed.CATEGORIES, 5)}
    return json.dumps({"user_id": user, "name": name, "type": "personal", "period": "monthly",
                       "categories": categories, "rollover_enabled": False}, separators=(",", ":"))


def _create(base: str, body: str) -> dict:
    response = httpx.post(base + "/budgets", content=body, headers={"content-type": "application/json"}, timeout=30)
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{base}: POST /budgets answered {response.status_code}: {response.text[:300]}")
    return response.json()


def _kind(r: Request) -> str:
    return "create" if r.method == "POST" else "list" if "?" in r.path else "get"


def _same_budget(a: dict, b: dict) -> bool:
    amounts = lambda d: {k: Decimal(str(v)) for k, v in d["categories"].items()}  # noqa: E731
    return (a["user_id"], a["name"], a["type"], a["period"]) == (b["user_id"], b["name"], b["type"], b["period"]) \
        and amounts(a) == amounts(b)


async def _create_databases(names: list[str]) -> None:
    admin = await _admin()
    try:
        for name in names:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


def fin_infra_crud(plan, output: Path) -> Figure:
    """P1. Each server gets its own fresh database (budgetql's migrated, fin-infra's
    empty: it never connects) and the same reader budgets, created through its own
    POST /budgets; then the same request file (creates for writer users, gets of the
    reader budgets, lists of the readers: one of each in turn) is replayed against
    each, in turns, ``plan.rounds`` times."""
    target, unit = ">= 1.0", "req/s"
    started = time.perf_counter()
    info = fin_infra_info()
    if not info["installed"]:
        return not_measured("P1", P1_NAME, target, unit, info["reason"])
    tag = uuid.uuid4().hex[:8]
    names = [f"budgetql_bench_p1_{tag}", f"budgetql_bench_p1_fininfra_{tag}"]
    asyncio.run(_create_databases(names))
    try:
        bq_url, fi_url = (_pg_url(n) for n in names)
        asyncio.run(_migrate(bq_url))
        with ExitStack() as stack:
            peer = stack.enter_context(FinInfraServer(fi_url, output / "fin-infra-server.log"))
            ours = stack.enter_context(server_process(bq_url))
            peer.ready()
            bases = {"budgetql": ours.base, "fin-infra": peer.base}
            pids = {"budgetql": ours.proc.pid, "fin-infra": peer.proc.pid}
            rng = random.Random(16)
            readers = [f"p1_reader_{i:02d}" for i in range(P1_READERS)]
            seeds = [_create_body(u, f"Reader budget {j}", rng) for u in readers for j in range(P1_BUDGETS_EACH)]
            ids = {side: [_create(base, body)["id"] for body in seeds] for side, base in bases.items()}
            # Both answer the same thing for the same requests.
            got = {side: httpx.get(f"{bases[side]}/budgets/{ids[side][0]}", timeout=30).json() for side in bases}
            listed = {side: httpx.get(f"{bases[side]}/budgets", params={"user_id": readers[0]}, timeout=30).json()
                      for side in bases}
            if not _same_budget(got["budgetql"], got["fin-infra"]) or \
                    not len(listed["budgetql"]) == len(listed["fin-infra"]) == P1_BUDGETS_EACH:
                raise RuntimeError(f"budgetql and fin-infra disagree: {got}, {listed}")
            creates = [_create_body(f"p1_writer_{i % P1_WRITERS}", f"Load budget {i}", rng) for i in range(P1_ROUNDS)]
            requests = {
                side: [r for i in range(P1_ROUNDS) for r in (
                    Request("POST", "/budgets", creates[i]),
                    Request("GET", f"/budgets/{ids[side][i % len(ids[side])]}"),
                    Request("GET", f"/budgets?user_id={readers[i % P1_READERS]}"),
                )]
                for side in bases
            }
            runs: dict[str, list] = {side: [] for side in bases}
            cpu: dict[str, dict] = {}
            for _ in range(plan.rounds):
                for side, base in bases.items():
                    with CpuMeter(pids[side]) as meter:
                        runs[side].append(measure(base, requests[side], plan))
                    cpu[side] = meter.cores
            # Where the time goes: each kind of request alone, one client taking the three in turn.
            per_kind = {}
            for side, base in bases.items():
                sets = {kind: [r for r in requests[side] if _kind(r) == kind] for kind in ("create", "get", "list")}
                result = alternate.run(base, sets, plan.latency_s / 2 * len(sets))
                per_kind[side] = {kind: v["p50_ms"] for kind, v in result.items()}
            progress = httpx.get(f"{peer.base}/budgets/{ids['fin-infra'][0]}/progress", timeout=30).json()
    except NotMeasured as exc:
        return not_measured("P1", P1_NAME, target, unit, str(exc))
    finally:
        for name in names:
            asyncio.run(drop_database(_pg_url(name)))
    value, baseline = median_rps(runs["budgetql"]), median_rps(runs["fin-infra"])
    r = ratio(value, baseline)
    return Figure(
        "P1", P1_NAME, value, baseline, r, target, r is not None and r >= 1.0, unit,
        note="fin-infra 0.13.0 keeps budgets in a Python dict (no database I/O); budgetql commits each create "
             "to PostgreSQL and reads each get and list from it. "
             f"Cores used: budgetql {cpu['budgetql']}; fin-infra {cpu['fin-infra']}",
        details={
            "mix": "one POST /budgets (5 categories, for 8 writer users), one GET /budgets/{id} (60 reader "
                   "budgets), one GET /budgets?user_id= (20 readers of 3 budgets each), in turn",
            "connections": plan.connections, "tool": runs["budgetql"][0].tool, "rounds": plan.rounds,
            "budgetql_p50_ms": median_p50(runs["budgetql"]), "fin_infra_p50_ms": median_p50(runs["fin-infra"]),
            "rps_per_round": {side: [round(x.rps, 1) for x in rs] for side, rs in runs.items()},
            "cpu_cores_used": cpu,
            "p50_ms_by_request_alone": per_kind,
            "fin_infra_progress_total_spent": progress.get("total_spent"),
            "fin_infra_version": info["version"], "seconds": round(time.perf_counter() - started, 1),
        },
    )


# -- P2: Actual ---------------------------------------------------------------------------
async def _export(url: str, users: dict[int, str], budget_ids: dict[int, str], now: datetime) -> dict[int, dict]:
    """For each history size: the user's monthly budget and every transaction, as
    month.js's input (amounts in cents, dates in UTC as budgetql's periods are)."""
    engine = create_engine(url)
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        service = BudgetService(SqlUnitOfWorkFactory(engine))
        inputs = {}
        for n, user in users.items():
            budget = await service.get_budget(TRUSTED, budget_ids[n])
            rows = await conn.fetch(
                "SELECT category, amount, occurred_at FROM transactions WHERE user_id = $1 ORDER BY occurred_at, id",
                user,
            )
            transactions = []
            for category, amount, at in rows:
                cents = amount * 100
                assert cents == cents.to_integral_value(), amount
                transactions.append([at.date().isoformat(), int(cents), category])
            months, (y, m) = [], (budget.start_date.year, budget.start_date.month)
            while (y, m) <= (now.year, now.month):
                months.append(f"{y:04d}-{m:02d}")
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
            budgeted = {name: int(amount * 100) for name, amount in budget.categories.items()}
            inputs[n] = {
                "month": f"{now:%Y-%m}", "months": months,
                "categories": sorted(set(budgeted) | {t[2] for t in transactions}),
                "budgeted": budgeted, "transactions": transactions,
            }
        return inputs
    finally:
        await conn.close()
        await engine.dispose()


class ActualMonth:
    """One ``month.js`` process holding one budget file loaded."""

    def __init__(self, data_dir: Path, input_path: Path, log_path: Path):
        self.sink = open(log_path, "w")
        self.proc = subprocess.Popen(
            ["node", str(MONTH_JS), str(data_dir), str(input_path)], cwd=ACTUAL_DIR,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.sink, text=True,
        )
        self.answers: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:  # Actual logs to stdout too: keep the marked lines only
            if line.startswith(MARK):
                self.answers.put(json.loads(line[len(MARK):]))
        self.answers.put({"error": f"month.js exited with status {self.proc.wait()}"})

    def answer(self, timeout: float) -> dict:
        try:
            result = self.answers.get(timeout=timeout)
        except queue.Empty:
            raise NotMeasured(f"Actual did not answer within {timeout:.0f} s") from None
        if "error" in result:
            raise NotMeasured(f"Actual failed: {result['error'][:600]}")
        return result

    def ask(self, command: str, timeout: float) -> dict:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.answer(timeout)

    def close(self) -> int:
        """Ends the process; its exit status (0: the budget file was closed cleanly)."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.sink.close()
        return self.proc.returncode


def _budget_dir(key: str, n: int, content: bytes) -> Path:
    """Where the budget file of this input lives: kept while the input is the same
    (the seeded database and the month) once its import has finished and month.js has
    closed it; other inputs of the same size are removed."""
    digest = hashlib.sha256(content).hexdigest()[:16]
    root = ACTUAL_CACHE / key
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob(f"{n}-*"):
        if old.name != f"{n}-{digest}":
            shutil.rmtree(old, ignore_errors=True)
    path = root / f"{n}-{digest}"
    if not (path / "complete").exists():  # an import cut short leaves a budget that must not be loaded
        shutil.rmtree(path, ignore_errors=True)
    path.mkdir(exist_ok=True)
    (path / "input.json").write_bytes(content)
    return path


def actual_month(url: str, data: seed.DataSet, ids: dict[str, list[str]], base: str, plan, output: Path) -> Figure:
    """P2. Actual's budget files are made (or loaded) first, one node process per
    size; then, ``plan.rounds`` times, budgetql's progress query for every size in
    turn by one client (bench/alternate.py), then getBudgetMonth for every size."""
    target, unit = "faster at every size; growth <= 1.3", "ms"
    started = time.perf_counter()
    info = actual_info()
    if not info["installed"]:
        return not_measured("P2", P2_NAME, target, unit, info["reason"])
    sizes = [n for n in data.history_sizes if n <= P2_MAX]
    users = {n: data.history_users[n] for n in sizes}
    budgets = {n: ids[users[n]][-1] for n in sizes}  # the monthly rollover budget, as figure 2
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    inputs = asyncio.run(_export(url, users, budgets, now))
    peers: dict[int, ActualMonth] = {}
    wheres: dict[int, Path] = {}
    ready = {}
    try:
        for n in sizes:  # one at a time: an import is CPU-bound
            content = json.dumps(inputs[n], separators=(",", ":")).encode()
            wheres[n] = _budget_dir(data.key, n, content)
            peers[n] = ActualMonth(wheres[n] / "budget", wheres[n] / "input.json", output / f"actual-{n}.log")
            ready[n] = peers[n].answer(timeout=60 + n / 500)  # 100,000 rows: about 20 s here, more when loaded
            log(f"  Actual, {n:,} transactions: {'imported' if ready[n]['imported'] else 'loaded'} "
                f"in {ready[n]['load_s']:.1f} s")
        # Both give the same month: spent per category of budgetql's budget.
        agree, mismatches = True, []
        for n in sizes:
            ours = gql(base, "query($id: ID!) { budget(id: $id) { progress { categories { categoryName spentAmount } } } }",
                       {"id": budgets[n]})[0]["budget"]["progress"]["categories"]
            theirs = peers[n].ask("figures", timeout=60)
            for c in ours:
                spent = Decimal(theirs.get(c["categoryName"], {}).get("spent", 0)) / 100
                if spent != Decimal(c["spentAmount"]):
                    agree = False
                    mismatches.append({"size": n, "category": c["categoryName"], "budgetql": c["spentAmount"],
                                       "actual": str(spent)})
        sets = {str(n): progress_requests([budgets[n]]) for n in sizes}
        per_set = plan.latency_s / plan.rounds
        if plan.warmup_s:
            alternate.run(base, sets, plan.warmup_s)
            for n in sizes:
                peers[n].ask(f"run {plan.warmup_s}", timeout=plan.warmup_s + 60)
        ours_runs: dict[int, list[dict]] = {n: [] for n in sizes}
        theirs_runs: dict[int, list[dict]] = {n: [] for n in sizes}
        for _ in range(plan.rounds):
            result = alternate.run(base, sets, per_set * len(sets))
            for n in sizes:
                ours_runs[n].append(result[str(n)])
            for n in sizes:
                theirs_runs[n].append(peers[n].ask(f"run {per_set}", timeout=per_set + 60))
    except NotMeasured as exc:
        return not_measured("P2", P2_NAME, target, unit, str(exc))
    finally:
        for n, p in peers.items():
            if p.close() == 0 and n in ready:  # imported (or loaded) and closed cleanly: keep it
                (wheres[n] / "complete").touch()

    def p50(runs: list[dict]) -> float:
        return round(statistics.median(r["p50_ms"] for r in runs), 3)

    ours_p50 = {n: p50(ours_runs[n]) for n in sizes}
    theirs_p50 = {n: p50(theirs_runs[n]) for n in sizes}
    small, large = min(sizes), max(sizes)
    growth = {"budgetql": ratio(ours_p50[large], ours_p50[small]), "actual": ratio(theirs_p50[large], theirs_p50[small])}
    faster = all(ours_p50[n] < theirs_p50[n] for n in sizes)
    met = faster and growth["budgetql"] is not None and growth["budgetql"] <= 1.3
    return Figure(
        "P2", P2_NAME + f" ({large:,} transactions)", ours_p50[large], theirs_p50[large],
        ratio(ours_p50[large], theirs_p50[large]), target, met, unit,
        note=f"p50 ms by size, budgetql {ours_p50}, Actual {theirs_p50}; growth {small:,} -> {large:,}: "
             f"budgetql {growth['budgetql']}, Actual {growth['actual']}. budgetql over HTTP (the GraphQL progress "
             "query, the real server); Actual in-process (a library call, no HTTP)"
             + ("" if agree else "; THE FIGURES DISAGREE, see details"),
        details={
            "budgetql_p50_ms": {str(n): v for n, v in ours_p50.items()},
            "actual_p50_ms": {str(n): v for n, v in theirs_p50.items()},
            "budgetql_p90_ms": {str(n): round(statistics.median(r["p90_ms"] for r in ours_runs[n]), 3) for n in sizes},
            "actual_p90_ms": {str(n): round(statistics.median(r["p90_ms"] for r in theirs_runs[n]), 3) for n in sizes},
            "growth": growth, "budgetql_faster_at_every_size": faster,
            "requests": {"budgetql": {str(n): sum(r["n"] for r in ours_runs[n]) for n in sizes},
                         "actual": {str(n): sum(r["n"] for r in theirs_runs[n]) for n in sizes}},
            "actual_budget_file": {str(n): {"imported_now": r["imported"], "seconds": round(r["load_s"], 1),
                                            "transactions": r["transactions"]} for n, r in ready.items()},
            "spent_per_category_agrees": agree, "mismatches": mismatches[:10],
            "month": f"{now:%Y-%m}", "rounds": plan.rounds, "actual_version": info["version"],
            "seconds": round(time.perf_counter() - started, 1),
        },
    )

"""fin-infra's budget API as its README mounts it, for the benchmark's P1 figure.

Runs in the peer's own venv (bench/peers/.venv-fin-infra), never in budgetql's:
``uvicorn app:app --app-dir bench/peers/fin-infra``, with ``FIN_INFRA_BENCH_DB_URL``
naming the peer's own PostgreSQL database (``postgresql+asyncpg://…``).

``add_budgets`` mounts its routes on svc-infra's ``user_router``, which resolves a
logged-in user (JWT or session cookie, looked up in svc-infra's user tables) before
every request. budgetql runs the benchmark with authentication off, so the same is
done here: FastAPI's documented ``dependency_overrides`` replaces svc-infra's
principal resolver with a fixed principal. Nothing else of fin-infra is touched.
"""

import os

from fastapi import FastAPI
from fin_infra.budgets import add_budgets
from svc_infra.api.fastapi.auth.security import Principal, _current_principal


class BenchUser:
    id = "bench"
    is_active = True


app = FastAPI(title="fin-infra budgets (budgetql benchmark peer)")
tracker = add_budgets(app, db_url=os.environ["FIN_INFRA_BENCH_DB_URL"])
app.dependency_overrides[_current_principal] = lambda: Principal(user=BenchUser(), via="bench")

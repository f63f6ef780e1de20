"""The real server, started by its CLI: migrations at start, data kept across restarts."""

from __future__ import annotations

import subprocess
import sys

import httpx

from tests.support.server import ROOT, running_server
from tests.support.queries import CREATE, GET, budget_input


def _post(base: str, query: str, variables: dict) -> dict:
    response = httpx.post(base + "/graphql", json={"query": query, "variables": variables}, timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


def test_budget_survives_a_restart(db_url, user_id, tmp_path):
    with running_server(db_url) as base:
        created = _post(base, CREATE, {"input": budget_input(user_id)})["createBudget"]["budget"]
        page = httpx.get(base + "/graphql", headers={"accept": "text/html"}, timeout=10)
        assert page.status_code == 200 and "graphiql" in page.text.lower()
    with running_server(db_url) as base:
        assert _post(base, GET, {"id": created["id"]})["budget"] == created


def test_migrate_command_on_a_fresh_sqlite_file(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "graph.cli", "migrate", "--database-url", url],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    import sqlite3

    tables = {r[0] for r in sqlite3.connect(tmp_path / "fresh.db").execute("select name from sqlite_master where type='table'")}
    assert {"budgets", "budget_categories", "transactions", "alembic_version"} <= tables


def test_database_url_falls_back_to_env(monkeypatch, tmp_path):
    from persistence.database import DEFAULT_DATABASE_URL, resolve_database_url

    monkeypatch.delenv("BUDGETQL_DATABASE_URL", raising=False)
    monkeypatch.delenv("SQL_URL", raising=False)
    assert resolve_database_url(None) == DEFAULT_DATABASE_URL
    monkeypatch.setenv("SQL_URL", "postgresql://u@h/db")
    assert resolve_database_url(None) == "postgresql+asyncpg://u@h/db"
    monkeypatch.setenv("BUDGETQL_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    assert resolve_database_url(None).startswith("sqlite+aiosqlite:///")
    assert resolve_database_url("postgresql+asyncpg://a@b/c") == "postgresql+asyncpg://a@b/c"

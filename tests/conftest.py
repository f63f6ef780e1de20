"""Fixtures: every database-backed test runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from ``BUDGETQL_TEST_POSTGRES_URL`` (default: the local server as
user ``postgres``); each test run creates its own fresh database and drops it at
the end. Without a reachable PostgreSQL the PostgreSQL half is skipped with the
reason shown, except under ``CI=true``, where that fails the run.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from graph.app import create_app
from graph.settings import Settings

from tests.support.auth import JWT_ENV
from tests.support.browser import browser, page  # noqa: F401 - the fixtures, for the browser tests
from tests.support.server import running_server
from tests.support.queries import in_ci

ADMIN_URL = os.environ.get("BUDGETQL_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgres"]


async def _pg_admin(sql: str) -> None:
    import asyncpg

    url = make_url(ADMIN_URL)
    conn = await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database or "postgres",
        timeout=5,
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_url():
    """A freshly created PostgreSQL database for this test run."""
    name = f"budgetql_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to reach PostgreSQL
        message = f"PostgreSQL not reachable at {ADMIN_URL}: {exc!r}"
        if in_ci():
            pytest.fail(message + " (CI=true requires PostgreSQL)")
        pytest.skip(message)
    url = make_url(ADMIN_URL).set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
    yield url
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    path: Path = tmp_path_factory.mktemp("sqlite") / "budgetql.db"
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request) -> str:
    """The database URL, once per backend."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture(scope="session")
async def app(db_url):
    application = create_app(Settings(database_url=db_url))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
def jwt_server(db_url):
    """The real server with BUDGETQL_AUTH=jwt (an HS256 secret), once per backend."""
    with running_server(db_url, env=JWT_ENV) as base:
        yield base


@pytest.fixture(scope="session")
async def client(app):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://budgetql.test") as c:
        yield c


@pytest.fixture
def user_id() -> str:
    """A user nobody else in the run has: tests share one database per backend."""
    return f"user_{uuid.uuid4().hex[:10]}"


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient):
        self.http = http

    async def raw(self, query: str, variables: dict | None = None) -> dict:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}})
        assert response.status_code == 200, response.text
        return response.json()

    async def __call__(self, query: str, variables: dict | None = None) -> dict:
        body = await self.raw(query, variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]


@pytest.fixture
def gql(client) -> GraphQLClient:
    return GraphQLClient(client)


KINDS = ("unit", "graphql", "rest", "cli", "e2e", "browser", "bench")


def pytest_collection_modifyitems(config, items):
    """Each test is marked with its folder's kind: ``-m unit``, ``-m "not browser"``, …"""
    for item in items:
        kind = Path(str(item.fspath)).parent.name
        if kind in KINDS:
            item.add_marker(getattr(pytest.mark, kind))

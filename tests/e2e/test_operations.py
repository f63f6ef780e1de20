"""/healthz (the process is up) and /readyz (the database answers, migrations are current)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from persistence.migrate import head_revision, migrate

from tests.conftest import _pg_admin
from tests.support.queries import app_client


@pytest.fixture
async def empty_db_url(db_url, tmp_path):
    """A database of its own with no tables yet, on the current backend."""
    if db_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"budgetql_empty_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(db_url).set(database=name).render_as_string(hide_password=False)
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_healthz_and_readyz_on_a_migrated_database(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


async def test_readyz_is_503_until_migrations_are_current(empty_db_url):
    async with app_client(empty_db_url, migrate_on_start=False) as (application, http):
        assert (await http.get("/healthz")).status_code == 200
        absent = await http.get("/readyz")
        assert absent.status_code == 503
        assert absent.json() == {
            "status": "unavailable",
            "code": "SERVICE_UNAVAILABLE",
            "reason": f"migrations not current: database at no revision, code expects {head_revision()}",
        }
        await migrate(application.state.engine)
        assert (await http.get("/readyz")).json() == {"status": "ready"}
        async with application.state.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = '0000_elsewhere'"))
        other = await http.get("/readyz")
        assert other.status_code == 503 and "database at 0000_elsewhere" in other.json()["reason"]

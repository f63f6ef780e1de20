"""Apply Alembic migrations on an engine (``budgetql migrate``, server start, the Python API)."""

from __future__ import annotations

import asyncio
import functools
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from .database import is_unavailable

log = logging.getLogger("budgetql.migrate")
HERE = Path(__file__).resolve().parent
# Any fixed number: serializes concurrent migrations (e.g. `uvicorn --workers N` on PostgreSQL).
ADVISORY_LOCK = 7_240_915_113


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@functools.lru_cache(maxsize=1)
def _cached_head() -> str | None:
    return head_revision()


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` on one of its connections."""

    def upgrade(sync_connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_connection
        command.upgrade(cfg, revision)

    async with engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            await connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK})
        try:
            await connection.run_sync(upgrade)
            await connection.commit()
        finally:
            if postgres:
                await connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK})
                await connection.commit()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


async def readiness(engine: AsyncEngine, timeout: float = 5.0) -> str | None:
    """Why the database behind ``engine`` cannot serve yet, or None when it can: it
    answers ``SELECT 1`` within ``timeout`` seconds and its schema is at the head revision."""
    try:
        async with asyncio.timeout(timeout):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                # Read alembic_version directly: MigrationContext logs two lines per call.
                versioned = await conn.run_sync(lambda c: inspect(c).has_table("alembic_version"))
                rows = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all() if versioned else []
        current = rows[0][0] if len(rows) == 1 else None
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        if is_unavailable(exc):
            return "database unreachable"
        log.warning("readiness check failed", exc_info=exc)
        return f"database check failed ({exc.__class__.__name__})"
    head = _cached_head()
    if current != head:
        return f"migrations not current: database at {current or 'no revision'}, code expects {head}"
    return None

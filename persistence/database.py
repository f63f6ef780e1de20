"""Engines: which database, and how to talk to it safely under concurrency."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

from sqlalchemy import event, exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from domain.errors import BudgetError, ErrorCode

DEFAULT_SQLITE_PATH = "budgetql.db"
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///./{DEFAULT_SQLITE_PATH}"
WRITE = "budgetql_write"


def resolve_database_url(explicit: str | None = None) -> str:
    """``--database-url``, else ``BUDGETQL_DATABASE_URL``, else ``SQL_URL`` (the
    spec's name), else the embedded SQLite file ``./budgetql.db``."""
    for candidate in (explicit, os.environ.get("BUDGETQL_DATABASE_URL"), os.environ.get("SQL_URL")):
        if candidate and candidate.strip():
            return normalize_url(candidate.strip())
    return DEFAULT_DATABASE_URL


def normalize_url(url: str) -> str:
    """Accept the usual spellings and pick the async driver for each backend."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    else:
        raise ValueError(f"Unsupported database {backend!r}: use postgresql+asyncpg://… or sqlite+aiosqlite:///…")
    return parsed.render_as_string(hide_password=False)


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 20,
    pool_pre_ping: bool = True,
    echo: bool = False,
) -> AsyncEngine:
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo=echo)
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=pool_pre_ping,
        # The most recently used connection first: each asyncpg connection prepares
        # statements for itself, and a FIFO pool rotated every request through all of
        # them after a burst, re-preparing (bench/README.md, figure 4).
        pool_use_lifo=True,
        pool_recycle=3600,
        pool_timeout=5,
        echo=echo,
        # Error messages (and so logs) show SQL, never the values: no amounts in logs.
        hide_parameters=True,
        # Fail fast while the database is down: 5 s to connect, 30 s for a statement.
        connect_args={"timeout": 5, "command_timeout": 30},
    )


def _sqlite_engine(url: str, *, echo: bool) -> AsyncEngine:
    database = make_url(url).database or ""
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    if database in ("", ":memory:"):
        # One shared connection, or every checkout would see a new, empty database.
        engine = create_async_engine(
            url, echo=echo, hide_parameters=True, poolclass=StaticPool, connect_args={"timeout": 30}
        )
    else:
        engine = create_async_engine(url, echo=echo, hide_parameters=True, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control from the driver so we can BEGIN IMMEDIATE for writes:
        # a deferred transaction that reads, then writes, fails with SQLITE_BUSY under
        # concurrent writers instead of waiting its turn.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# -- when the database is unavailable ----------------------------------------------
# SQLSTATEs that mean "cannot talk to the database now", not "this statement is wrong":
# connection exceptions (08…), shutdown or start-up in progress (57P01–57P03),
# too many connections (53300).
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk i/o error")


def is_unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` (or what it wraps) says the database cannot be reached or used
    right now: a refused or dropped connection, a pool or connect timeout, a server
    shutting down or starting up, a locked SQLite file."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (OSError, asyncio.TimeoutError, TimeoutError, sa_exc.TimeoutError)):
            return True
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        sqlstate = getattr(error, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
            return True
        if isinstance(error, sqlite3.OperationalError) and str(error).lower().startswith(_SQLITE_UNAVAILABLE):
            return True
        if _is_asyncpg_connection_error(error):
            return True
        error = getattr(error, "orig", None) or error.__cause__
    return False


def _is_asyncpg_connection_error(error: BaseException) -> bool:
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    if isinstance(error, asyncpg.PostgresConnectionError):
        return True
    # Other interface errors are misuse (a bug), not an outage.
    return isinstance(error, asyncpg.InterfaceError) and "connection" in str(error) and "closed" in str(error)


def database_unavailable() -> BudgetError:
    return BudgetError(ErrorCode.SERVICE_UNAVAILABLE, "Database unavailable, try again")

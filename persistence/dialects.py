"""Dialect-specific statement builders shared by the repositories."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert(session: AsyncSession, table):
    """An INSERT that supports ON CONFLICT on the session's backend."""
    return (postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert)(table)


def is_postgres(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"

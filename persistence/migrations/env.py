"""Alembic environment. ``persistence.migrate`` hands in a live connection (the
usual path); the plain ``alembic`` command line builds its own engine."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from persistence.tables import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_standalone(url: str) -> None:
    from persistence.database import create_engine
    from persistence.migrate import migrate

    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (connection := config.attributes.get("connection")) is not None:
    _run(connection)
else:
    asyncio.run(_run_standalone(config.get_main_option("sqlalchemy.url")))

"""``budgetql migrate``: bring the database's schema to the newest migration."""

from __future__ import annotations

import argparse
import asyncio

from graph.cli.options import add_database_url
from persistence.database import create_engine, resolve_database_url


def run(args: argparse.Namespace) -> int:
    from persistence.migrate import migrate

    url = resolve_database_url(args.database_url)

    async def run() -> None:
        engine = create_engine(url)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    print(f"migrated {create_engine(url).url.render_as_string(hide_password=True)} to head")
    return 0


def add_command(sub) -> None:
    mig = sub.add_parser("migrate", help="apply database migrations")
    add_database_url(mig)
    mig.set_defaults(run=run)

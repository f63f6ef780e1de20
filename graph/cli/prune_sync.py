"""``budgetql prune-sync``: delete delta sync's changes older than the retention now
(every server also does it hourly). Cursors that needed them become CURSOR_EXPIRED."""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import timedelta

from domain.errors import BudgetError
from domain.sync import rules
from domain.sync.model import RETENTION_DEFAULT, RETENTION_MIN
from graph.cli.options import add_database_url
from persistence.database import resolve_database_url


def run(args: argparse.Namespace) -> int:
    from graph.services import open_services

    try:
        keep = rules.retention(timedelta(days=args.retention_days))
    except BudgetError as exc:
        print(f"error: {exc.message}")
        return 2

    async def prune() -> int:
        async with open_services(resolve_database_url(args.database_url)) as services:
            return await services.sync.prune(keep)

    print(f"pruned {asyncio.run(prune())} delta-sync changes older than {args.retention_days:g} days")
    return 0


def add_command(sub) -> None:
    command = sub.add_parser("prune-sync", help="delete delta-sync changes older than the retention")
    add_database_url(command)
    default = float(os.environ.get("BUDGETQL_SYNC_RETENTION_DAYS") or RETENTION_DEFAULT.days)
    command.add_argument(
        "--retention-days", type=float, default=default,
        help=f"keep this many days (at least {RETENTION_MIN.days}; default BUDGETQL_SYNC_RETENTION_DAYS or "
        f"{RETENTION_DEFAULT.days})",
    )
    command.set_defaults(run=run)

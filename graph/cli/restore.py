"""``budgetql import FILE.json``: restore a backup written by ``budgetql export``.

What restoring skips is :mod:`domain.backup.service`. A file that is not a valid backup
stores nothing (exit status 2, every problem listed with its path).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from decimal import Decimal
from pathlib import Path

from domain.backup.rules import from_document, problem_lines
from domain.backup.service import RestoreReport
from domain.errors import BudgetError
from domain.models import utcnow
from persistence.database import resolve_database_url

from graph.cli.progress_bar import add_option, progress_bar
from graph.cli.options import add_database_url
from graph.services import backups, open_services


def print_report(report: RestoreReport) -> None:
    for name, counts in (
        ("budgets", report.budgets),
        ("templates", report.templates),
        ("transactions", report.transactions),
    ):
        print(f"{name}: {counts.stored} restored, {counts.present} already present (skipped)")
    hooks = report.webhooks
    if hooks.stored or hooks.present:
        print(f"webhooks: {hooks.stored} restored (inactive until rotateWebhookSecret), {hooks.present} already present (skipped)")
    acks = report.acknowledgements
    if acks.stored or acks.present:
        print(f"alert acknowledgements: {acks.stored} restored, {acks.present} skipped (acknowledged already, or no such alert)")


def run_import(args: argparse.Namespace) -> int:
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"budgetql import: cannot read {args.file}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return 2
    try:
        document = json.loads(text, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        print(f"budgetql import: {args.file} is not JSON: {exc}", file=sys.stderr)
        return 2
    try:
        backup = from_document(document, utcnow())
    except BudgetError as exc:
        print(f"budgetql import: {args.file} is not a valid backup; nothing was restored:", file=sys.stderr)
        for line in problem_lines(exc):
            print(f"  {line}", file=sys.stderr)
        return 2

    with progress_bar(args, len(backup.transactions), "restoring") as bar:

        async def go() -> RestoreReport:
            async with open_services(resolve_database_url(args.database_url)) as services:
                return await backups(services).restore(backup, bar.update)

        report = asyncio.run(go())
    print(f"restored the backup of {backup.user_id}")
    print_report(report)
    return 0


def add_command(sub) -> None:
    imp = sub.add_parser(
        "import",
        help="restore a JSON backup written by `budgetql export`",
        description="Restore FILE.json (- for stdin). What is already stored (the same ids, the same "
        "template keys, recorded externalIds) is skipped and counted, never overwritten.",
    )
    imp.add_argument("file", metavar="FILE.json")
    add_database_url(imp)
    add_option(imp)
    imp.set_defaults(run=run_import)

"""``budgetql export FILE.json --user USER`` and ``budgetql import FILE.json``: a user's
budgets, own templates and transactions as a JSON backup, and back.

The document and its rules are :mod:`domain.backup`; what restoring skips is
:mod:`domain.backup_service`. A file that is not a valid backup stores nothing
(exit status 2, every problem listed with its path).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from decimal import Decimal
from pathlib import Path

from domain.backup import from_document, problem_lines, to_document
from domain.backup_service import BackupService, RestoreReport
from domain.errors import BudgetError
from domain.models import utcnow
from persistence.database import resolve_database_url

from .cli_progress import add_option, progress_bar
from .services import open_services


def _backups(services) -> BackupService:
    return BackupService(services.budgets, services.spending, services.templates)


def write_json(document: dict, target: str) -> None:
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if target == "-":
        sys.stdout.write(text)
        return
    # Written whole, then moved into place: an interrupted export leaves no half file.
    path = Path(target)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def run_export(args: argparse.Namespace) -> int:
    async def go():
        async with open_services(resolve_database_url(args.database_url)) as services:
            return await _backups(services).export(args.user)

    try:
        backup = asyncio.run(go())
    except BudgetError as exc:
        print(f"budgetql export: {exc.message}", file=sys.stderr)
        return 2
    write_json(to_document(backup), args.file)
    # With the backup on stdout, the summary goes to stderr.
    print(
        f"exported {len(backup.budgets)} budgets, {len(backup.templates)} templates and "
        f"{len(backup.transactions)} transactions of {backup.user_id} to {args.file}",
        file=sys.stderr if args.file == "-" else sys.stdout,
    )
    return 0


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
                return await _backups(services).restore(backup, bar.update)

        report = asyncio.run(go())
    print(f"restored the backup of {backup.user_id}")
    print_report(report)
    return 0


def add_commands(sub) -> None:
    exp = sub.add_parser(
        "export",
        help="write a user's budgets, templates and transactions to a JSON backup",
        description="Write USER's budgets, own templates and transactions to FILE.json (- for stdout).",
    )
    exp.add_argument("file", metavar="FILE.json")
    exp.add_argument("--user", required=True)
    exp.add_argument("--database-url", help="default: $BUDGETQL_DATABASE_URL, $SQL_URL, or ./budgetql.db")
    exp.set_defaults(run=run_export)

    imp = sub.add_parser(
        "import",
        help="restore a JSON backup written by `budgetql export`",
        description="Restore FILE.json (- for stdin). What is already stored (the same ids, the same "
        "template keys, recorded externalIds) is skipped and counted, never overwritten.",
    )
    imp.add_argument("file", metavar="FILE.json")
    imp.add_argument("--database-url", help="default: $BUDGETQL_DATABASE_URL, $SQL_URL, or ./budgetql.db")
    add_option(imp)
    imp.set_defaults(run=run_import)

"""``budgetql export FILE.json --user USER``: a user's budgets, own templates,
transactions, members, invitations, acknowledgements and webhooks as a JSON backup.

The document and its rules are :mod:`domain.backup.rules`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from domain.backup.rules import to_document
from domain.errors import BudgetError
from persistence.database import resolve_database_url

from graph.cli.options import add_database_url
from graph.services import backups, open_services


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
            return await backups(services).export(args.user)

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


def add_command(sub) -> None:
    exp = sub.add_parser(
        "export",
        help="write a user's budgets, templates and transactions to a JSON backup",
        description="Write USER's budgets, own templates and transactions to FILE.json (- for stdout).",
    )
    exp.add_argument("file", metavar="FILE.json")
    exp.add_argument("--user", required=True)
    add_database_url(exp)
    exp.set_defaults(run=run_export)


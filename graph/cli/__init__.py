"""The ``budgetql`` command: one module per subcommand (serve, migrate, export-schema,
import-transactions, export, import, prune-sync)."""

from __future__ import annotations

import argparse
import logging

from graph.cli import export, export_schema, import_transactions, migrate, prune_sync, restore, serve

COMMANDS = (serve, migrate, export_schema, import_transactions, export, restore, prune_sync)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="budgetql", description="The budgetql GraphQL budgeting server.")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    return args.run(args)

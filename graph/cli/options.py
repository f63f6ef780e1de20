"""The one ``--database-url`` option every command that opens the database takes."""

from __future__ import annotations

import argparse

HELP = "default: $BUDGETQL_DATABASE_URL, $SQL_URL, or ./budgetql.db"


def add_database_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", help=HELP)

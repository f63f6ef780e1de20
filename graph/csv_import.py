"""``budgetql import-transactions FILE.csv --user USER``: a bank export into a user's
transactions, through the same write path as the API (``SpendingService.record_many``,
which also raises alerts), with a progress bar and a summary.

The rules for rows (columns, dates, amounts, signs, ids) are :mod:`domain.csv_rows`.
The whole file is read and checked first; then the good rows are written in batches of
up to 1,000, each batch in one database transaction. A row that cannot be read is
rejected and listed with its line number; it never stops the others.

Exit status: 0 when every row was imported or skipped as already stored; 1 when a row
was rejected or a write failed (the batches written before it stay stored, and running
the same command again skips them); 2 when the file or the options cannot be used at
all (nothing is written).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from dataclasses import dataclass, field
from typing import TextIO

from domain.access import TRUSTED
from domain.csv_rows import RowReader, Rejected, Row, Signs, parse_mapping
from domain.errors import BudgetError
from domain.models import utcnow
from domain.spending import SpendingService
from domain.transactions import BATCH_MAX, naive_utc
from persistence.database import resolve_database_url

from .cli_progress import add_option, progress_bar
from .services import open_services


class Unusable(Exception):
    """The file or the options cannot be used at all: nothing is imported."""


@dataclass
class Summary:
    imported: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    failure: str | None = None

    @property
    def exit_status(self) -> int:
        return 1 if self.rejected or self.failure else 0


def read_file(path: str, reader_for) -> tuple[list[Row], list[Rejected]]:
    """Every row of the CSV file at ``path``, read by the :class:`RowReader` that
    ``reader_for(header)`` makes. Blank lines are not rows."""
    rows: list[Row] = []
    rejected: list[Rejected] = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            records = csv.reader(f)
            header = next(records, None)
            if not header:
                raise Unusable(f"{path} is empty: the first line must be the header")
            reader = reader_for(header)
            previous = records.line_num
            for values in records:
                line, previous = previous + 1, records.line_num  # where this record starts
                if not any(v.strip() for v in values):
                    continue
                result = reader.read(line, values)
                (rows if isinstance(result, Row) else rejected).append(result)
    except OSError as exc:
        raise Unusable(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise Unusable(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise Unusable(f"{path}, line {records.line_num}: {exc}") from None
    except BudgetError as exc:  # a bad user or currency, or no column for a required field
        raise Unusable(exc.message) from None
    return rows, rejected


async def write(spending: SpendingService, rows: list[Row], summary: Summary, progress) -> None:
    """Record ``rows`` in batches; count what was new and what was already stored.

    Oldest first: a batch then falls in few budget periods, so the alerts each batch
    evaluates (in its own database transaction) stay few. The ids do not depend on the
    order; they were given in file order."""
    rows = sorted(rows, key=lambda r: naive_utc(r.input.occurred_at))
    for start in range(0, len(rows), BATCH_MAX):
        batch = rows[start : start + BATCH_MAX]
        try:
            results = await spending.record_many(TRUSTED, [r.input for r in batch])
        except Exception as exc:  # noqa: BLE001 - reported in the summary; earlier batches stay
            summary.failure = f"stopped at line {batch[0].line}: {exc}"
            return
        created = sum(1 for _, is_new in results if is_new)
        summary.imported += created
        summary.duplicates += len(results) - created
        progress.update(len(batch))


def print_summary(summary: Summary, out: TextIO, *, dry_run: bool) -> None:
    if dry_run:
        print("dry run: nothing was written", file=out)
        print(f"would import: {summary.imported} (rows already stored are not checked in a dry run)", file=out)
        print(f"duplicates skipped: {summary.duplicates} (the same id twice in the file)", file=out)
    else:
        print(f"imported: {summary.imported}", file=out)
        print(f"duplicates skipped: {summary.duplicates}", file=out)
    print(f"rejected: {len(summary.rejected)}", file=out)
    for r in summary.rejected:
        print(f"  line {r.line}: {r.reason}", file=out)
    if summary.failure:
        print(f"failed: {summary.failure}", file=out)
        print("run the same command again: rows already imported are skipped", file=out)


def _dry_run(rows: list[Row], summary: Summary) -> None:
    ids = [r.input.external_id for r in rows]
    summary.imported = len(set(ids))
    summary.duplicates = len(ids) - summary.imported


def run(args: argparse.Namespace) -> int:
    try:
        mapping = parse_mapping(args.mapping)
        signs = Signs(args.signs)
    except BudgetError as exc:
        print(f"budgetql import-transactions: {exc.message}", file=sys.stderr)
        return 2

    def reader_for(header: list[str]) -> RowReader:
        return RowReader(args.user, header, mapping, signs=signs, currency=args.currency, now=utcnow())

    try:
        rows, rejected = read_file(args.file, reader_for)
    except Unusable as exc:
        print(f"budgetql import-transactions: {exc}", file=sys.stderr)
        return 2
    summary = Summary(rejected=rejected)
    if args.dry_run:
        _dry_run(rows, summary)
    elif rows:
        with progress_bar(args, len(rows), "importing") as bar:

            async def go() -> None:
                async with open_services(resolve_database_url(args.database_url)) as services:
                    await write(services.spending, rows, summary, bar)

            try:
                asyncio.run(go())
            except Exception as exc:  # noqa: BLE001 - e.g. the database is unreachable
                summary.failure = f"{type(exc).__name__}: {exc}"
    print_summary(summary, sys.stdout, dry_run=args.dry_run)
    return summary.exit_status


def add_command(sub) -> None:
    cmd = sub.add_parser(
        "import-transactions",
        help="import a bank export (CSV) as a user's transactions",
        description="Import a CSV bank export as USER's transactions, idempotently: importing the same "
        "file again counts nothing twice. Exit status 0: all rows imported or already there; "
        "1: some rows rejected (listed) or a write failed; 2: the file or options are unusable.",
    )
    cmd.add_argument("file", metavar="FILE.csv")
    cmd.add_argument("--user", required=True, help="the user the transactions belong to")
    cmd.add_argument(
        "--mapping",
        help="which column holds each field, e.g. date=Date,amount=Amount,category=Category,description=Memo "
        "(fields: date, amount, category, description, id, currency); unnamed fields are found by their usual headers",
    )
    cmd.add_argument(
        "--signs",
        choices=[s.value for s in Signs],
        default=Signs.DEBITS_NEGATIVE.value,
        help="debits-negative (default, as banks export): negative or (parenthesized) amounts are spending, "
        "positive ones refunds; debits-positive: positive amounts are spending",
    )
    cmd.add_argument("--currency", default="USD", help="for rows without a currency column (default USD)")
    cmd.add_argument("--dry-run", action="store_true", help="read and check the file, write nothing")
    add_option(cmd)
    cmd.add_argument("--database-url", help="default: $BUDGETQL_DATABASE_URL, $SQL_URL, or ./budgetql.db")
    cmd.set_defaults(run=run)

"""``budgetql import-transactions FILE.csv --user USER``: a bank export into a user's
transactions, through the same write path as the API (``SpendingService.record_many``,
which also raises alerts), with a progress bar and a summary.

The rules for rows (delimiter, columns, dates, amounts, signs, ids) are
:mod:`domain.csv_rows`; here the file is decoded (UTF-8, UTF-16 by its byte order mark,
or ``--encoding``) and split into records, a quote left open being an error at its
line rather than a field that swallows the rest of the file. The whole file is read
and checked first; then the good rows are written in batches of
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
import codecs
import csv
import io
import sys
from dataclasses import dataclass, field
from typing import TextIO

from domain.access import TRUSTED
from domain.spending.csv_rows import (
    Rejected,
    Row,
    RowReader,
    Signs,
    detect_delimiter,
    parse_date_format,
    parse_delimiter,
    parse_mapping,
)
from domain.errors import BudgetError
from domain.models import utcnow
from domain.spending.service import SpendingService
from domain.spending.rules import BATCH_MAX, naive_utc
from persistence.database import resolve_database_url

from graph.cli.options import add_database_url
from graph.cli.progress_bar import add_option, progress_bar
from graph.services import open_services


NEWLINE = b"\n"


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


def decode(path: str, data: bytes, encoding: str | None) -> str:
    """The file's text. By default UTF-8, with or without a byte order mark, or UTF-16
    (UTF-32) when it starts with that byte order mark; else ``encoding``, any Python
    codec name (``latin-1``, ``cp1252``, ``utf-16``…)."""
    if encoding is None:
        if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            codec, label = "utf-32", "UTF-32"
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            codec, label = "utf-16", "UTF-16"
        else:
            codec, label = "utf-8-sig", "UTF-8"
    else:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise Unusable(f"unknown encoding {encoding!r}: use e.g. utf-8, utf-16, latin-1 or cp1252") from None
        if codec == "utf-8":
            codec = "utf-8-sig"  # a byte order mark is not part of the header
        label = encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}"
        if not codec.startswith(("utf-16", "utf-32")):  # a line is a newline byte in these
            where += f", line {data.count(NEWLINE, 0, exc.start) + 1}"
        raise Unusable(
            f"{path} is not {label} text ({exc.reason} at {where}): name its encoding with --encoding, "
            "e.g. --encoding latin-1"
        ) from None
    if "\0" in text:
        raise Unusable(
            f"{path} holds NUL characters, so it is not {label} text: if it is UTF-16 without a byte order mark, "
            "pass --encoding utf-16-le (or utf-16-be)"
        )
    return text


@dataclass
class Record:
    start: int  # the line the record starts on
    end: int  # and the one it ends on: later when a quoted field holds line breaks
    values: list[str]


def records_of(path: str, text: str, delimiter: str) -> tuple[list[str] | None, list[Record]]:
    """The header and the records after it (blank lines are not records). A quote left
    open makes the whole file unusable, at the line where its record starts, rather
    than swallow the lines after it."""
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    found: list[Record] = []
    previous = 0
    try:
        for values in records:
            start, previous = previous + 1, records.line_num
            if header is None:
                header = values
            elif any(v.strip() for v in values):
                found.append(Record(start, records.line_num, values))
    except csv.Error as exc:
        start, at = previous + 1, records.line_num
        if "end of data" in str(exc):
            raise Unusable(
                f"{path}, line {start}: a quote opened in this row is never closed: the file ends inside it"
            ) from None
        if "field larger than field limit" in str(exc):
            raise Unusable(
                f"{path}, line {start}: a quoted field runs from this row past line {at} "
                f"({csv.field_size_limit()} characters): is a quote not closed?"
            ) from None
        spans = f" (in the row that starts at line {start}: is a quote there not closed?)" if at > start else ""
        raise Unusable(f"{path}, line {at}: {exc}{spans}") from None
    return header, found


def read_file(
    path: str, reader_for, *, encoding: str | None = None, delimiter: str | None = None
) -> tuple[list[Row], list[Rejected]]:
    """Every row of the CSV file at ``path``, read by the :class:`RowReader` that
    ``reader_for(header)`` makes. The delimiter is ``delimiter``, else the one that
    splits the header line best. Blank lines are not rows."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise Unusable(f"cannot read {path}: {exc.strerror or exc}") from None
    text = decode(path, data, encoding)
    if delimiter is None:
        delimiter = detect_delimiter(next(iter(text.splitlines()), ""))
    header, records = records_of(path, text, delimiter)
    if not header or not any(h.strip() for h in header):
        raise Unusable(f"{path} is empty: the first line must be the header")
    rows: list[Row] = []
    rejected: list[Rejected] = []
    try:
        reader = reader_for(header)
        reader.settle_dates((r.start, r.values) for r in records)
    except BudgetError as exc:  # a bad user or currency, no column for a required field, unclear dates
        raise Unusable(exc.message) from None
    for record in records:
        result = reader.read(record.start, record.values)
        if isinstance(result, Rejected) and record.end > record.start:
            result = Rejected(
                result.line,
                f"{result.reason} (this row runs to line {record.end}: a quoted field holds "
                f"{record.end - record.start} line break(s); is a quote not closed?)",
            )
        (rows if isinstance(result, Row) else rejected).append(result)
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
        date_format = parse_date_format(args.date_format) if args.date_format else None
        delimiter = parse_delimiter(args.delimiter) if args.delimiter else None
    except BudgetError as exc:
        print(f"budgetql import-transactions: {exc.message}", file=sys.stderr)
        return 2

    def reader_for(header: list[str]) -> RowReader:
        return RowReader(
            args.user, header, mapping, signs=signs, currency=args.currency, now=utcnow(),
            date_format=date_format, decimal_comma=args.decimal_comma,
        )

    try:
        rows, rejected = read_file(args.file, reader_for, encoding=args.encoding, delimiter=delimiter)
    except Unusable as exc:
        print(f"budgetql import-transactions: {exc}", file=sys.stderr)
        print("nothing was imported", file=sys.stderr)
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
        "(fields: date, amount, category, description, id, currency; debit and credit instead of amount for "
        "separate columns: a debit is spending, a credit a refund); unnamed fields are found by their usual headers",
    )
    cmd.add_argument(
        "--signs",
        choices=[s.value for s in Signs],
        default=Signs.DEBITS_NEGATIVE.value,
        help="debits-negative (default, as banks export): negative or (parenthesized) amounts are spending, "
        "positive ones refunds; debits-positive: positive amounts are spending",
    )
    cmd.add_argument("--currency", default="USD", help="for rows without a currency column (default USD)")
    cmd.add_argument(
        "--delimiter",
        help="the column separator: one character, or 'tab' (default: whichever of , ; and tab splits the header "
        "into the most columns)",
    )
    cmd.add_argument(
        "--date-format",
        help="how dates other than ISO 8601 ones are written: DD, MM and YYYY day-, month- or year-first, separated "
        "by / . or -, e.g. DD/MM/YYYY, DD.MM.YYYY, MM/DD/YYYY, YYYY-MM-DD (default: found from the file's dates; "
        "a file whose dates read both ways is refused)",
    )
    cmd.add_argument(
        "--decimal-comma",
        action="store_true",
        help="amounts like -1.234,56 (a comma before the cents, . or space for thousands)",
    )
    cmd.add_argument(
        "--encoding",
        help="the file's text encoding, e.g. latin-1, cp1252, utf-16 (default: UTF-8 with or without a byte order "
        "mark, or UTF-16 when the file starts with its byte order mark)",
    )
    cmd.add_argument("--dry-run", action="store_true", help="read and check the file, write nothing")
    add_option(cmd)
    add_database_url(cmd)
    cmd.set_defaults(run=run)

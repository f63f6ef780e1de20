"""Count the SQL statements a unit of code sends, per asyncio context.

Opt-in (``install``) so that it costs nothing unless asked for: the benchmark and
the tests use it to show that a request's statement count does not grow with the
data it returns.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

# A one-item list per counted scope; tasks started inside it (dataloader batches)
# inherit the same list, so their statements count too.
_current: ContextVar[list[int] | None] = ContextVar("budgetql_statement_count", default=None)


def _on_execute(conn, cursor, statement, parameters, context, executemany) -> None:
    cell = _current.get()
    if cell is not None:
        cell[0] += 1


def install(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "before_cursor_execute", _on_execute)


@contextmanager
def counting() -> Iterator[list[int]]:
    """``with counting() as n:`` … ``n[0]`` is the number of statements sent so far."""
    cell = [0]
    token = _current.set(cell)
    try:
        yield cell
    finally:
        _current.reset(token)

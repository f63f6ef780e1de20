"""What the repositories do alike with an entity's row: read it by its public ``id``
(one or many), and build it from the domain record whose fields share its columns'
names (:func:`row_of`, the way down of ``domain.mapping.copied``)."""

from __future__ import annotations

from functools import cache
from typing import Any, Iterable, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.validation import storable

R = TypeVar("R")


async def by_id(session: AsyncSession, table: type[R], entity_id: str, *, for_update: bool = False) -> R | None:
    """The row of ``table`` whose ``id`` is ``entity_id`` (locked until the end of the
    transaction with ``for_update``), or None: also without a read for an id no row can
    hold (a control character, which PostgreSQL refuses)."""
    if not storable(entity_id):
        return None
    stmt = select(table).where(table.id == entity_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_ids(session: AsyncSession, table: type[R], entity_ids: Iterable[str]) -> list[R]:
    """The stored rows of ``table`` among ``entity_ids``, in no order (one statement,
    none when no id can be stored)."""
    wanted = sorted({i for i in entity_ids if storable(i)})
    if not wanted:
        return []
    return list((await session.execute(select(table).where(table.id.in_(wanted)))).scalars())


async def stored_ids(session: AsyncSession, table: type, entity_ids: Iterable[str]) -> set[str]:
    """Which of ``entity_ids`` a row of ``table`` holds (one statement of ids only, none
    when no id can be stored)."""
    wanted = sorted({i for i in entity_ids if storable(i)})
    if not wanted:
        return set()
    return set((await session.execute(select(table.id).where(table.id.in_(wanted)))).scalars())


@cache
def _column_names(table: type) -> tuple[str, ...]:
    return tuple(c.key for c in inspect(table).column_attrs)


def row_of(table: type[R], source: Any, **differing: Any) -> R:
    """A new row of ``table``: each mapped column from ``source``'s attribute of the same
    name, if it has one, except ``differing`` (converted values, columns the source
    names otherwise). Columns the source lacks keep their defaults."""
    values = dict(differing)
    for name in _column_names(table):
        if name not in values and hasattr(source, name):
            values[name] = getattr(source, name)
    return table(**values)

"""What one unit of work changed for delta sync, written just before its COMMIT.

The repositories tell the unit of work's :class:`SyncLog` which things they wrote and
for whom (the *audience*: a budget's owner and accepted members, an alert's recipients,
the owner of a template, goal or rule). Just before COMMIT the log writes one row per
(user, thing) to ``sync_changes`` in one multi-row INSERT, at the unit of work's
*position*. Transactions are not logged row by row (a batch of 1,000 would write 1,000
more rows): their own ``sync_pos`` column takes the position on insert and update, and
only their deletions are logged.

The position is the writing database transaction's place in commit order:

* PostgreSQL: its transaction id, ``pg_current_xact_id()`` (xid8, never wraps), used
  as an SQL expression in the statements themselves, so it costs no round trip. A
  reader's horizon is ``pg_snapshot_xmin(pg_current_snapshot())``: see
  ``persistence/sync_repository.py``.
* SQLite: the ``sync_clock`` counter, raised once per unit of work at its first synced
  write. Writers hold SQLite's write lock from their first write until COMMIT, so no
  other writer raises the counter in between: its order is commit order.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from typing import Iterable, Sequence

from sqlalchemy import BigInteger, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from .dialects import insert, is_postgres
from .tables import AlertRow, BudgetMemberRow, BudgetRow, SyncChangeRow, SyncClockRow

# The writing transaction's id as a BIGINT (xid8 has no direct cast to bigint).
PG_POSITION = literal_column("pg_current_xact_id()::text::bigint", BigInteger)
ROWS_PER_INSERT = 1_000  # 6 parameters each: well under asyncpg's 32,767


class SyncLog:
    def __init__(self, session: AsyncSession):
        self.session = session
        self._entries: dict[tuple[str, str, str], bool] = {}  # (user, kind, id) -> deleted
        self._counter: int | None = None  # SQLite's position, once taken

    def __bool__(self) -> bool:
        return bool(self._entries)

    def changed(self, kind: str, entity_id: str, users: Iterable[str], *, deleted: bool = False) -> None:
        """``entity_id`` of ``kind`` was written (or deleted) for each of ``users``; the
        last word of a unit of work on one thing for one user is the one kept."""
        for user in users:
            self._entries[(user, kind, entity_id)] = deleted

    async def position(self):
        """This unit of work's position: an SQL expression on PostgreSQL (the same value
        in every statement of the transaction), an int on SQLite (raised on first use)."""
        if is_postgres(self.session):
            return PG_POSITION
        if self._counter is None:
            stmt = insert(self.session, SyncClockRow).values(id=1, pos=1)
            stmt = stmt.on_conflict_do_update(index_elements=["id"], set_={"pos": SyncClockRow.pos + 1})
            self._counter = (await self.session.execute(stmt.returning(SyncClockRow.pos))).scalar_one()
        return self._counter

    async def flush(self) -> None:
        """Write the logged changes (call once, just before COMMIT)."""
        if not self._entries:
            return
        pos = await self.position()
        at = datetime.now(timezone.utc)
        rows = [
            {"user_id": user, "kind": kind, "entity_id": entity_id, "deleted": deleted, "pos": pos, "at": at}
            for (user, kind, entity_id), deleted in sorted(self._entries.items())
        ]
        for start in range(0, len(rows), ROWS_PER_INSERT):
            await self.session.execute(SyncChangeRow.__table__.insert().values(rows[start : start + ROWS_PER_INSERT]))
        self._entries.clear()

    def committed(self) -> None:
        """A new database transaction begins: it gets a position of its own."""
        self._entries.clear()
        self._counter = None

    # -- audiences ------------------------------------------------------------------
    async def audiences(self, budget_ids: Sequence[str]) -> dict[str, set[str]]:
        """Each budget's owner and accepted members, as stored now (one statement)."""
        found: dict[str, set[str]] = defaultdict(set)
        if not budget_ids:
            return found
        rows = await self.session.execute(
            select(BudgetRow.id, BudgetRow.user_id, BudgetMemberRow.user_id)
            .outerjoin(BudgetMemberRow, BudgetMemberRow.budget_pk == BudgetRow.pk)
            .where(BudgetRow.id.in_(sorted(set(budget_ids))))
        )
        for budget_id, owner, member in rows:
            found[budget_id].add(owner)
            if member is not None:
                found[budget_id].add(member)
        return found

    async def alerts_of(self, budget_id: str) -> list[tuple[str, str]]:
        """(id, owner) of the budget's alerts."""
        rows = await self.session.execute(select(AlertRow.id, AlertRow.user_id).where(AlertRow.budget_id == budget_id))
        return [tuple(r) for r in rows]

"""Delta sync's reads: a user's feed of changes after a cursor, below a horizon; the
things a full sync walks; the sealed cursors; and the pruning of old deletions.

Why a change committed after a cursor was handed out never falls behind it
-------------------------------------------------------------------------------
Positions are handed out *before* COMMIT, so they do not become visible in their
order: transaction 105 may commit while 100 is still running. A reader that read
"everything up to 105" and moved its cursor past 105 would never see 100. So a reader
returns only positions below a *horizon* below which nothing can still appear:

* PostgreSQL: ``pg_snapshot_xmin(pg_current_snapshot())``, the oldest transaction id
  still running. Every transaction with a smaller id has finished (committed and
  visible, or rolled back); every one still running, or not yet started, has an id at
  or above it. So once a cursor is at the horizon, whatever commits later has a
  position at or after the cursor. (A long-running writing transaction anywhere on
  the server, in any of its databases, holds the horizon back: changes are delayed,
  never lost. Tests that share a server with others wait for their changes.)
* SQLite: the ``sync_clock`` counter + 1, read in the reader's own snapshot. Writers
  raise the counter under SQLite's write lock and hold it until COMMIT, so every
  position up to the counter has committed.

A page is the rows below the horizon after the cursor, in (position, kind, id) order;
the cursor after it is its last row (when more wait) or the horizon itself.
"""

from __future__ import annotations

import struct
from datetime import datetime
from sqlalchemy import Boolean, String, delete, func, literal, or_, select, text, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from domain.sync.model import (
    ALERT, BUDGET, GOAL, KINDS, RULE, TEMPLATE, TRANSACTION, Change, Full, Incremental, SyncCursor,
)

from .alert_repository import readable_by
from .budget_repository import shared_with
from .cursors import Cursors, _invalid
from .dialects import insert, is_postgres
from .tables import (
    AlertRow, BudgetRow, CategoryRuleRow, GoalRow, SyncChangeRow, SyncClockRow, SyncPrunedRow, TransactionRow,
    UserTemplateRow,
)

CURSOR = "sync"
_INVALID = "pass the cursor of a previous changes() page of the same user, or null for a full sync"
_INCREMENTAL, _FULL = 0, 1
_HEAD = struct.Struct("!Bq")  # mode, position (incremental) or h0 (full)
_INCREMENTAL_TAIL = struct.Struct("!B")  # kind (index + 1; 0: none)
_FULL_TAIL = struct.Struct("!BqB")  # kind index, after's sync position, whether ``after`` is set
_PG_HORIZON = text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


class SqlSyncRepository:
    def __init__(self, session: AsyncSession, cursors: Cursors | None = None):
        self.session = session
        self.cursors = cursors or Cursors()

    # -- cursors ----------------------------------------------------------------------
    async def seal(self, user_id: str, cursor: SyncCursor) -> str:
        if isinstance(cursor, Full):
            plain = _HEAD.pack(_FULL, cursor.h0) + _FULL_TAIL.pack(
                cursor.kind, cursor.after_pos, cursor.after is not None
            ) + (cursor.after or "").encode()
        else:
            kind = KINDS.index(cursor.kind) + 1 if cursor.kind else 0
            plain = _HEAD.pack(_INCREMENTAL, cursor.pos) + _INCREMENTAL_TAIL.pack(kind) + cursor.entity_id.encode()
        return (await self.cursors.codec(self.session)).seal_bytes(CURSOR, plain, user_id)

    async def open(self, user_id: str, sealed: str) -> SyncCursor:
        """The cursor ``sealed`` holds; VALIDATION on ``since`` for anything that is not a
        cursor this server sealed for this user."""
        plain = (await self.cursors.codec(self.session)).open_bytes(CURSOR, sealed, "since", _INVALID, user_id)
        try:
            mode, pos = _HEAD.unpack_from(plain)
            if mode == _INCREMENTAL:
                (kind,) = _INCREMENTAL_TAIL.unpack_from(plain, _HEAD.size)
                entity_id = plain[_HEAD.size + _INCREMENTAL_TAIL.size :].decode()
                return Incremental(pos, KINDS[kind - 1] if kind else "", entity_id)
            if mode == _FULL:
                kind, after_pos, has_after = _FULL_TAIL.unpack_from(plain, _HEAD.size)
                after = plain[_HEAD.size + _FULL_TAIL.size :].decode()
                if kind <= len(KINDS):
                    return Full(pos, kind, after_pos, after if has_after else None)
        except (struct.error, UnicodeDecodeError, IndexError):
            pass
        raise _invalid("since", _INVALID)  # sealed by us: only an older format gets here

    # -- positions --------------------------------------------------------------------
    async def horizon(self) -> int:
        """Every position below it has committed (or rolled back); nothing that commits
        from now on has a position below it."""
        if is_postgres(self.session):
            return (await self.session.execute(_PG_HORIZON)).scalar_one()
        counter = (await self.session.execute(select(SyncClockRow.pos).where(SyncClockRow.id == 1))).scalar()
        return (counter or 0) + 1

    async def pruned_through(self) -> int:
        """Changes at or below this position may have been pruned (0: none yet)."""
        found = (await self.session.execute(select(SyncPrunedRow.pos).where(SyncPrunedRow.id == 1))).scalar()
        return found or 0

    # -- the feed -----------------------------------------------------------------------
    async def changes(self, user_id: str, after: Incremental, horizon: int, limit: int) -> list[Change]:
        """The user's feed after ``after`` and below ``horizon``, in (position, kind, id)
        order, at most ``limit`` rows: ``sync_changes`` and the transactions' own
        ``sync_pos``, merged (each side read by its index, at most ``limit`` rows)."""
        if limit <= 0:
            return []
        c, t = SyncChangeRow, TransactionRow
        logged = (
            select(c.pos.label("pos"), c.kind.label("kind"), c.entity_id.label("entity_id"), c.deleted.label("deleted"))
            .where(
                c.user_id == user_id,
                tuple_(c.pos, c.kind, c.entity_id) > tuple_(after.pos, after.kind, after.entity_id),
                c.pos < horizon,
            )
            .order_by(c.pos, c.kind, c.entity_id)
            .limit(limit)
        )
        # The transactions' side is all of one kind: where it falls against ``after``'s kind
        # decides whether ``after``'s position itself is still to come.
        if after.kind == TRANSACTION:
            later = tuple_(t.sync_pos, t.id) > tuple_(after.pos, after.entity_id)
        elif TRANSACTION > after.kind:
            later = t.sync_pos >= after.pos
        else:
            later = t.sync_pos > after.pos
        written = (
            select(
                t.sync_pos.label("pos"), literal(TRANSACTION, String()).label("kind"), t.id.label("entity_id"),
                literal(False, Boolean()).label("deleted"),
            )
            .where(t.user_id == user_id, later, t.sync_pos < horizon)
            .order_by(t.sync_pos, t.id)
            .limit(limit)
        )
        merged = union_all(select(logged.subquery()), select(written.subquery())).subquery()
        rows = await self.session.execute(
            select(merged).order_by(merged.c.pos, merged.c.kind, merged.c.entity_id).limit(limit)
        )
        return [Change(pos, kind, entity_id, bool(deleted)) for pos, kind, entity_id, deleted in rows]

    async def current(self, user_id: str, kind: str, after_pos: int, after: str | None, limit: int) -> list[tuple[int, str]]:
        """A full sync's walk: the things of ``kind`` the user has now, after ``after``
        ((sync position, id) for transactions, which are walked by their index; the id,
        or key, for the others), at most ``limit``, as (sync position or 0, id)."""
        if limit <= 0:
            return []
        if kind == TRANSACTION:
            t = TransactionRow
            stmt = select(t.sync_pos, t.id).where(t.user_id == user_id)
            if after is not None:
                stmt = stmt.where(tuple_(t.sync_pos, t.id) > tuple_(after_pos, after))
            rows = await self.session.execute(stmt.order_by(t.sync_pos, t.id).limit(limit))
            return [(pos, i) for pos, i in rows]
        column, where = {
            BUDGET: (BudgetRow.id, or_(BudgetRow.user_id == user_id, BudgetRow.pk.in_(shared_with([user_id])))),
            ALERT: (AlertRow.id, readable_by(user_id)),
            TEMPLATE: (UserTemplateRow.key, UserTemplateRow.user_id == user_id),
            GOAL: (GoalRow.id, GoalRow.user_id == user_id),
            RULE: (CategoryRuleRow.id, CategoryRuleRow.user_id == user_id),
        }[kind]
        stmt = select(column).where(where)
        if after is not None:
            stmt = stmt.where(column > after)
        rows = await self.session.execute(stmt.order_by(column).limit(limit))
        return [(0, i) for i in rows.scalars()]

    # -- retention ------------------------------------------------------------------------
    async def prune(self, before: datetime, now: datetime) -> int:
        """Delete the changes logged before ``before``; the number deleted. Positions up to
        the highest one deleted are then "pruned through": cursors at or below it expire."""
        c = SyncChangeRow
        # Only below the horizon: then every cursor taken from now on (a full sync's h0
        # included) is above what is pruned. A row a long-running writer holds above it
        # waits for the next pruning.
        old = (c.at < before, c.pos < await self.horizon())
        highest = (await self.session.execute(select(func.max(c.pos)).where(*old))).scalar()
        if highest is None:
            return 0
        result = await self.session.execute(delete(c).where(*old, c.pos <= highest))
        stmt = insert(self.session, SyncPrunedRow).values(id=1, pos=highest, at=now)
        stmt = stmt.on_conflict_do_update(
            index_elements=["id"],
            set_={"pos": func.max(SyncPrunedRow.pos, stmt.excluded.pos) if not is_postgres(self.session)
                  else func.greatest(SyncPrunedRow.pos, stmt.excluded.pos), "at": stmt.excluded.at},
        )
        await self.session.execute(stmt)
        return result.rowcount


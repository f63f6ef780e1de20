"""Transactions and the per-day spending rollup, kept in step in one database transaction."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Sequence

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Transaction
from domain.ports import DaySum, Page, SpendingQuery

from . import cursors
from .dialects import insert
from .tables import SpendingDailyRow, TransactionRow

CURSOR = "txn"


def to_domain(row: TransactionRow) -> Transaction:
    from domain import money

    return Transaction(
        id=row.id,
        user_id=row.user_id,
        category=row.category,
        amount=row.amount.quantize(money.quantum(row.currency)),
        currency=row.currency,
        occurred_at=row.occurred_at,
        description=row.description,
        external_id=row.external_id,
        created_at=row.created_at,
    )


def _values(t: Transaction) -> dict:
    return {
        "id": t.id,
        "user_id": t.user_id,
        "category": t.category,
        "category_key": t.category_key,
        "amount": t.amount,
        "currency": t.currency,
        "occurred_at": t.occurred_at,
        "description": t.description,
        "external_id": t.external_id,
        "created_at": t.created_at,
    }


class SqlSpendingRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def insert(self, transactions: Sequence[Transaction]) -> list[tuple[Transaction, bool]]:
        if not transactions:
            return []
        # The same externalId twice in one batch is one transaction.
        firsts: dict[tuple[str, str], Transaction] = {}
        unique: list[Transaction] = []
        for t in transactions:
            if t.external_id is None:
                unique.append(t)
            elif (t.user_id, t.external_id) not in firsts:
                firsts[(t.user_id, t.external_id)] = t
                unique.append(t)
        stmt = (
            insert(self.session, TransactionRow)
            .on_conflict_do_nothing(index_elements=["user_id", "external_id"])
            .returning(TransactionRow.id)
        )
        inserted: set[str] = set()
        for chunk_start in range(0, len(unique), 500):
            chunk = unique[chunk_start : chunk_start + 500]
            result = await self.session.execute(stmt, [_values(t) for t in chunk])
            inserted.update(result.scalars().all())
        # Those not inserted were already stored (by an earlier or a racing request).
        existing: dict[tuple[str, str], Transaction] = {}
        missing = [t for t in unique if t.id not in inserted]
        if missing:
            # Per user, `external_id IN (…)`: one index range scan. A row-value IN list
            # of (user, externalId) pairs makes PostgreSQL OR a bitmap scan per pair,
            # which takes seconds for a batch of 1,000 already-stored transactions.
            wanted: dict[str, set[str]] = defaultdict(set)
            for t in missing:
                wanted[t.user_id].add(t.external_id)
            rows = (
                await self.session.execute(
                    select(TransactionRow).where(
                        or_(
                            *(
                                and_(TransactionRow.user_id == user, TransactionRow.external_id.in_(sorted(ids)))
                                for user, ids in sorted(wanted.items())
                            )
                        )
                    )
                )
            ).scalars()
            existing = {(r.user_id, r.external_id): to_domain(r) for r in rows}
        await self._roll_up([t for t in unique if t.id in inserted], sign=1)
        result: list[tuple[Transaction, bool]] = []
        for t in transactions:
            if t.id in inserted:
                result.append((t, True))
            else:
                key = (t.user_id, t.external_id)
                stored = existing.get(key) or firsts.get(key)
                result.append((stored, False))
        return result

    async def _roll_up(self, transactions: Sequence[Transaction], sign: int) -> None:
        deltas: dict[tuple[str, str, str, date], list] = defaultdict(lambda: [Decimal(0), 0])
        for t in transactions:
            d = deltas[(t.user_id, t.category_key, t.currency, t.occurred_at.date())]
            d[0] += sign * t.amount
            d[1] += sign
        if not deltas:
            return
        stmt = insert(self.session, SpendingDailyRow)
        stmt = stmt.on_conflict_do_update(
            index_elements=["user_id", "category_key", "currency", "day"],
            set_={
                "total": SpendingDailyRow.total + stmt.excluded.total,
                "count": SpendingDailyRow.count + stmt.excluded.count,
            },
        )
        # Sorted, so concurrent writers take row locks in the same order (no deadlocks).
        rows = [
            {"user_id": u, "category_key": k, "currency": c, "day": day, "total": total, "count": count}
            for (u, k, c, day), (total, count) in sorted(deltas.items())
        ]
        await self.session.execute(stmt, rows)

    async def get(self, transaction_id: str) -> Transaction | None:
        row = (
            await self.session.execute(select(TransactionRow).where(TransactionRow.id == transaction_id))
        ).scalar_one_or_none()
        return to_domain(row) if row else None

    async def stored_ids(self, transaction_ids: Sequence[str]) -> set[str]:
        if not transaction_ids:
            return set()
        rows = await self.session.execute(select(TransactionRow.id).where(TransactionRow.id.in_(list(transaction_ids))))
        return set(rows.scalars())

    async def delete(self, transaction_id: str) -> Transaction | None:
        row = (
            await self.session.execute(
                delete(TransactionRow).where(TransactionRow.id == transaction_id).returning(TransactionRow)
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        removed = to_domain(row)
        await self._roll_up([removed], sign=-1)
        return removed

    async def page(
        self,
        user_id: str,
        category_key: str | None,
        start: datetime | None,
        end: datetime | None,
        first: int,
        after: str | None,
    ) -> Page[Transaction]:
        where = [TransactionRow.user_id == user_id]
        if category_key is not None:
            where.append(TransactionRow.category_key == category_key)
        if start is not None:
            where.append(TransactionRow.occurred_at >= start)
        if end is not None:
            where.append(TransactionRow.occurred_at < end)
        total = (
            await self.session.execute(select(func.count()).select_from(TransactionRow).where(*where))
        ).scalar_one()
        position = cursors.decode_pair(CURSOR, after)
        page_where = list(where)
        if position is not None:
            at, pk = position
            page_where.append(
                or_(TransactionRow.occurred_at < at, and_(TransactionRow.occurred_at == at, TransactionRow.pk < pk))
            )
        rows = list(
            (
                await self.session.execute(
                    select(TransactionRow)
                    .where(*page_where)
                    .order_by(TransactionRow.occurred_at.desc(), TransactionRow.pk.desc())
                    .limit(first + 1)
                )
            ).scalars()
        )
        has_next = len(rows) > first
        items = [(cursors.encode_pair(CURSOR, r.occurred_at, r.pk), to_domain(r)) for r in rows[:first]]
        return Page(items, has_next, total, items[-1][0] if items else None)

    async def daily_sums(self, queries: Sequence[SpendingQuery]) -> list[DaySum]:
        queries = [q for q in queries if q.user_ids and q.category_keys and q.start < q.end]
        if not queries:
            return []
        # One statement for every budget of a page: the union of their ranges per user.
        per_user: dict[str, list] = {}
        for q in queries:
            for user in q.user_ids:
                entry = per_user.setdefault(user, [set(), q.start, q.end])
                entry[0] |= q.category_keys
                entry[1] = min(entry[1], q.start)
                entry[2] = max(entry[2], q.end)
        r = SpendingDailyRow
        condition = or_(
            *(
                and_(r.user_id == user, r.category_key.in_(sorted(keys)), r.day >= start, r.day < end)
                for user, (keys, start, end) in sorted(per_user.items())
            )
        )
        rows = await self.session.execute(
            select(r.user_id, r.category_key, r.currency, r.day, r.total, r.count).where(condition)
        )
        return [DaySum(*row) for row in rows]

"""Transactions and the per-day spending rollup, kept in step in one database transaction."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import lru_cache
from decimal import Decimal
from typing import Sequence

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    Numeric,
    String,
    Text,
    and_,
    bindparam,
    delete,
    func,
    literal_column,
    or_,
    select,
    text,
    union_all,
    update,
    true,
    false,
)
from sqlalchemy.dialects import postgresql

from domain.models import CategorizedBy, Split, Transaction, TransactionKind, naive
from domain.ports import Page, SpendingWindow, WindowSum

from domain.sync.model import TRANSACTION

from .dialects import insert
from .repository import ChangingRepository
from .rows import by_id, by_ids, stored_ids
from .tables import SpendingDailyRow, SpendingMonthlyRow, SpendingVersionRow, TransactionRow, TransactionSplitRow

CURSOR = "txn"


def to_domain(row: TransactionRow, splits: Sequence[TransactionSplitRow] = ()) -> Transaction:
    from domain import money

    q = money.quantum(row.currency)
    return Transaction(
        id=row.id,
        user_id=row.user_id,
        category=row.category,
        amount=row.amount.quantize(q),
        currency=row.currency,
        occurred_at=row.occurred_at,
        description=row.description,
        external_id=row.external_id,
        created_at=row.created_at,
        occurred_on=row.occurred_on,
        kind=TransactionKind(row.kind),
        splits=tuple(Split(s.category, s.amount.quantize(q), s.memo) for s in sorted(splits, key=lambda s: s.position)),
        source_category=row.source_category,
        categorized_by=CategorizedBy(row.categorized_by) if row.categorized_by else None,
        rule_id=row.rule_id,
        version=row.version,
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
        "occurred_on": t.occurred_on,
        "description": t.description,
        "external_id": t.external_id,
        "created_at": t.created_at,
        "kind": t.kind.value,
        "split": bool(t.splits),
        "source_category": t.source_category,
        "categorized_by": t.categorized_by.value if t.categorized_by else None,
        "rule_id": t.rule_id,
        "version": t.version,
    }


def _split_rows(pk: int, t: Transaction) -> list[dict]:
    return [
        {"transaction_pk": pk, "position": i, "category": s.category, "category_key": s.key, "amount": s.amount,
         "memo": s.memo}
        for i, s in enumerate(t.splits)
    ]


# transactions' columns as PostgreSQL arrays, for INSERT … SELECT * FROM unnest(…).
_ARRAY_TYPES = {
    "id": String, "user_id": String, "category": String, "category_key": String, "amount": Numeric,
    "currency": String, "occurred_at": DateTime, "occurred_on": Date,
    "description": Text, "external_id": String, "created_at": DateTime,
    "kind": String, "split": Boolean, "source_category": String, "categorized_by": String, "rule_id": String,
    "version": Integer,
}
# sync_pos: the writing transaction's position (``persistence/sync_log.py``), in SQL.
_UNNEST_INSERT = (
    text(
        f"INSERT INTO transactions ({', '.join(_ARRAY_TYPES)}, sync_pos) "
        f"SELECT *, pg_current_xact_id()::text::bigint FROM unnest({', '.join(':' + c for c in _ARRAY_TYPES)}) "
        "ON CONFLICT (user_id, external_id) DO NOTHING RETURNING id, pk"
    )
    .bindparams(*(bindparam(c, type_=postgresql.ARRAY(t)) for c, t in _ARRAY_TYPES.items()))
    .columns(id=String, pk=Integer)
)


class SqlSpendingRepository(ChangingRepository):
    """``changes``: the users whose spending version a write raised; ``sync_log``: delta
    sync's position, which inserts and updates stamp in ``sync_pos``, and deletions."""

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
        inserted = await self._insert_new(unique)
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
            found = list(rows)
            existing = {(r.user_id, r.external_id): t for r, t in zip(found, await self._domain(found))}
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

    async def _insert_new(self, transactions: list[Transaction]) -> set[str]:
        """Insert those not stored yet (and their splits); the ids of the inserted ones."""
        if self.session.bind.dialect.name == "postgresql":
            # Each column as one array (asyncpg encodes them in C): one fixed statement
            # whatever the batch size, 30% faster than SQLAlchemy's multi-row VALUES for
            # 1,000 rows (the write-path figure of the benchmark).
            columns: dict[str, list] = {name: [] for name in _ARRAY_TYPES}
            for t in transactions:
                for name, value in _values(t).items():
                    columns[name].append(value)
            columns["created_at"] = [naive(v) for v in columns["created_at"]]
            pks = dict((await self.session.execute(_UNNEST_INSERT, columns)).all())
        else:
            stmt = (
                insert(self.session, TransactionRow)
                .on_conflict_do_nothing(index_elements=["user_id", "external_id"])
                .returning(TransactionRow.id, TransactionRow.pk)
            )
            pks = {}
            pos = await self.sync_log.position()
            for chunk_start in range(0, len(transactions), 500):
                chunk = transactions[chunk_start : chunk_start + 500]
                result = await self.session.execute(stmt, [{**_values(t), "sync_pos": pos} for t in chunk])
                pks.update(result.all())
        splits = [row for t in transactions if t.splits and t.id in pks for row in _split_rows(pks[t.id], t)]
        if splits:
            await self.session.execute(TransactionSplitRow.__table__.insert(), splits)
        return set(pks)

    async def _splits_of(self, rows: Sequence[TransactionRow]) -> dict[int, list[TransactionSplitRow]]:
        pks = [r.pk for r in rows if r.split]
        found: dict[int, list[TransactionSplitRow]] = defaultdict(list)
        if pks:
            for s in (await self.session.execute(select(TransactionSplitRow).where(TransactionSplitRow.transaction_pk.in_(pks)))).scalars():
                found[s.transaction_pk].append(s)
        return found

    async def _domain(self, rows: Sequence[TransactionRow]) -> list[Transaction]:
        splits = await self._splits_of(rows)
        return [to_domain(r, splits.get(r.pk, ())) for r in rows]

    async def update(self, before: Transaction, after: Transaction) -> bool:
        """Replace ``before`` (as read under lock) with ``after`` if its version is still
        ``before.version``; both rollups follow. False if it changed meanwhile."""
        values = _values(after)
        for column in ("id", "user_id", "external_id", "created_at"):
            values.pop(column)
        values["sync_pos"] = await self.sync_log.position()
        result = await self.session.execute(
            update(TransactionRow)
            .where(TransactionRow.id == before.id, TransactionRow.version == before.version)
            .values(**values)
            .returning(TransactionRow.pk)
        )
        pk = result.scalar_one_or_none()
        if pk is None:
            return False
        await self.session.execute(delete(TransactionSplitRow).where(TransactionSplitRow.transaction_pk == pk))
        if after.splits:
            await self.session.execute(TransactionSplitRow.__table__.insert(), _split_rows(pk, after))
        await self._roll_up([before], sign=-1)
        await self._roll_up([after], sign=1)
        return True

    async def get_for_update(self, transaction_id: str) -> Transaction | None:
        """The transaction, its row locked until the end of the database transaction."""
        row = await by_id(self.session, TransactionRow, transaction_id, for_update=True)
        return (await self._domain([row]))[0] if row else None

    async def _roll_up(self, transactions: Sequence[Transaction], sign: int) -> None:
        """Add the transactions to the per-day and the per-month rollups."""
        daily: dict[tuple[str, str, str, date], list] = defaultdict(lambda: [Decimal(0), 0])
        for t in transactions:
            for key, amount in t.parts:  # income and uncategorized ones count nowhere
                d = daily[(t.user_id, key, t.currency, t.occurred_on)]
                d[0] += sign * amount
                d[1] += sign
        if not daily:
            # Still a write of the user's transactions (an uncategorized one may be
            # categorized later): cached progress stays right, but versions must move
            # for anything keyed on them.
            users = sorted({t.user_id for t in transactions})
            if users:
                await self._raise_versions(users)
            return
        monthly: dict[tuple[str, str, str, date], list] = defaultdict(lambda: [Decimal(0), 0])
        for (u, k, c, day), (total, count) in daily.items():
            m = monthly[(u, k, c, day.replace(day=1))]
            m[0] += total
            m[1] += count
        await self._upsert(SpendingDailyRow, "day", daily)
        await self._upsert(SpendingMonthlyRow, "month", monthly)
        await self._raise_versions(sorted({u for u, *_ in daily}))

    async def _raise_versions(self, user_ids: list[str]) -> None:
        """One more on each writer's spending version (sorted: locks in one order)."""
        self.changes.users.update(user_ids)  # announced once the write commits
        stmt = insert(self.session, SpendingVersionRow)
        stmt = stmt.on_conflict_do_update(
            index_elements=["user_id"], set_={"version": SpendingVersionRow.version + 1}
        )
        await self.session.execute(stmt, [{"user_id": u, "version": 1} for u in user_ids])

    async def versions(self, user_ids: Sequence[str]) -> dict[str, int]:
        """Each user's spending version (0 before their first write)."""
        if not user_ids:
            return {}
        rows = await self.session.execute(
            select(SpendingVersionRow.user_id, SpendingVersionRow.version).where(
                SpendingVersionRow.user_id.in_(sorted(set(user_ids)))
            )
        )
        found = dict(rows.all())
        return {u: found.get(u, 0) for u in user_ids}

    async def _upsert(self, table, time_column: str, deltas: dict[tuple[str, str, str, date], list]) -> None:
        stmt = insert(self.session, table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["user_id", "category_key", "currency", time_column],
            set_={"total": table.total + stmt.excluded.total, "count": table.count + stmt.excluded.count},
        )
        # Sorted, so concurrent writers take row locks in the same order (no deadlocks).
        rows = [
            {"user_id": u, "category_key": k, "currency": c, time_column: when, "total": total, "count": count}
            for (u, k, c, when), (total, count) in sorted(deltas.items())
        ]
        await self.session.execute(stmt, rows)

    async def get(self, transaction_id: str) -> Transaction | None:
        row = await by_id(self.session, TransactionRow, transaction_id)
        return (await self._domain([row]))[0] if row else None

    async def get_many(self, transaction_ids: Sequence[str]) -> dict[str, Transaction]:
        found = await self._domain(await by_ids(self.session, TransactionRow, transaction_ids))
        return {t.id: t for t in found}

    async def stored_ids(self, transaction_ids: Sequence[str]) -> set[str]:
        return await stored_ids(self.session, TransactionRow, transaction_ids)

    async def delete(self, transaction_id: str) -> Transaction | None:
        found = await self.get_for_update(transaction_id)
        if found is None:
            return None
        result = await self.session.execute(delete(TransactionRow).where(TransactionRow.id == transaction_id))
        if result.rowcount != 1:
            return None
        self.sync_log.changed(TRANSACTION, found.id, [found.user_id], deleted=True)
        await self._roll_up([found], sign=-1)
        return found

    async def page(
        self,
        user_id: str,
        category_key: str | None,
        start: datetime | None,
        end: datetime | None,
        first: int,
        after: str | None,
        kind: TransactionKind | None = None,
        uncategorized: bool | None = None,
    ) -> Page[Transaction]:
        t = TransactionRow
        where = [t.user_id == user_id]
        if category_key is not None:
            in_split = select(TransactionSplitRow.transaction_pk).where(
                TransactionSplitRow.transaction_pk == t.pk, TransactionSplitRow.category_key == category_key
            )
            where.append(or_(t.category_key == category_key, and_(t.split == true(), in_split.exists())))
        if kind is not None:
            where.append(t.kind == kind.value)
        if uncategorized is True:
            where.append(and_(t.category.is_(None), t.split == false()))
        elif uncategorized is False:
            where.append(or_(t.category.is_not(None), t.split == true()))
        if start is not None:
            where.append(TransactionRow.occurred_at >= start)
        if end is not None:
            where.append(TransactionRow.occurred_at < end)
        total = (
            await self.session.execute(select(func.count()).select_from(TransactionRow).where(*where))
        ).scalar_one()
        cursors = await self.cursors.codec(self.session)
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
        shown = rows[:first]
        items = [(cursors.encode_pair(CURSOR, r.occurred_at, r.pk), t) for r, t in zip(shown, await self._domain(shown))]
        return Page(items, has_next, total, items[-1][0] if items else None)

    async def daily_totals(self, user_id: str, start: date, end: date, currency: str) -> list[tuple[date, str, Decimal]]:
        """(day, kind, total) of the user's transactions in ``currency`` over [start, end)."""
        t = TransactionRow
        rows = await self.session.execute(
            select(t.occurred_on, t.kind, func.sum(t.amount))
            .where(t.user_id == user_id, t.currency == currency, t.occurred_on >= start, t.occurred_on < end)
            .group_by(t.occurred_on, t.kind)
        )
        return [(day, kind, Decimal(total)) for day, kind, total in rows.all()]

    async def window_sums(self, windows: Sequence[SpendingWindow]) -> list[WindowSum]:
        # The same period of the same user once, whatever the number of budgets asking.
        keys_of: dict[tuple[str, date, date, datetime | None], set[str]] = {}
        for w in windows:
            if w.category_keys and w.start < w.end:
                keys_of.setdefault((w.user_id, w.start, w.end, w.since), set()).update(w.category_keys)
        if not keys_of:
            return []
        # Each window is its whole calendar months (the monthly rollup) plus the days
        # before and after them (the daily rollup): the rows read grow with the
        # number of periods, not with the days or transactions in them. A window that
        # starts at a moment within its first day (``since``) reads that day's
        # transactions from that moment on (a member's consent is not at midnight).
        day_pieces, month_pieces, moment_pieces = [], [], []
        for window in sorted(keys_of, key=lambda w: (w[0], w[1], w[2], w[3] or datetime.min)):
            _, start, end, since = window
            if since is not None:
                moment_pieces.append((window, since, start))  # that day, from that moment
                start = start + timedelta(days=1)
                if start >= end:
                    continue
            first_month = start if start.day == 1 else _next_month(start)
            last_month = end.replace(day=1)
            if first_month < last_month:
                month_pieces.append((window, first_month, last_month))
                day_pieces += [(window, lo, hi) for lo, hi in ((start, first_month), (last_month, end)) if lo < hi]
            else:
                day_pieces.append((window, start, end))
        pieces = day_pieces + month_pieces + moment_pieces
        keys = sorted(set().union(*keys_of.values()))
        sums: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0])
        # A long rollover history (hundreds of periods) is read in several statements:
        # SQLite allows 500 terms in a compound SELECT, PostgreSQL 65,535 parameters.
        for first in range(0, len(pieces), PIECES_PER_STATEMENT):
            chunk = pieces[first : first + PIECES_PER_STATEMENT]
            kinds = [len(day_pieces), len(day_pieces) + len(month_pieces)]  # where months, then moments begin
            days = sum(1 for i in range(first, first + len(chunk)) if i < kinds[0])
            months = sum(1 for i in range(first, first + len(chunk)) if kinds[0] <= i < kinds[1])
            params: dict = {"keys": keys}
            for i, ((user, *_), lo, hi) in enumerate(chunk):
                params.update({f"u{i}": user, f"lo{i}": lo, f"hi{i}": hi})
            statement = _window_sums_statement(days, months, len(chunk) - days - months)
            rows = await self.session.execute(statement, params)
            for piece, category, currency, total, count in rows:
                s = sums[(chunk[piece][0], category, currency)]
                s[0] += total
                s[1] += count
        return [WindowSum(*window, c, cur, t, n) for (window, c, cur), (t, n) in sums.items()]


PIECES_PER_STATEMENT = 400


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


@lru_cache(maxsize=128)
def _window_sums_statement(day_pieces: int, month_pieces: int, moment_pieces: int = 0):
    """Sums per piece ``i`` (``[lo_i, hi_i)`` of user ``u_i``), category and currency: one
    indexed range read per piece, glued with UNION ALL. Built once per shape, so
    SQLAlchemy compiles it once and the driver reuses its prepared statement. Day and
    month pieces read the rollups; moment pieces (part of one day) the transactions."""
    branches = [_piece(SpendingDailyRow.day, SpendingDailyRow, i) for i in range(day_pieces)]
    branches += [_piece(SpendingMonthlyRow.month, SpendingMonthlyRow, day_pieces + i) for i in range(month_pieces)]
    branches += [branch for i in range(moment_pieces) for branch in _moment_piece(day_pieces + month_pieces + i)]
    u = (union_all(*branches) if len(branches) > 1 else branches[0]).subquery("u")
    return select(u.c.piece, u.c.category_key, u.c.currency, func.sum(u.c.total), func.sum(u.c.count)).group_by(
        u.c.piece, u.c.category_key, u.c.currency
    )


def _piece(when, table, i: int):
    return select(
        literal_column(str(i), Integer).label("piece"), table.category_key, table.currency, table.total, table.count
    ).where(
        table.user_id == bindparam(f"u{i}", type_=String),
        when >= bindparam(f"lo{i}", type_=Date),
        when < bindparam(f"hi{i}", type_=Date),
        table.category_key.in_(bindparam("keys", expanding=True)),
    )


def _moment_piece(i: int):
    """Part of one day of the transactions themselves: the unsplit ones in their category,
    and the parts of split ones in theirs (income counts nowhere)."""
    t, sp = TransactionRow, TransactionSplitRow
    on_that_day = (
        t.user_id == bindparam(f"u{i}", type_=String),
        t.occurred_at >= bindparam(f"lo{i}", type_=DateTime),
        t.occurred_on == bindparam(f"hi{i}", type_=Date),
        t.kind == "expense",
    )

    def summed(category_key, amount):
        return select(
            literal_column(str(i), Integer).label("piece"),
            category_key,
            t.currency,
            func.sum(amount).label("total"),
            func.count().label("count"),
        ).where(*on_that_day, category_key.in_(bindparam("keys", expanding=True)))

    whole = summed(t.category_key, t.amount).group_by(t.category_key, t.currency)
    parts = (
        summed(sp.category_key, sp.amount)
        .select_from(sp)
        .join(t, t.pk == sp.transaction_pk)
        .group_by(sp.category_key, t.currency)
    )
    return whole, parts

"""Budgets in SQL: mapping rows to domain records and back."""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import Boolean, String, and_, delete, func, literal, or_, select, union_all, update

from domain import money
from domain.validation import fraction, storable
from domain.models import (
    AlertThresholds,
    Budget,
    BudgetMember,
    BudgetPeriod,
    BudgetType,
    BudgetRevision,
    CategoryLimit,
    CategoryPlan,
    FieldChange,
    MemberRole,
    PeriodAmount,
    RolloverMode,
)
from domain.ports import Page

from domain.sync.model import ALERT, BUDGET

from .repository import ChangingRepository
from .rows import by_id
from .tables import BudgetCategoryRow, BudgetMemberRow, BudgetPeriodAmountRow, BudgetRevisionRow, BudgetRow
from .types import Money, UTCDateTime

CURSOR = "budget"
REVISION_CURSOR = "revision"
# Every column of a budget row, selected as a plain row (``row.pk``, ``row.name``, …).
BUDGET_COLUMNS = tuple(BudgetRow.__table__.columns)


def to_domain(
    row,
    plans: Sequence[CategoryPlan],
    members: Sequence[BudgetMember],
    overrides: Sequence[PeriodAmount] = (),
) -> Budget:
    """A domain budget from a budget row (a plain row of ``BUDGET_COLUMNS``), its plans
    (oldest first), its members and its period-only amounts."""
    latest = plans[-1] if plans else CategoryPlan(0, ())
    return Budget(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        type=BudgetType(row.type),
        period=BudgetPeriod(row.period),
        currency=row.currency,
        limits=latest.limits,
        limits_from=latest.from_period,
        earlier=tuple(plans[:-1]),
        overrides=tuple(overrides),
        time_zone=row.time_zone,
        start_date=row.start_date,
        end_date=row.end_date,
        rollover_mode=RolloverMode(row.rollover_mode),
        created_at=row.created_at,
        updated_at=row.updated_at,
        thresholds=AlertThresholds(
            fraction(row.warning_threshold), fraction(row.limit_threshold), fraction(row.overspending_threshold)
        ),
        version=row.version,
        members=tuple(members),
    )


def _revision(budget_id: str, row: BudgetRevisionRow) -> BudgetRevision:
    return BudgetRevision(
        budget_id=budget_id,
        version=row.version,
        changed_at=row.changed_at,
        changed_by=row.changed_by,
        effective_period=row.effective_period,
        changes=tuple(FieldChange(c["field"], c["before"], c["after"]) for c in row.changes),
    )


def shared_with(user_ids: Sequence[str]):
    """The pks of the budgets shared with any of these users (a subquery)."""
    return select(BudgetMemberRow.budget_pk).where(BudgetMemberRow.user_id.in_(list(user_ids)))


def _fill(row: BudgetRow, b: Budget) -> None:
    row.user_id = b.user_id
    row.name = b.name
    row.type = b.type.value
    row.period = b.period.value
    row.currency = b.currency
    row.start_date = b.start_date
    row.end_date = b.end_date
    row.rollover_mode = b.rollover_mode.value
    row.warning_threshold = b.thresholds.warning
    row.limit_threshold = b.thresholds.limit_reached
    row.overspending_threshold = b.thresholds.overspending
    row.time_zone = b.time_zone
    row.version = b.version
    row.created_at = b.created_at
    row.updated_at = b.updated_at


def _category_rows(b: Budget) -> list[BudgetCategoryRow]:
    return [
        BudgetCategoryRow(
            from_period=plan.from_period, position=i, name=c.name, name_key=c.key, amount=c.amount,
            since_period=c.since_period,
        )
        for plan in b.plans
        for i, c in enumerate(plan.limits)
    ]


def _override_rows(b: Budget) -> list[BudgetPeriodAmountRow]:
    return [BudgetPeriodAmountRow(period=o.period, name_key=o.key, name=o.category, amount=o.amount) for o in b.overrides]


def _plans(rows: list[tuple[int, CategoryLimit]]) -> list[CategoryPlan]:
    """(from_period, limit) rows in order → plans, oldest first."""
    plans: list[CategoryPlan] = []
    current: list[CategoryLimit] = []
    start = None
    for from_period, limit in rows:
        if from_period != start:
            if start is not None:
                plans.append(CategoryPlan(start, tuple(current)))
            start, current = from_period, []
        current.append(limit)
    if start is not None:
        plans.append(CategoryPlan(start, tuple(current)))
    return plans


def _member_row(m: BudgetMember) -> BudgetMemberRow:
    return BudgetMemberRow(
        user_id=m.user_id, role=m.role.value, created_at=m.created_at, accepted_at=m.accepted_at,
        share_history=m.share_history,
    )


class SqlBudgetRepository(ChangingRepository):
    """``changes``: the budgets written; ``sync_log``: their owners' and members' changes."""

    def _synced(self, budget: Budget) -> None:
        """``budget`` changed for its owner and every member (delta sync)."""
        self.sync_log.changed(BUDGET, budget.id, [budget.user_id, *(m.user_id for m in budget.members)])

    async def _alerts_for(self, budget_id: str, user_id: str, *, deleted: bool) -> None:
        """The budget's alerts appear (or disappear) for a member who joins (or leaves)."""
        for alert_id, owner in await self.sync_log.alerts_of(budget_id):
            if owner != user_id:
                self.sync_log.changed(ALERT, alert_id, [user_id], deleted=deleted)

    async def add(self, budget: Budget) -> None:
        row = BudgetRow(id=budget.id)
        _fill(row, budget)
        row.categories = _category_rows(budget)
        row.members = [_member_row(m) for m in budget.members]
        self.session.add(row)
        await self.session.flush()
        self._synced(budget)
        for amount in _override_rows(budget):
            amount.budget_pk = row.pk
            self.session.add(amount)
        if budget.overrides:
            await self.session.flush()

    async def _row(self, budget_id: str) -> BudgetRow | None:
        return await by_id(self.session, BudgetRow, budget_id)

    async def _execute(self, stmt):
        """A column select run on the session's connection as plain SQL: the same rows as
        ``session.execute`` without the ORM's per-statement compile state and row
        loading (a sixth of a page of 50 budgets' time). Flushes first, as
        ``session.execute`` would, so a write reads what it changed."""
        await self.session.flush()
        return await (await self.session.connection()).execute(stmt)

    async def _read(self, stmt) -> list[tuple[int, Budget]]:
        """Budgets as plain rows, not ORM objects (reads are the hot path: no identity
        map, no instance state): one statement for the budgets, one for their categories
        and members together."""
        rows = (await self._execute(stmt)).all()
        if not rows:
            return []
        pks = [r.pk for r in rows]
        categories: dict[int, list] = {pk: [] for pk in pks}
        members: dict[int, list] = {pk: [] for pk in pks}
        overrides: dict[int, list] = {pk: [] for pk in pks}
        c, m, o = BudgetCategoryRow, BudgetMemberRow, BudgetPeriodAmountRow
        parts = union_all(
            select(
                c.budget_pk.label("budget_pk"),
                literal(0).label("kind"),
                c.from_period.label("from_period"),
                c.position.label("position"),
                c.name.label("name"),
                c.amount.label("amount"),
                c.since_period.label("since_period"),
                literal(None, String()).label("role"),
                literal(None, UTCDateTime()).label("created_at"),
                literal(None, UTCDateTime()).label("accepted_at"),
                literal(False, Boolean()).label("share_history"),
            ).where(c.budget_pk.in_(pks)),
            select(
                m.budget_pk, literal(1), literal(0), literal(0), m.user_id, literal(None, Money()), literal(0), m.role,
                m.created_at, m.accepted_at, m.share_history,
            ).where(m.budget_pk.in_(pks)),
            select(
                o.budget_pk, literal(2), o.period, literal(0), o.name, o.amount, literal(0), literal(None, String()),
                literal(None, UTCDateTime()), literal(None, UTCDateTime()), literal(False, Boolean()),
            ).where(o.budget_pk.in_(pks)),
        ).subquery()
        quantum = {r.pk: money.quantum(r.currency) for r in rows}
        ordered = select(parts).order_by(
            parts.c.budget_pk, parts.c.kind, parts.c.from_period, parts.c.position, parts.c.created_at, parts.c.name
        )
        # Unpacked by position: a page of budgets has a thousand of these rows, and
        # attribute access on a Row costs more than everything else done with it.
        for budget_pk, kind, from_period, _, name, amount, since_period, role, created_at, accepted_at, history in (
            await self._execute(ordered)
        ):
            if kind == 1:
                members[budget_pk].append(BudgetMember(name, MemberRole(role), created_at, accepted_at, bool(history)))
            elif kind == 0:
                limit = CategoryLimit(name, amount.quantize(quantum[budget_pk]), since_period)
                categories[budget_pk].append((from_period, limit))
            else:
                overrides[budget_pk].append(PeriodAmount(from_period, name, amount.quantize(quantum[budget_pk])))
        return [(r.pk, to_domain(r, _plans(categories[r.pk]), members[r.pk], overrides[r.pk])) for r in rows]

    async def get(self, budget_id: str, *, for_update: bool = False) -> Budget | None:
        if not storable(budget_id):  # no stored id holds a control character (PostgreSQL refuses U+0000)
            return None
        stmt = select(*BUDGET_COLUMNS).where(BudgetRow.id == budget_id)
        found = await self._read(stmt.with_for_update() if for_update else stmt)
        return found[0][1] if found else None

    async def get_many(self, budget_ids: Sequence[str]) -> dict[str, Budget]:
        budget_ids = [i for i in budget_ids if storable(i)]
        if not budget_ids:
            return {}
        return {b.id: b for _, b in await self._read(select(*BUDGET_COLUMNS).where(BudgetRow.id.in_(list(budget_ids))))}

    async def counting_spending_of(self, user_ids: Sequence[str], *, for_update: bool = False) -> list[Budget]:
        """Budgets whose spending these users' transactions count in: their own and the
        HOUSEHOLD budgets they are members of. ``for_update`` locks them (in id order)
        so concurrent writers evaluate alerts one at a time."""
        if not user_ids:
            return []
        users = sorted(set(user_ids))
        stmt = (
            select(*BUDGET_COLUMNS)
            .where(
                or_(
                    BudgetRow.user_id.in_(users),
                    and_(BudgetRow.type == BudgetType.HOUSEHOLD.value, BudgetRow.pk.in_(shared_with(users))),
                )
            )
            .order_by(BudgetRow.id)
        )
        if for_update:
            stmt = stmt.with_for_update()
        return [b for _, b in await self._read(stmt)]

    async def page_for_user(
        self, user_id: str, type: BudgetType | None, first: int, after: str | None, shared: bool | None = None
    ) -> Page[Budget]:
        own, others = BudgetRow.user_id == user_id, BudgetRow.pk.in_(shared_with([user_id]))
        where = [{None: or_(own, others), False: own, True: others}[shared]]
        if type is not None:
            where.append(BudgetRow.type == type.value)
        total = (await self.session.execute(select(func.count()).select_from(BudgetRow).where(*where))).scalar_one()
        cursors = await self.cursors.codec(self.session)
        after_seq = cursors.decode(CURSOR, after)
        page_where = list(where)
        if after_seq is not None:
            page_where.append(BudgetRow.pk < after_seq)
        rows = await self._read(select(*BUDGET_COLUMNS).where(*page_where).order_by(BudgetRow.pk.desc()).limit(first + 1))
        has_next = len(rows) > first
        items = [(cursors.encode(CURSOR, pk), b) for pk, b in rows[:first]]
        return Page(items, has_next, total, items[-1][0] if items else None)

    async def save(self, budget: Budget, *, expected_version: int) -> bool:
        self.changes.budgets.add(budget.id)
        row = await self._row(budget.id)
        if row is None:
            return False
        # Compare-and-set on the version: a concurrent writer that got there first wins,
        # and this write reports a conflict instead of silently overwriting it.
        result = await self.session.execute(
            update(BudgetRow)
            .where(BudgetRow.pk == row.pk, BudgetRow.version == expected_version)
            .values(version=budget.version)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return False
        await self.session.refresh(row)
        _fill(row, budget)
        await self.session.execute(delete(BudgetCategoryRow).where(BudgetCategoryRow.budget_pk == row.pk))
        await self.session.execute(delete(BudgetPeriodAmountRow).where(BudgetPeriodAmountRow.budget_pk == row.pk))
        self.session.expire(row, ["categories"])
        for category in (*_category_rows(budget), *_override_rows(budget)):
            category.budget_pk = row.pk
            self.session.add(category)
        await self.session.flush()
        self._synced(budget)
        return True

    async def add_revision(self, revision: BudgetRevision) -> None:
        """Record one change of a budget (in the caller's transaction)."""
        pk = (await self.session.execute(select(BudgetRow.pk).where(BudgetRow.id == revision.budget_id))).scalar_one()
        self.session.add(
            BudgetRevisionRow(
                budget_pk=pk,
                version=revision.version,
                changed_at=revision.changed_at,
                changed_by=revision.changed_by,
                effective_period=revision.effective_period,
                changes=[{"field": c.field, "before": c.before, "after": c.after} for c in revision.changes],
            )
        )
        await self.session.flush()

    async def revisions(self, budget_id: str, first: int, after: str | None) -> Page[BudgetRevision]:
        """A budget's change log, newest first."""
        pk = (await self.session.execute(select(BudgetRow.pk).where(BudgetRow.id == budget_id))).scalar_one_or_none()
        if pk is None:
            return Page([], False, 0, None)
        r = BudgetRevisionRow
        total = (await self.session.execute(select(func.count()).select_from(r).where(r.budget_pk == pk))).scalar_one()
        cursors = await self.cursors.codec(self.session)
        after_seq = cursors.decode(REVISION_CURSOR, after)
        where = [r.budget_pk == pk]
        if after_seq is not None:
            where.append(r.pk < after_seq)
        rows = (await self.session.execute(select(r).where(*where).order_by(r.pk.desc()).limit(first + 1))).scalars().all()
        items = [(cursors.encode(REVISION_CURSOR, row.pk), _revision(budget_id, row)) for row in rows[:first]]
        return Page(items, len(rows) > first, total, items[-1][0] if items else None)

    async def all_revisions(self, budget_id: str) -> list[BudgetRevision]:
        """A budget's whole change log, oldest first (for backups)."""
        r = BudgetRevisionRow
        rows = (
            await self.session.execute(
                select(r).join(BudgetRow, BudgetRow.pk == r.budget_pk).where(BudgetRow.id == budget_id).order_by(r.pk)
            )
        ).scalars().all()
        return [_revision(budget_id, row) for row in rows]

    async def add_member(self, budget_id: str, member: BudgetMember) -> Budget:
        self.changes.budgets.add(budget_id)
        row = await self._row(budget_id)
        row.members.append(_member_row(member))
        await self.session.flush()
        joined = await self.get(budget_id)
        self._synced(joined)
        await self._alerts_for(budget_id, member.user_id, deleted=False)
        return joined

    async def set_role(self, budget_id: str, user_id: str, role: MemberRole) -> Budget | None:
        self.changes.budgets.add(budget_id)
        row = await self._row(budget_id)
        member = next((m for m in row.members if m.user_id == user_id), None)
        if member is None:
            return None
        member.role = role.value
        await self.session.flush()
        changed = await self.get(budget_id)
        self._synced(changed)
        return changed

    async def remove_member(self, budget_id: str, user_id: str) -> Budget | None:
        self.changes.budgets.add(budget_id)
        row = await self._row(budget_id)
        member = next((m for m in row.members if m.user_id == user_id), None)
        if member is None:
            return None
        row.members.remove(member)
        await self.session.flush()
        left = await self.get(budget_id)
        self._synced(left)
        self.sync_log.changed(BUDGET, budget_id, [user_id], deleted=True)  # no longer theirs to see
        await self._alerts_for(budget_id, user_id, deleted=True)
        return left

    async def delete(self, budget_id: str) -> bool:
        if not storable(budget_id):
            return False
        audience = (await self.sync_log.audiences([budget_id])).get(budget_id, set())
        result = await self.session.execute(delete(BudgetRow).where(BudgetRow.id == budget_id))
        self.sync_log.changed(BUDGET, budget_id, sorted(audience), deleted=True)
        self.changes.budgets.add(budget_id)
        return result.rowcount == 1

"""Goals in SQL."""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import money
from domain.goals.model import Goal
from domain.validation import storable

from domain.sync.model import GOAL

from .sync_log import SyncLog
from .rows import by_id
from .tables import GoalRow

_FIELDS = ("user_id", "name", "target_amount", "target_date", "currency", "budget_id", "category", "starting_amount",
           "version", "created_at", "updated_at")


def to_domain(row: GoalRow) -> Goal:
    q = money.quantum(row.currency)
    return Goal(
        id=row.id, user_id=row.user_id, name=row.name, target_amount=row.target_amount.quantize(q),
        target_date=row.target_date, currency=row.currency, budget_id=row.budget_id, category=row.category,
        starting_amount=row.starting_amount.quantize(q), created_at=row.created_at, updated_at=row.updated_at,
        version=row.version,
    )


class SqlGoalRepository:
    def __init__(self, session: AsyncSession, sync_log: SyncLog | None = None):
        self.session = session
        self.sync_log = sync_log if sync_log is not None else SyncLog(session)  # for delta sync (the owner's)

    async def add(self, goal: Goal) -> None:
        self.session.add(GoalRow(id=goal.id, **{f: getattr(goal, f) for f in _FIELDS}))
        await self.session.flush()
        self.sync_log.changed(GOAL, goal.id, [goal.user_id])

    async def get(self, goal_id: str) -> Goal | None:
        row = await by_id(self.session, GoalRow, goal_id)
        return to_domain(row) if row else None

    async def save(self, goal: Goal) -> None:
        row = (await self.session.execute(select(GoalRow).where(GoalRow.id == goal.id))).scalar_one()
        for f in _FIELDS:
            setattr(row, f, getattr(goal, f))
        await self.session.flush()
        self.sync_log.changed(GOAL, goal.id, [goal.user_id])

    async def delete(self, goal_id: str) -> bool:
        if not storable(goal_id):
            return False
        return bool(await self._delete(GoalRow.id == goal_id))

    async def _delete(self, where) -> list:
        gone = list(await self.session.execute(delete(GoalRow).where(where).returning(GoalRow.id, GoalRow.user_id)))
        for goal_id, owner in gone:
            self.sync_log.changed(GOAL, goal_id, [owner], deleted=True)
        return gone

    async def for_user(self, user_id: str) -> list[Goal]:
        rows = await self.session.execute(select(GoalRow).where(GoalRow.user_id == user_id).order_by(GoalRow.pk))
        return [to_domain(r) for r in rows.scalars()]

    async def for_budgets(self, budget_ids: Sequence[str]) -> dict[str, list[Goal]]:
        found: dict[str, list[Goal]] = {b: [] for b in budget_ids}
        if not budget_ids:
            return found
        rows = await self.session.execute(
            select(GoalRow).where(GoalRow.budget_id.in_(sorted(set(budget_ids)))).order_by(GoalRow.pk)
        )
        for r in rows.scalars():
            found[r.budget_id].append(to_domain(r))
        return found

    async def delete_for_budget(self, budget_id: str) -> None:
        await self._delete(GoalRow.budget_id == budget_id)

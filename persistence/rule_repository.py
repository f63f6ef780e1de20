"""Category rules in SQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.spending.category_rules import CategoryRule, Match
from domain.validation import storable

from domain.sync.model import RULE

from .sync_log import SyncLog
from .rows import by_id
from .tables import CategoryRuleRow

_CONDITIONS = (
    "description_contains", "description_equals", "description_starts_with", "source_category", "amount_min",
    "amount_max",
)


def _exact(value):
    """An amount as given, without the zeros the column's scale adds (500.0000 → 500)."""
    return None if value is None else Decimal(format(value.normalize(), "f"))


def to_domain(row) -> CategoryRule:
    """A rule from its ORM object or a plain row of its columns."""
    conditions = {name: getattr(row, name) for name in _CONDITIONS}
    conditions["amount_min"], conditions["amount_max"] = _exact(row.amount_min), _exact(row.amount_max)
    return CategoryRule(
        id=row.id,
        user_id=row.user_id,
        category=row.category,
        priority=row.priority,
        match=Match(**conditions),
        created_at=row.created_at,
        seq=row.pk,
    )


def _fill(row: CategoryRuleRow, rule: CategoryRule) -> None:
    row.user_id = rule.user_id
    row.category = rule.category
    row.priority = rule.priority
    for name in _CONDITIONS:
        setattr(row, name, getattr(rule.match, name))
    row.created_at = rule.created_at


class SqlRuleRepository:
    def __init__(self, session: AsyncSession, sync_log: SyncLog | None = None):
        self.session = session
        self.sync_log = sync_log if sync_log is not None else SyncLog(session)  # for delta sync (the owner's)

    async def add(self, rule: CategoryRule) -> CategoryRule:
        row = CategoryRuleRow(id=rule.id)
        _fill(row, rule)
        self.session.add(row)
        await self.session.flush()
        self.sync_log.changed(RULE, rule.id, [rule.user_id])
        return to_domain(row)

    async def get(self, rule_id: str) -> CategoryRule | None:
        row = await by_id(self.session, CategoryRuleRow, rule_id)
        return to_domain(row) if row else None

    async def save(self, rule: CategoryRule) -> None:
        row = (await self.session.execute(select(CategoryRuleRow).where(CategoryRuleRow.id == rule.id))).scalar_one()
        _fill(row, rule)
        await self.session.flush()
        self.sync_log.changed(RULE, rule.id, [rule.user_id])

    async def delete(self, rule_id: str) -> bool:
        if not storable(rule_id):
            return False
        stmt = delete(CategoryRuleRow).where(CategoryRuleRow.id == rule_id).returning(CategoryRuleRow.user_id)
        owner = (await self.session.execute(stmt)).scalar_one_or_none()
        if owner is None:
            return False
        self.sync_log.changed(RULE, rule_id, [owner], deleted=True)
        return True

    async def for_users(self, user_ids: Sequence[str]) -> dict[str, list[CategoryRule]]:
        """Each user's rules, oldest first (one statement)."""
        found: dict[str, list[CategoryRule]] = {u: [] for u in user_ids}
        if not user_ids:
            return found
        # Plain rows, not ORM objects: a write reads up to 500 rules a user to categorize.
        rows = await self.session.execute(
            select(*CategoryRuleRow.__table__.c)
            .where(CategoryRuleRow.user_id.in_(sorted(set(user_ids))))
            .order_by(CategoryRuleRow.pk)
        )
        for row in rows:
            found[row.user_id].append(to_domain(row))
        return found

    async def count_for_user(self, user_id: str) -> int:
        stmt = select(func.count()).select_from(CategoryRuleRow).where(CategoryRuleRow.user_id == user_id)
        return (await self.session.execute(stmt)).scalar_one()

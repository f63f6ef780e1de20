"""Users' own templates in SQL. Weights are stored as strings in JSON, so they stay exact."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.mapping import copied
from domain.models import BudgetPeriod, BudgetType
from domain.templates.model import Template, TemplateCategory
from domain.validation import storable

from domain.sync.model import TEMPLATE

from .sync_log import SyncLog
from .tables import UserTemplateRow


def to_domain(row: UserTemplateRow) -> Template:
    return copied(
        Template,
        row,  # and key, name, description, created_at
        type=BudgetType(row.type),
        period=BudgetPeriod(row.period),
        categories=tuple(TemplateCategory(c["name"], c["group"], Decimal(c["weight"])) for c in row.categories),
        owner=row.user_id,
    )


def to_row(t: Template) -> UserTemplateRow:
    return UserTemplateRow(
        user_id=t.owner,
        key=t.key,
        name=t.name,
        description=t.description,
        type=t.type.value,
        period=t.period.value,
        categories=[{"name": c.name, "group": c.group, "weight": str(c.weight)} for c in t.categories],
        created_at=t.created_at,
    )


class SqlTemplateRepository:
    def __init__(self, session: AsyncSession, sync_log: SyncLog | None = None):
        self.session = session
        self.sync_log = sync_log if sync_log is not None else SyncLog(session)  # for delta sync

    async def add(self, template: Template) -> bool:
        # A savepoint, so a concurrent insert of the same key is a clean "no" (the unique
        # constraint decides) and the surrounding transaction stays usable.
        try:
            async with self.session.begin_nested():
                self.session.add(to_row(template))
        except IntegrityError:
            return False
        self.sync_log.changed(TEMPLATE, template.key, [template.owner])
        return True

    async def get(self, user_id: str, key: str) -> Template | None:
        if not storable(key):  # no stored key holds a control character
            return None
        row = (
            await self.session.execute(
                select(UserTemplateRow).where(UserTemplateRow.user_id == user_id, UserTemplateRow.key == key)
            )
        ).scalar_one_or_none()
        return to_domain(row) if row else None

    async def list_for_user(self, user_id: str) -> list[Template]:
        rows = (
            await self.session.execute(
                select(UserTemplateRow).where(UserTemplateRow.user_id == user_id).order_by(UserTemplateRow.pk)
            )
        ).scalars()
        return [to_domain(r) for r in rows]

    async def delete(self, user_id: str, key: str) -> bool:
        if not storable(key):
            return False
        result = await self.session.execute(
            delete(UserTemplateRow).where(UserTemplateRow.user_id == user_id, UserTemplateRow.key == key)
        )
        if result.rowcount != 1:
            return False
        self.sync_log.changed(TEMPLATE, key, [user_id], deleted=True)
        return True

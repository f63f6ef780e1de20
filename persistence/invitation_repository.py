"""Budget invitations in SQL. A PENDING row past its ``expires_at`` reads as EXPIRED:
expiry is a matter of time, never a write."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Sequence

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.mapping import copied
from domain.models import MemberRole
from domain.sharing.rules import Invitation, InvitationStatus

from .rows import row_of, stored_ids
from .tables import BudgetInvitationRow, BudgetRow

_I, _B = BudgetInvitationRow, BudgetRow
_COLUMNS = (
    _I.id, _B.id.label("budget_id"), _B.name.label("budget_name"), _I.user_id, _I.role, _I.invited_by,
    _I.created_at, _I.expires_at, _I.status, _I.responded_at, _I.share_history,
)


def _to_domain(row) -> Invitation:
    """An invitation from a row of ``_COLUMNS`` (named as the record's fields)."""
    return copied(Invitation, row, role=MemberRole(row.role), status=InvitationStatus(row.status))


def _with_status(status: InvitationStatus | None, now: datetime):
    """The SQL condition for invitations that read as ``status`` at ``now``."""
    pending = InvitationStatus.PENDING.value
    if status is None:
        return True
    if status is InvitationStatus.PENDING:
        return and_(_I.status == pending, _I.expires_at > now)
    if status is InvitationStatus.EXPIRED:
        return or_(_I.status == status.value, and_(_I.status == pending, _I.expires_at <= now))
    return _I.status == status.value


class SqlInvitationRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    def _select(self):
        return select(*_COLUMNS).join(_B, _B.pk == _I.budget_pk)

    async def add(self, invitation: Invitation) -> None:
        budget_pk = select(_B.pk).where(_B.id == invitation.budget_id).scalar_subquery()
        self.session.add(
            row_of(
                BudgetInvitationRow, invitation,
                budget_pk=budget_pk, role=invitation.role.value, status=invitation.status.value,
            )
        )
        await self.session.flush()

    async def get(self, invitation_id: str, *, for_update: bool = False) -> Invitation | None:
        stmt = self._select().where(_I.id == invitation_id)
        if for_update:
            stmt = stmt.with_for_update(of=_I)
        row = (await self.session.execute(stmt)).one_or_none()
        return _to_domain(row) if row else None

    async def open_for(self, budget_id: str, user_id: str, now: datetime) -> Invitation | None:
        """The budget's open invitation of ``user_id``, if any."""
        stmt = self._select().where(
            _B.id == budget_id, _I.user_id == user_id, _with_status(InvitationStatus.PENDING, now)
        )
        row = (await self.session.execute(stmt.order_by(_I.pk.desc()).limit(1))).one_or_none()
        return _to_domain(row) if row else None

    async def count_open(self, budget_id: str, now: datetime) -> int:
        stmt = (
            select(func.count())
            .select_from(_I)
            .join(_B, _B.pk == _I.budget_pk)
            .where(_B.id == budget_id, _with_status(InvitationStatus.PENDING, now))
        )
        return (await self.session.execute(stmt)).scalar_one()

    async def count_sent_since(self, inviter: str, since: datetime) -> int:
        stmt = select(func.count()).select_from(_I).where(_I.invited_by == inviter, _I.created_at > since)
        return (await self.session.execute(stmt)).scalar_one()

    async def respond(
        self,
        invitation_id: str,
        status: InvitationStatus,
        at: datetime,
        *,
        share_history: bool = False,
    ) -> None:
        await self.session.execute(
            update(_I)
            .where(_I.id == invitation_id)
            .values(status=status.value, responded_at=at, share_history=share_history)
            .execution_options(synchronize_session=False)
        )

    async def set_role(self, invitation_id: str, role: MemberRole) -> None:
        await self.session.execute(
            update(_I).where(_I.id == invitation_id).values(role=role.value).execution_options(synchronize_session=False)
        )

    async def for_user(
        self, user_id: str, status: InvitationStatus | None, now: datetime, limit: int
    ) -> list[Invitation]:
        """The invitations ``user_id`` received, newest first."""
        stmt = self._select().where(_I.user_id == user_id, _with_status(status, now))
        rows = await self.session.execute(stmt.order_by(_I.pk.desc()).limit(limit))
        return [_to_domain(r) for r in rows]

    async def for_budgets(
        self, budget_ids: Sequence[str], status: InvitationStatus | None, now: datetime, limit: int | None
    ) -> dict[str, list[Invitation]]:
        """Each budget's invitations, newest first (at most ``limit`` each): one statement."""
        if not budget_ids:
            return {}
        ranked = (
            self._select()
            .add_columns(func.row_number().over(partition_by=_I.budget_pk, order_by=_I.pk.desc()).label("n"))
            .where(_B.id.in_(list(budget_ids)), _with_status(status, now))
            .subquery()
        )
        stmt = select(ranked).order_by(ranked.c.budget_id, ranked.c.n)
        if limit is not None:
            stmt = stmt.where(ranked.c.n <= limit)
        found: dict[str, list[Invitation]] = defaultdict(list)
        for row in await self.session.execute(stmt):
            found[row.budget_id].append(_to_domain(row))
        return {b: found.get(b, []) for b in budget_ids}

    async def stored_ids(self, invitation_ids: Sequence[str]) -> set[str]:
        return await stored_ids(self.session, _I, invitation_ids)

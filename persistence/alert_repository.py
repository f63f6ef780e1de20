"""The alert outbox: alerts stored in the same transaction as the write that raised
them, unique per (budget, period, category, type)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Sequence

from collections import defaultdict
from dataclasses import replace

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.alerts.rules import AlertEvent, AlertType
from domain.mapping import copied
from domain.models import category_key
from domain.webhooks.model import DeliveryStatus
from domain.ports import Page

from domain.sync.model import ALERT

from .cursors import Cursors
from .budget_repository import shared_with
from .sync_log import SyncLog
from .dialects import insert
from .rows import by_id, by_ids
from .tables import AlertRow, BudgetMemberRow, BudgetRow, WebhookDeliveryRow

CURSOR = "alert"
CHANNEL = "budgetql_alerts"
NOTIFY_CHUNK = 500  # seqs per NOTIFY: well under PostgreSQL's 8,000-byte payload cap


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


# The alert's fields stored under their own names: columns of the row, and in its
# payload the texts as they are and the amounts as decimal text (exact figures; JSON
# numbers would pass through float).
_COLUMNS = ("id", "budget_id", "user_id", "period_start")
_TEXTS = ("severity", "message")
_AMOUNTS = ("spent_amount", "budgeted_amount", "remaining_amount")


def to_domain(row: AlertRow) -> AlertEvent:
    p = row.payload
    return copied(
        AlertEvent,
        row,  # and seq, acknowledged_at
        category=p.get("category"),
        alert_type=AlertType(row.alert_type),
        **{name: p[name] for name in _TEXTS},
        percent_used=_dec(p.get("percent_used")),
        **{name: Decimal(p[name]) for name in _AMOUNTS},
        timestamp=row.created_at,
        goal_id=p.get("goal_id"),
    )


def _values(e: AlertEvent) -> dict:
    return {
        **{name: getattr(e, name) for name in _COLUMNS},
        "category_key": _category_key(e),
        "alert_type": e.alert_type.value,
        "payload": {
            "category": e.category,
            **{name: getattr(e, name) for name in _TEXTS},
            "percent_used": None if e.percent_used is None else str(e.percent_used),
            **{name: str(getattr(e, name)) for name in _AMOUNTS},
            **({"goal_id": e.goal_id} if e.goal_id else {}),
        },
        "created_at": e.timestamp,
    }


def _once_key(e: AlertEvent) -> tuple:
    """What the outbox keeps unique (``uq_alerts_once``), as ``_values`` stores it."""
    return (e.budget_id, e.period_start, _category_key(e), e.alert_type.value)


def _category_key(e: AlertEvent) -> str:
    if e.goal_id:
        return f"goal:{e.goal_id}"  # a goal's alerts are its own, whatever its category's
    return category_key(e.category or "")  # "" for the budget total


def readable_by(user_id: str):
    """Alerts a user may read: those of their own budgets and of budgets shared with them."""
    shared = select(BudgetRow.id).where(BudgetRow.pk.in_(shared_with([user_id])))
    return or_(AlertRow.user_id == user_id, AlertRow.budget_id.in_(shared))


class SqlAlertRepository:
    def __init__(
        self, session: AsyncSession, announced: list[int], cursors: Cursors | None = None,
        sync_log: SyncLog | None = None,
    ):
        self.session = session
        self.cursors = cursors or Cursors()
        self.announced = announced  # seqs to announce once the transaction commits
        self.sync_log = sync_log if sync_log is not None else SyncLog(session)  # for delta sync

    async def _synced(self, alerts: Sequence[tuple[str, str, str]], *, deleted: bool = False) -> None:
        """(id, budget id, owner) of alerts changed for their recipients: the owner and
        the budget's members now (delta sync)."""
        audiences = await self.sync_log.audiences(sorted({budget_id for _, budget_id, _ in alerts}))
        for alert_id, budget_id, owner in alerts:
            self.sync_log.changed(ALERT, alert_id, {owner, *audiences.get(budget_id, ())}, deleted=deleted)

    async def add(self, events: Sequence[AlertEvent]) -> list[AlertEvent]:
        if not events:
            return []
        stmt = (
            insert(self.session, AlertRow)
            .on_conflict_do_nothing(index_elements=["budget_id", "period_start", "category_key", "alert_type"])
            .returning(AlertRow.id, AlertRow.seq)
        )
        # Evaluation hands over every alert that holds; most were stored by earlier
        # writes. One read finds those, so a write past its thresholds costs one
        # statement here rather than one per category and level.
        known = await self._stored_keys(events)
        stored: dict[str, int] = {}
        for e in events:  # one by one: RETURNING with ON CONFLICT DO NOTHING, in raising order
            if _once_key(e) in known:
                continue
            row = (await self.session.execute(stmt, _values(e))).first()
            if row is not None:
                stored[row.id] = row.seq
        new = [e.__class__(**{**e.__dict__, "seq": stored[e.id]}) for e in events if e.id in stored]
        for e in new:
            self.sync_log.changed(ALERT, e.id, {e.user_id, *e.audience})
        # Announced when the unit of work commits (persistence/notices.py: NOTIFY in the
        # same transaction on PostgreSQL, so never for a write that rolls back).
        self.announced.extend(e.seq for e in new)
        return new

    async def _stored_keys(self, events: Sequence[AlertEvent]) -> set[tuple]:
        """The (budget, period, category, type) keys of ``events`` already in the outbox.
        Only a shortcut: a racing writer's alert is still caught by the unique key."""
        r = AlertRow
        rows = await self.session.execute(
            select(r.budget_id, r.period_start, r.category_key, r.alert_type).where(
                r.budget_id.in_(sorted({e.budget_id for e in events})),
                r.period_start.in_(sorted({e.period_start for e in events})),
            )
        )
        return {tuple(row) for row in rows}

    async def get(self, alert_id: str) -> AlertEvent | None:
        row = await by_id(self.session, AlertRow, alert_id)
        return to_domain(row) if row else None

    async def get_many(self, alert_ids: Sequence[str]) -> dict[str, AlertEvent]:
        return {r.id: to_domain(r) for r in await by_ids(self.session, AlertRow, alert_ids)}

    async def delete_for_budget(self, budget_id: str) -> None:
        await self._synced(
            [(alert_id, budget_id, owner) for alert_id, owner in await self.sync_log.alerts_of(budget_id)], deleted=True
        )
        seqs = select(AlertRow.seq).where(AlertRow.budget_id == budget_id)
        await self.session.execute(
            delete(WebhookDeliveryRow).where(
                WebhookDeliveryRow.alert_seq.in_(seqs), WebhookDeliveryRow.status == DeliveryStatus.PENDING.value
            )
        )
        await self.session.execute(delete(AlertRow).where(AlertRow.budget_id == budget_id))

    async def acknowledge(self, alert_id: str, at: datetime) -> AlertEvent | None:
        await self.session.execute(
            update(AlertRow)
            .where(AlertRow.id == alert_id, AlertRow.acknowledged_at.is_(None))
            .values(acknowledged_at=at)
        )
        found = await self.get(alert_id)
        if found is not None:
            await self._synced([(found.id, found.budget_id, found.user_id)])
        return found

    async def by_seqs(self, seqs: Sequence[int]) -> list[AlertEvent]:
        if not seqs:
            return []
        rows = await self.session.execute(select(AlertRow).where(AlertRow.seq.in_(list(seqs))).order_by(AlertRow.seq))
        return await self._with_audience([to_domain(r) for r in rows.scalars()])

    async def _with_audience(self, events: list[AlertEvent]) -> list[AlertEvent]:
        """Each alert with its budget's members as they are now (one statement)."""
        budget_ids = sorted({e.budget_id for e in events})
        if not budget_ids:
            return events
        rows = await self.session.execute(
            select(BudgetRow.id, BudgetMemberRow.user_id)
            .join(BudgetMemberRow, BudgetMemberRow.budget_pk == BudgetRow.pk)
            .where(BudgetRow.id.in_(budget_ids))
        )
        members: dict[str, set[str]] = defaultdict(set)
        for budget_id, user_id in rows:
            members[budget_id].add(user_id)
        return [replace(e, audience=frozenset(members[e.budget_id])) for e in events]

    async def after(self, seq: int, user_id: str, budget_id: str | None, limit: int) -> list[AlertEvent]:
        stmt = select(AlertRow).where(AlertRow.seq > seq, readable_by(user_id))
        if budget_id is not None:
            stmt = stmt.where(AlertRow.budget_id == budget_id)
        rows = await self.session.execute(stmt.order_by(AlertRow.seq).limit(limit))
        return [to_domain(r) for r in rows.scalars()]

    async def raised_since(self, moment: datetime) -> list[AlertEvent]:
        rows = await self.session.execute(select(AlertRow).where(AlertRow.created_at >= moment).order_by(AlertRow.seq))
        return await self._with_audience([to_domain(r) for r in rows.scalars()])

    async def page(
        self, user_id: str, budget_id: str | None, unacknowledged_only: bool, first: int, after: str | None
    ) -> Page[AlertEvent]:
        where = [readable_by(user_id)]
        if budget_id is not None:
            where.append(AlertRow.budget_id == budget_id)
        if unacknowledged_only:
            where.append(AlertRow.acknowledged_at.is_(None))
        total = (await self.session.execute(select(func.count()).select_from(AlertRow).where(*where))).scalar_one()
        cursors = await self.cursors.codec(self.session)
        after_seq = cursors.decode(CURSOR, after)
        if after_seq is not None:
            where.append(AlertRow.seq < after_seq)
        rows = list(
            (await self.session.execute(select(AlertRow).where(*where).order_by(AlertRow.seq.desc()).limit(first + 1))).scalars()
        )
        items = [(cursors.encode(CURSOR, r.seq), to_domain(r)) for r in rows[:first]]
        return Page(items, len(rows) > first, total, items[-1][0] if items else None)

    async def acknowledged_of_budgets(self, budget_ids: Sequence[str]) -> list[AlertEvent]:
        """The acknowledged alerts of these budgets, oldest acknowledgement first."""
        if not budget_ids:
            return []
        rows = await self.session.execute(
            select(AlertRow)
            .where(AlertRow.budget_id.in_(list(budget_ids)), AlertRow.acknowledged_at.is_not(None))
            .order_by(AlertRow.acknowledged_at, AlertRow.seq)
        )
        return [to_domain(r) for r in rows.scalars()]

    async def acknowledge_matching(
        self, budget_id: str, period_start: datetime, category: str | None, alert_type: AlertType, at: datetime
    ) -> bool:
        """Mark the alert unique by (budget, period, category, type) as acknowledged at
        ``at``, if it is stored and not acknowledged yet."""
        result = await self.session.execute(
            update(AlertRow)
            .where(
                AlertRow.budget_id == budget_id,
                AlertRow.period_start == period_start,
                AlertRow.category_key == category_key(category or ""),
                AlertRow.alert_type == alert_type.value,
                AlertRow.acknowledged_at.is_(None),
            )
            .values(acknowledged_at=at)
            .returning(AlertRow.id, AlertRow.budget_id, AlertRow.user_id)
            .execution_options(synchronize_session=False)
        )
        changed = [tuple(r) for r in result]
        await self._synced(changed)
        return len(changed) == 1

"""Webhooks and their deliveries: the rows, the delivery log, and how a worker claims
due deliveries so that two processes never send the same one at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.alerts.rules import AlertEvent
from domain.mapping import copied
from domain.ports import Page
from domain.webhooks.model import Delivery, DeliveryStatus, Webhook

from .cursors import Cursors
from .alert_repository import to_domain as alert_to_domain
from .dialects import is_postgres
from .rows import by_id, by_ids, row_of, stored_ids
from .tables import AlertRow, WebhookDeliveryRow, WebhookRow

CURSOR = "delivery"
PENDING = DeliveryStatus.PENDING.value


def _webhook(row: WebhookRow) -> Webhook:
    return copied(Webhook, row)


def _delivery(row: WebhookDeliveryRow, alert_id: str | None) -> Delivery:
    return copied(Delivery, row, status=DeliveryStatus(row.status), alert_id=alert_id)


@dataclass(frozen=True)
class Claim:
    """A due delivery this worker holds until ``lease_until`` (its claim token)."""

    pk: int
    id: str
    attempts: int
    lease_until: datetime
    url: str
    secret: str
    event: AlertEvent


class SqlWebhookRepository:
    def __init__(self, session: AsyncSession, cursors: Cursors | None = None):
        self.session = session
        self.cursors = cursors or Cursors()

    # -- webhooks --------------------------------------------------------------------
    async def add(self, webhook: Webhook) -> None:
        self.session.add(row_of(WebhookRow, webhook))
        await self.session.flush()

    async def set_secret(self, webhook_id: str, secret: str) -> None:
        await self.session.execute(
            update(WebhookRow).where(WebhookRow.id == webhook_id).values(secret=secret)
            .execution_options(synchronize_session=False)
        )

    async def stored_ids(self, webhook_ids: Sequence[str]) -> set[str]:
        return await stored_ids(self.session, WebhookRow, webhook_ids)

    async def count_for_user(self, user_id: str) -> int:
        if is_postgres(self.session):
            # Two registrations of one user at once must not both see room for one more.
            await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": "webhooks:" + user_id})
        stmt = select(func.count()).select_from(WebhookRow).where(WebhookRow.user_id == user_id)
        return (await self.session.execute(stmt)).scalar_one()

    async def list_for_user(self, user_id: str) -> list[Webhook]:
        rows = await self.session.execute(select(WebhookRow).where(WebhookRow.user_id == user_id).order_by(WebhookRow.pk))
        return [_webhook(r) for r in rows.scalars()]

    async def get(self, webhook_id: str) -> Webhook | None:
        row = await by_id(self.session, WebhookRow, webhook_id)
        return _webhook(row) if row else None

    async def get_many(self, webhook_ids: Sequence[str]) -> dict[str, Webhook]:
        return {r.id: _webhook(r) for r in await by_ids(self.session, WebhookRow, webhook_ids)}

    async def for_users(self, user_ids: Sequence[str]) -> list[Webhook]:
        # FOR SHARE: a concurrent deleteWebhook waits for this transaction, then removes
        # the deliveries it queued too (see delete), so none outlives its webhook.
        stmt = (
            select(WebhookRow)
            .where(WebhookRow.user_id.in_(list(user_ids)))
            .order_by(WebhookRow.pk)
            .with_for_update(read=True)
        )
        return [_webhook(r) for r in (await self.session.execute(stmt)).scalars()]

    async def delete(self, webhook_id: str) -> bool:
        # The webhook first: that waits for writers holding it FOR SHARE, so the next
        # statement (a fresh snapshot under READ COMMITTED) sees their deliveries.
        result = await self.session.execute(delete(WebhookRow).where(WebhookRow.id == webhook_id))
        if result.rowcount != 1:
            return False
        await self.session.execute(delete(WebhookDeliveryRow).where(WebhookDeliveryRow.webhook_id == webhook_id))
        return True

    # -- deliveries --------------------------------------------------------------------
    async def add_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        if not deliveries:
            return
        self.session.add_all(row_of(WebhookDeliveryRow, d, status=d.status.value) for d in deliveries)
        await self.session.flush()

    async def deliveries(self, webhook_id: str, first: int, after: str | None) -> Page[Delivery]:
        where = [WebhookDeliveryRow.webhook_id == webhook_id]
        total = (
            await self.session.execute(select(func.count()).select_from(WebhookDeliveryRow).where(*where))
        ).scalar_one()
        cursors = await self.cursors.codec(self.session)
        after_seq = cursors.decode(CURSOR, after)
        if after_seq is not None:
            where.append(WebhookDeliveryRow.alert_seq < after_seq)
        stmt = (
            select(WebhookDeliveryRow, AlertRow.id)
            .outerjoin(AlertRow, AlertRow.seq == WebhookDeliveryRow.alert_seq)
            .where(*where)
            .order_by(WebhookDeliveryRow.alert_seq.desc())
            .limit(first + 1)
        )
        rows = list((await self.session.execute(stmt)).all())
        items = [(cursors.encode(CURSOR, row.alert_seq), _delivery(row, alert_id)) for row, alert_id in rows[:first]]
        return Page(items, len(rows) > first, total, items[-1][0] if items else None)

    # -- the worker's side ---------------------------------------------------------------
    async def next_due(self) -> datetime | None:
        """When the earliest pending delivery is due (or its claim runs out)."""
        stmt = (
            select(func.min(WebhookDeliveryRow.next_attempt_at))
            .join(WebhookRow, WebhookRow.id == WebhookDeliveryRow.webhook_id)  # as claim() does
            .where(WebhookDeliveryRow.status == PENDING)
        )
        return (await self.session.execute(stmt)).scalar_one()

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Claim]:
        """Take up to ``limit`` due deliveries by moving their next attempt to
        ``lease_until``: other workers skip them until then. On PostgreSQL the rows are
        locked SKIP LOCKED while claiming; SQLite serializes writers anyway."""
        due = (
            select(WebhookDeliveryRow.pk)
            .where(WebhookDeliveryRow.status == PENDING, WebhookDeliveryRow.next_attempt_at <= now)
            .order_by(WebhookDeliveryRow.next_attempt_at, WebhookDeliveryRow.pk)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        pks = list((await self.session.execute(due)).scalars())
        if not pks:
            return []
        await self.session.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.pk.in_(pks))
            .values(next_attempt_at=lease_until, updated_at=now)
        )
        rows = await self.session.execute(
            select(WebhookDeliveryRow.pk, WebhookDeliveryRow.id, WebhookDeliveryRow.attempts, WebhookRow.url, WebhookRow.secret, AlertRow)
            .join(WebhookRow, WebhookRow.id == WebhookDeliveryRow.webhook_id)
            .join(AlertRow, AlertRow.seq == WebhookDeliveryRow.alert_seq)
            .where(WebhookDeliveryRow.pk.in_(pks))
            .order_by(WebhookDeliveryRow.pk)
        )
        return [
            Claim(pk=r.pk, id=r.id, attempts=r.attempts, lease_until=lease_until, url=r.url, secret=r.secret, event=alert_to_domain(r.AlertRow))
            for r in rows
        ]

    async def record(
        self,
        claim: Claim,
        *,
        status: DeliveryStatus,
        attempts: int,
        next_attempt_at: datetime,
        status_code: int | None,
        error: str | None,
        now: datetime,
    ) -> bool:
        """Store how an attempt went, if this worker still holds the claim."""
        result = await self.session.execute(
            update(WebhookDeliveryRow)
            .where(
                WebhookDeliveryRow.pk == claim.pk,
                WebhookDeliveryRow.status == PENDING,
                WebhookDeliveryRow.next_attempt_at == claim.lease_until,
            )
            .values(
                status=status.value,
                attempts=attempts,
                next_attempt_at=next_attempt_at,
                last_status_code=status_code,
                last_error=error,
                updated_at=now,
            )
        )
        return result.rowcount == 1

"""Use cases for webhooks: register, list, delete, read the delivery log, and queue
deliveries for newly raised alerts inside the write that raised them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Sequence

from . import service, webhooks
from .alerts import AlertEvent
from .errors import not_found, validation
from .models import utcnow
from .ports import Page, UnitOfWork, UnitOfWorkFactory
from .validation import user_id as check_user_id
from .webhooks import Delivery, Webhook


def webhook_not_found(webhook_id: str, field: str = "id") -> Exception:
    return not_found(f"Webhook with ID {webhook_id} not found", field)


async def enqueue(uow: UnitOfWork, events: Sequence[AlertEvent], now: datetime) -> None:
    """Queue each new alert for each of its owner's webhooks, in the caller's transaction:
    a delivery exists exactly when its alert committed. Webhooks registered later do not
    get earlier alerts."""
    if not events:
        return
    hooks = await uow.webhooks.for_users(sorted({e.user_id for e in events}))
    if hooks:
        await uow.webhooks.add_deliveries(webhooks.pending_deliveries(events, hooks, now))


class WebhookService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Callable[[], datetime] = utcnow):
        self.uow = uow
        self.clock = clock

    async def register(self, user_id: Any, url: Any, secret: Any) -> Webhook:
        hook = webhooks.new_webhook(user_id, url, secret, self.clock())
        async with self.uow(write=True) as uow:
            webhooks.check_room(await uow.webhooks.count_for_user(hook.user_id))
            await uow.webhooks.add(hook)
        return hook

    async def list(self, user_id: Any) -> list[Webhook]:
        user = check_user_id(user_id, "userId")
        async with self.uow() as uow:
            return await uow.webhooks.list_for_user(user)

    async def delete(self, webhook_id: str) -> None:
        """Stops deliveries to it: pending ones are dropped with its delivery log."""
        async with self.uow(write=True) as uow:
            if not await uow.webhooks.delete(webhook_id):
                raise webhook_not_found(webhook_id)

    async def deliveries(self, webhook_id: str, first: int = 50, after: str | None = None) -> Page[Delivery]:
        if not isinstance(first, int) or not 0 <= first <= service.PAGE_MAX:
            raise validation(f"first must be between 0 and {service.PAGE_MAX} (got {first})", "first")
        async with self.uow() as uow:
            if await uow.webhooks.get(webhook_id) is None:
                raise webhook_not_found(webhook_id, "webhookId")
            return await uow.webhooks.deliveries(webhook_id, first, after)

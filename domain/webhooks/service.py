"""Use cases for webhooks: register, list, delete, read the delivery log, and queue
deliveries for newly raised alerts inside the write that raised them."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Callable, Sequence

from domain.webhooks import rules as webhooks
from domain.access import Actor, owns, require_user
from domain.errors import BudgetError, not_found
from domain.models import utcnow
from domain.ports import Page, UnitOfWorkFactory
from domain.service import Service
from domain.validation import Problems
from domain.webhooks.rules import Webhook
from domain.webhooks.model import Delivery
from domain.paging import page_size


def webhook_not_found(webhook_id: str, field: str = "id") -> Exception:
    return not_found(f"Webhook with ID {webhook_id} not found", field)

class WebhookService(Service):
    """``resolve`` looks host names up for the registration check (None: only addresses
    written in the URL and localhost names are checked); ``allow_private`` turns the
    check off (``BUDGETQL_WEBHOOK_ALLOW_PRIVATE``, for development)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Callable[[], datetime] = utcnow,
        *,
        resolve: webhooks.Resolve | None = None,
        allow_private: bool = False,
    ):
        super().__init__(uow, clock)
        self.resolve = resolve
        self.allow_private = allow_private

    async def register(self, actor: Actor, user_id: str | None, url: Any, secret: Any) -> Webhook:
        p = Problems()
        user = p.attempt(require_user, actor, user_id, "userId")
        hook = p.attempt(webhooks.new_webhook, user or "", url, secret, self.clock())
        if hook is not None and not self.allow_private:
            try:
                await webhooks.check_destination(hook.url, self.resolve, "url")
            except BudgetError as exc:
                p.add(exc)
        p.check()
        async with self.uow(write=True) as uow:
            webhooks.check_room(await uow.webhooks.count_for_user(hook.user_id))
            await uow.webhooks.add(hook)
        return hook

    async def rotate_secret(self, actor: Actor, webhook_id: str, secret: Any) -> Webhook:
        """Sign with a new secret from now on (deliveries still pending use it too); an
        inactive webhook, restored from a backup without its secret, becomes active."""
        key = webhooks.secret(secret, "secret")
        async with self.uow(write=True) as uow:
            hook = await uow.webhooks.get(webhook_id)
            if hook is None or not owns(actor, hook.user_id):
                raise webhook_not_found(webhook_id)
            await uow.webhooks.set_secret(webhook_id, key)
            return dataclasses.replace(hook, secret=key)

    async def list(self, actor: Actor, user_id: str | None) -> list[Webhook]:
        user = require_user(actor, user_id, "userId")
        async with self.uow() as uow:
            return await uow.webhooks.list_for_user(user)

    async def find_many(self, actor: Actor, webhook_ids: Sequence[str]) -> dict[str, Webhook]:
        """Those of the caller's webhooks among ``webhook_ids``, by id (one read)."""
        async with self.uow() as uow:
            found = await uow.webhooks.get_many(webhook_ids)
        return {i: w for i, w in found.items() if owns(actor, w.user_id)}

    async def delete(self, actor: Actor, webhook_id: str) -> None:
        """Stops deliveries to it: pending ones are dropped with its delivery log."""
        async with self.uow(write=True) as uow:
            hook = await uow.webhooks.get(webhook_id)
            if hook is None or not owns(actor, hook.user_id) or not await uow.webhooks.delete(webhook_id):
                raise webhook_not_found(webhook_id)

    async def deliveries(self, actor: Actor, webhook_id: str, first: int = 50, after: str | None = None) -> Page[Delivery]:
        page_size(first)
        async with self.uow() as uow:
            hook = await uow.webhooks.get(webhook_id)
            if hook is None or not owns(actor, hook.user_id):
                raise webhook_not_found(webhook_id, "webhookId")
            return await uow.webhooks.deliveries(webhook_id, first, after)

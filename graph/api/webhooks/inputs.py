"""Webhooks: register, list, delete, and each one's delivery log."""

from __future__ import annotations

import strawberry


@strawberry.input
class RegisterWebhookInput:
    user_id: str | None = strawberry.field(default=None, description="Defaults to the viewer (authentication on).")
    url: str = strawberry.field(description=(
            "http:// or https:// with a host, at most 2,000 characters, at a public internet address "
            "(not loopback, private, link-local, multicast or reserved, not localhost)."
        ))
    secret: str = strawberry.field(
        description="16 to 256 characters; signs each body (X-Budgetql-Signature: sha256=<hex HMAC-SHA256>)."
    )

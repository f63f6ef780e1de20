"""Server settings, from arguments and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from domain.webhooks import DeliveryPolicy
from persistence.database import resolve_database_url


@dataclass(frozen=True)
class Settings:
    database_url: str
    migrate_on_start: bool = True
    max_subscriptions_per_connection: int = 20
    max_subscriptions_per_user: int = 100
    webhook_worker: bool = True  # send webhook deliveries from this process
    webhook_poll_seconds: float = 5.0  # fallback when no alert wakes the worker
    webhook_policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)

    @classmethod
    def from_env(cls, database_url: str | None = None, **overrides) -> "Settings":
        return cls(database_url=resolve_database_url(database_url), **{**_webhook_env(), **overrides})


# BUDGETQL_WEBHOOK_* → (setting, DeliveryPolicy field or None, parser)
_WEBHOOK_ENV = {
    "BUDGETQL_WEBHOOK_WORKER": ("webhook_worker", None, lambda s: s.strip().lower() not in ("0", "false", "no", "off")),
    "BUDGETQL_WEBHOOK_POLL_SECONDS": ("webhook_poll_seconds", None, float),
    "BUDGETQL_WEBHOOK_TIMEOUT_SECONDS": (None, "timeout_seconds", float),
    "BUDGETQL_WEBHOOK_MAX_ATTEMPTS": (None, "max_attempts", int),
    "BUDGETQL_WEBHOOK_BACKOFF_SECONDS": (None, "backoff_seconds", float),
    "BUDGETQL_WEBHOOK_BACKOFF_CAP_SECONDS": (None, "backoff_cap_seconds", float),
}


def _webhook_env() -> dict:
    settings: dict = {}
    policy: dict = {}
    for name, (setting, policy_field, parse) in _WEBHOOK_ENV.items():
        raw = os.environ.get(name)
        if raw is None or not raw.strip():
            continue
        try:
            value = parse(raw)
        except ValueError:
            raise ValueError(f"{name}={raw!r} is not a valid value") from None
        if setting:
            settings[setting] = value
        else:
            policy[policy_field] = value
    if policy:
        settings["webhook_policy"] = DeliveryPolicy(**policy)
    return settings

"""Server settings, from arguments and the environment."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Mapping

from domain.sync.model import RETENTION_DEFAULT, RETENTION_MIN
from domain.webhooks.rules import DeliveryPolicy
from persistence.database import resolve_database_url

ON_OFF = "on/off"
CURSOR_SECRET_MIN = 32

# name in the environment -> (Settings field, or "policy.<DeliveryPolicy field>", how to read it)
_ENV = {
    "BUDGETQL_MAX_QUERY_DEPTH": ("max_query_depth", int),
    "BUDGETQL_MAX_TOKENS": ("max_tokens", int),
    "BUDGETQL_MAX_ALIASES": ("max_aliases", int),
    "BUDGETQL_MAX_BODY_BYTES": ("max_body_bytes", int),
    "BUDGETQL_MAX_SUBSCRIPTIONS_PER_CONNECTION": ("max_subscriptions_per_connection", int),
    "BUDGETQL_MAX_SUBSCRIPTIONS_PER_USER": ("max_subscriptions_per_user", int),
    "BUDGETQL_INTROSPECTION": ("introspection", ON_OFF),
    "BUDGETQL_PERSISTED_QUERIES": ("persisted_query_cache_size", int),
    "BUDGETQL_SHUTDOWN_TIMEOUT": ("shutdown_timeout", float),
    "BUDGETQL_STATEMENT_COUNTER": ("statement_counter", ON_OFF),
    "BUDGETQL_FAST_PATH": ("fast_path", ON_OFF),
    "BUDGETQL_WEBHOOK_WORKER": ("webhook_worker", ON_OFF),
    "BUDGETQL_WEBHOOK_POLL_SECONDS": ("webhook_poll_seconds", float),
    "BUDGETQL_WEBHOOK_ALLOW_PRIVATE": ("webhook_allow_private", ON_OFF),
    "BUDGETQL_CURSOR_SECRET": ("cursor_secret", "secret"),
    "BUDGETQL_SYNC_RETENTION_DAYS": ("sync_retention_days", float),
    "BUDGETQL_WEBHOOK_TIMEOUT_SECONDS": ("policy.timeout_seconds", float),
    "BUDGETQL_WEBHOOK_MAX_ATTEMPTS": ("policy.max_attempts", int),
    "BUDGETQL_WEBHOOK_BACKOFF_SECONDS": ("policy.backoff_seconds", float),
    "BUDGETQL_WEBHOOK_BACKOFF_CAP_SECONDS": ("policy.backoff_cap_seconds", float),
}


@dataclass(frozen=True)
class AuthSettings:
    """``BUDGETQL_AUTH=none`` (the default: ``userId`` arguments are trusted, for local
    use) or ``jwt``: a bearer token whose ``sub`` is the viewer. In ``jwt`` mode set one
    key source (``BUDGETQL_JWT_SECRET`` for HS256, ``BUDGETQL_JWT_PUBLIC_KEY`` (PEM text or
    a file) or ``BUDGETQL_JWKS_FILE`` for RS256/ES256) and both ``BUDGETQL_JWT_ISSUER`` and
    ``BUDGETQL_JWT_AUDIENCE``; :func:`graph.auth.authenticator` checks them at start."""

    mode: str = "none"
    jwt_secret: str | None = field(default=None, repr=False)
    jwt_public_key: str | None = None
    jwks_file: str | None = None
    issuer: str | None = None
    audience: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "AuthSettings":
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            mode=(get("BUDGETQL_AUTH") or "none").lower(),
            jwt_secret=get("BUDGETQL_JWT_SECRET"),
            jwt_public_key=get("BUDGETQL_JWT_PUBLIC_KEY"),
            jwks_file=get("BUDGETQL_JWKS_FILE"),
            issuer=get("BUDGETQL_JWT_ISSUER"),
            audience=get("BUDGETQL_JWT_AUDIENCE"),
        )


@dataclass(frozen=True)
class Settings:
    database_url: str
    migrate_on_start: bool = True
    max_subscriptions_per_connection: int = 20
    max_subscriptions_per_user: int = 100
    # Limits on one request (see README "Limits and errors"). GraphiQL's own
    # introspection query (about 200 tokens; its fields are exempt from the depth
    # limit) passes the defaults.
    max_query_depth: int = 12
    max_tokens: int = 5000
    max_aliases: int = 30
    max_body_bytes: int = 1_048_576
    introspection: bool = True
    # Query texts kept for automatic persisted queries (graph/http/persisted_queries.py), per process.
    persisted_query_cache_size: int = 10_000
    # Seconds `budgetql serve` lets in-flight requests finish after SIGTERM.
    shutdown_timeout: float = 30.0
    webhook_worker: bool = True  # send webhook deliveries from this process
    webhook_poll_seconds: float = 5.0  # fallback when no alert wakes the worker
    webhook_policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    # Lets webhooks reach loopback, private, link-local… addresses: development and
    # tests only (any tenant could otherwise probe the server's own network).
    webhook_allow_private: bool = False
    # Seals page cursors (at least 32 characters, the same in every process of one
    # deployment). None: the key stored in the database (table server_secrets).
    cursor_secret: str | None = field(default=None, repr=False)
    auth: AuthSettings = AuthSettings()
    # Adds an X-Statement-Count header to every HTTP response (for the benchmark).
    statement_counter: bool = False
    # GraphQL execution's fast paths (graph/execution.py); off: Strawberry's own execution.
    fast_path: bool = True
    # How long delta sync keeps deletions (days, at least 90); pruned hourly by each server.
    sync_retention_days: float = RETENTION_DEFAULT.days

    def __post_init__(self) -> None:
        if self.sync_retention_days < RETENTION_MIN.days:
            raise ValueError(
                f"BUDGETQL_SYNC_RETENTION_DAYS must be at least {RETENTION_MIN.days} (got {self.sync_retention_days})"
            )
        if self.cursor_secret is not None and len(self.cursor_secret) < CURSOR_SECRET_MIN:
            raise ValueError(
                f"BUDGETQL_CURSOR_SECRET must be at least {CURSOR_SECRET_MIN} characters (got {len(self.cursor_secret)}): "
                "use e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )

    @classmethod
    def from_env(cls, database_url: str | None = None, **overrides) -> "Settings":
        values: dict = {}
        policy: dict = {}
        for name, (target, kind) in _ENV.items():
            raw = os.environ.get(name, "").strip()
            if not raw:
                continue
            if target.startswith("policy."):
                policy[target.removeprefix("policy.")] = _read(name, raw, kind)
            elif target not in overrides:
                values[target] = _read(name, raw, kind)
        overrides.setdefault("auth", AuthSettings.from_env())
        if policy and "webhook_policy" not in overrides:
            values["webhook_policy"] = dataclasses.replace(DeliveryPolicy(), **policy)
        return cls(database_url=resolve_database_url(database_url), **{**values, **overrides})


def _read(name: str, raw: str, kind):
    if kind == "secret":
        return raw
    if kind == ON_OFF:
        if raw.lower() in ("on", "true", "1", "yes"):
            return True
        if raw.lower() in ("off", "false", "0", "no"):
            return False
        raise ValueError(f"{name} must be on or off (got {raw!r})")
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number (got {raw!r})") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive (got {raw!r})")
    return value

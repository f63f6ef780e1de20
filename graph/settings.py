"""Server settings, from arguments and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

from persistence.database import resolve_database_url

# name in the environment -> (field, how to read it)
_ENV = {
    "BUDGETQL_MAX_QUERY_DEPTH": ("max_query_depth", int),
    "BUDGETQL_MAX_TOKENS": ("max_tokens", int),
    "BUDGETQL_MAX_ALIASES": ("max_aliases", int),
    "BUDGETQL_MAX_BODY_BYTES": ("max_body_bytes", int),
    "BUDGETQL_INTROSPECTION": ("introspection", "on/off"),
    "BUDGETQL_SHUTDOWN_TIMEOUT": ("shutdown_timeout", float),
}


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
    # Seconds `budgetql serve` lets in-flight requests finish after SIGTERM.
    shutdown_timeout: float = 30.0

    @classmethod
    def from_env(cls, database_url: str | None = None, **overrides) -> "Settings":
        values = {}
        for name, (field, kind) in _ENV.items():
            raw = os.environ.get(name, "").strip()
            if raw and field not in overrides:
                values[field] = _read(name, raw, kind)
        return cls(database_url=resolve_database_url(database_url), **{**values, **overrides})


def _read(name: str, raw: str, kind):
    if kind == "on/off":
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

"""Server settings, from arguments and the environment."""

from __future__ import annotations

from dataclasses import dataclass

from persistence.database import resolve_database_url


@dataclass(frozen=True)
class Settings:
    database_url: str
    migrate_on_start: bool = True
    max_subscriptions_per_connection: int = 20
    max_subscriptions_per_user: int = 100

    @classmethod
    def from_env(cls, database_url: str | None = None, **overrides) -> "Settings":
        return cls(database_url=resolve_database_url(database_url), **overrides)

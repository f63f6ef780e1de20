"""What the domain needs from storage, as protocols. ``persistence`` implements them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Protocol, Sequence, TypeVar

from .models import Budget, BudgetType
from .templates import Template

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, newest first; each item with its opaque cursor."""

    items: list[tuple[str, T]]
    has_next: bool
    total_count: int
    end_cursor: str | None = field(default=None)


class BudgetRepository(Protocol):
    async def add(self, budget: Budget) -> None: ...

    async def get(self, budget_id: str, *, for_update: bool = False) -> Budget | None: ...

    async def get_many(self, budget_ids: Sequence[str]) -> dict[str, Budget]: ...

    async def page_for_user(
        self, user_id: str, type: BudgetType | None, first: int, after: str | None
    ) -> Page[Budget]: ...

    async def save(self, budget: Budget, *, expected_version: int) -> bool:
        """Write ``budget`` if the stored version is ``expected_version``; False if stale."""
        ...

    async def delete(self, budget_id: str) -> bool: ...


class TemplateRepository(Protocol):
    """Users' own templates (the built-ins are code, not rows)."""

    async def add(self, template: Template) -> bool:
        """Store ``template``; False if its owner already has one with that key."""
        ...

    async def get(self, user_id: str, key: str) -> Template | None: ...

    async def list_for_user(self, user_id: str) -> list[Template]:
        """Oldest first."""
        ...

    async def delete(self, user_id: str, key: str) -> bool: ...


class UnitOfWork(Protocol):
    """One database transaction. ``async with`` commits on success, rolls back on error."""

    budgets: BudgetRepository
    templates: TemplateRepository

    async def __aenter__(self) -> "UnitOfWork": ...

    async def __aexit__(self, *exc) -> None: ...

    async def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = False) -> UnitOfWork: ...

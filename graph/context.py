"""Per-request context: the services and this request's dataloaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as _Info

from domain.service import BudgetService
from domain.template_service import TemplateService


@dataclass
class Context:
    services: "Services"
    request: Any = None
    response: Any = None
    loaders: dict[str, Any] = field(default_factory=dict)

    @property
    def budgets(self) -> BudgetService:
        return self.services.budgets

    @property
    def templates(self) -> TemplateService:
        return self.services.templates


@dataclass
class Services:
    """Long-lived, per-process: built once at start-up from the settings."""

    budgets: BudgetService
    templates: TemplateService


Info = _Info[Context, None]

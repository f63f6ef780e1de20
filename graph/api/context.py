"""Per-request context: the caller, the services and this request's dataloaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from strawberry.types import Info as _Info

from domain.access import Actor
from domain.alerts.service import AlertService
from domain.errors import unauthenticated
from domain.budgets.service import BudgetService
from domain.sharing.service import SharingService
from domain.goals.service import GoalService
from domain.insights.service import InsightService
from domain.spending.rule_service import CategoryRuleService
from domain.spending.service import SpendingService
from domain.sync.service import SyncService
from domain.templates.service import TemplateService
from domain.webhooks.service import WebhookService



@dataclass
class Context:
    services: "Services"
    request: Any = None
    response: Any = None
    loaders: dict[str, Any] = field(default_factory=dict)
    # Set by the view once the caller is authenticated (HTTP: before the operation
    # runs; WebSocket: on connection_init). ``connection_params`` is that payload.
    authenticated_as: Actor | None = None
    connection_params: dict[str, Any] | None = None

    @property
    def actor(self) -> Actor:
        """The caller, to pass as the first argument of every service method."""
        if self.authenticated_as is None:  # never reached through the view: fail closed
            raise unauthenticated("Authentication required")
        return self.authenticated_as

    @property
    def budgets(self) -> BudgetService:
        return self.services.budgets

    @property
    def alerts(self) -> AlertService:
        return self.services.alerts

    @property
    def spending(self) -> SpendingService:
        return self.services.spending

    @property
    def rules(self) -> CategoryRuleService:
        return self.services.rules

    @property
    def sharing(self) -> SharingService:
        return self.services.sharing

    def loader(self, name: str, make: Callable[[], Any]) -> Any:
        """This request's dataloader ``name``, made by ``make`` the first time it is asked
        for (each area keeps its own loaders in its ``dataloaders`` module)."""
        if name not in self.loaders:
            self.loaders[name] = make()
        return self.loaders[name]

    @property
    def templates(self) -> TemplateService:
        return self.services.templates

    @property
    def webhooks(self) -> WebhookService:
        return self.services.webhooks


@dataclass
class Services:
    """Long-lived, per-process: built once at start-up from the settings."""

    budgets: BudgetService
    spending: SpendingService
    alerts: AlertService
    templates: TemplateService
    hub: Any  # persistence.bus.AlertHub: fans committed alerts out to this process's subscribers
    webhooks: WebhookService
    sharing: SharingService
    rules: CategoryRuleService
    goals: GoalService
    insights: InsightService
    sync: SyncService


Info = _Info[Context, None]

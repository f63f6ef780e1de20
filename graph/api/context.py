"""Per-request context: the caller, the services and this request's dataloaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Generic, TypeVar

from strawberry.types import Info as _Info

from domain.access import Actor
from domain.alerts.service import AlertService
from domain.budgets.service import BudgetService
from domain.errors import unauthenticated
from domain.goals.service import GoalService
from domain.insights.service import InsightService
from domain.sharing.service import SharingService
from domain.spending.rule_service import CategoryRuleService
from domain.spending.service import SpendingService
from domain.sync.service import SyncService
from domain.templates.service import TemplateService
from domain.webhooks.service import WebhookService

S = TypeVar("S")


class _Service(Generic[S]):
    """A shortcut on the context to the service of the same name in its ``services``."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, context: "Context | None", owner: type | None = None) -> S:
        if context is None:
            return self  # type: ignore[return-value]
        return getattr(context.services, self._name)


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

    def loader(self, name: str, make: Callable[[], Any]) -> Any:
        """This request's dataloader ``name``, made by ``make`` the first time it is asked
        for (each area keeps its own loaders in its ``dataloaders`` module)."""
        if name not in self.loaders:
            self.loaders[name] = make()
        return self.loaders[name]

    # Shortcuts: ``context.budgets`` is ``context.services.budgets``.
    budgets = _Service[BudgetService]()
    alerts = _Service[AlertService]()
    spending = _Service[SpendingService]()
    rules = _Service[CategoryRuleService]()
    sharing = _Service[SharingService]()
    templates = _Service[TemplateService]()
    webhooks = _Service[WebhookService]()


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

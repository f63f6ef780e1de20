"""The services every entry point runs on, wired once: the server (``graph/app.py``) and
the CLI commands that write data (``import-transactions``, ``import``, ``export``) use the
same use cases on the same unit of work, so the CLI writes exactly as the API does."""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta
from typing import Any, AsyncIterator

from domain.alerts.service import AlertService
from domain.backup.service import BackupService
from domain.budgets.service import BudgetService
from domain.sharing.service import SharingService
from domain.goals.service import GoalService
from domain.insights.service import InsightService
from domain.spending.rule_service import CategoryRuleService
from domain.spending.service import SpendingService
from domain.sync.service import SyncService
from domain.templates.service import TemplateService
from domain.webhooks.service import WebhookService
from domain.sync.model import RETENTION_DEFAULT
from persistence.database import create_engine
from persistence.migrate import migrate
from persistence.unit_of_work import SqlUnitOfWorkFactory
from persistence.webhook_network import resolve_quietly

from graph.api.context import Services


def backups(services: Services) -> BackupService:
    """Backups run on the same budget, spending and template services as everything else."""
    return BackupService(services.budgets, services.spending, services.templates)


def build_services(
    uow: SqlUnitOfWorkFactory, hub: Any = None, *, webhook_allow_private: bool = False,
    sync_retention: timedelta = RETENTION_DEFAULT,
) -> Services:
    budgets = BudgetService(uow)
    spending = SpendingService(uow)
    alerts = AlertService(uow)
    templates = TemplateService(budgets)
    rules = CategoryRuleService(uow)
    goals = GoalService(uow)
    return Services(
        budgets=budgets,
        spending=spending,
        insights=InsightService(budgets, spending),
        alerts=alerts,
        templates=templates,
        webhooks=WebhookService(uow, resolve=resolve_quietly, allow_private=webhook_allow_private),
        sharing=SharingService(uow),
        rules=rules,
        goals=goals,
        sync=SyncService(uow, budgets, spending, alerts, templates, goals, rules, retention=sync_retention),
        hub=hub,
    )


@contextlib.asynccontextmanager
async def open_services(database_url: str) -> AsyncIterator[Services]:
    """Services on a migrated database, for one command; the engine is closed after.

    There is no alert hub: a command has no subscribers of its own. Alerts its writes
    raise are stored in the outbox as always; on PostgreSQL the writing transaction's
    NOTIFY also reaches the subscribers of every running server."""
    engine = create_engine(database_url)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the command's output is its summary
    try:
        await migrate(engine)
        yield build_services(SqlUnitOfWorkFactory(engine))
    finally:
        await engine.dispose()

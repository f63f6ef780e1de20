"""The ASGI application: GraphQL (HTTP + WebSocket) on /graphql, health on /healthz.

``uvicorn graph.app:app`` serves the settings from the environment;
``create_app(settings)`` builds one for given settings (tests, embedding).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL

from domain.service import BudgetService
from domain.template_service import TemplateService
from persistence.database import create_engine
from persistence.migrate import migrate
from persistence.unit_of_work import SqlUnitOfWorkFactory

from .context import Context, Services
from .schema import schema
from .settings import Settings

log = logging.getLogger("budgetql")


class BudgetGraphQL(GraphQL):
    def __init__(self, app_state: Any, **kwargs: Any):
        super().__init__(schema, **kwargs)
        self.app_state = app_state

    async def get_context(self, request, response) -> Context:
        return Context(services=self.app_state.services, request=request, response=response)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        engine = create_engine(settings.database_url)
        if settings.migrate_on_start:
            await migrate(engine)
        uow = SqlUnitOfWorkFactory(engine)
        app.state.engine = engine
        budgets = BudgetService(uow)
        app.state.services = Services(budgets=budgets, templates=TemplateService(budgets))
        log.info("budgetql ready on %s", engine.url.render_as_string(hide_password=True))
        try:
            yield
        finally:
            await engine.dispose()

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    app = Starlette(lifespan=lifespan)
    graphql = BudgetGraphQL(app.state)
    app.router.routes.extend(
        [
            Route("/healthz", healthz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
        ]
    )
    app.state.settings = settings
    return app


def __getattr__(name: str):
    # `graph.app:app` is built on first access, so importing this module has no side effects.
    if name == "app":
        global app
        app = create_app()
        return app
    raise AttributeError(name)

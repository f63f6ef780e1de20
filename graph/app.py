"""The ASGI application: GraphQL (HTTP + WebSocket) on /graphql, GraphiQL there for
browsers (its assets under /static, vendored), the spec's REST routes under /budgets,
health on /healthz.

``uvicorn graph.app:app`` serves the settings from the environment;
``create_app(settings)`` builds one for given settings (tests, embedding).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from persistence.bus import AlertHub, make_bus
from persistence.database import create_engine
from persistence.migrate import migrate
from persistence.unit_of_work import SqlUnitOfWorkFactory

from . import dashboard, rest
from .context import Context
from .schema import schema
from .services import build_services
from .settings import Settings

log = logging.getLogger("budgetql")

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
GRAPHIQL_PAGE = (HERE / "templates" / "graphiql.html").read_text(encoding="utf-8")


class BudgetGraphQL(GraphQL):
    def __init__(self, app_state: Any, **kwargs: Any):
        super().__init__(schema, **kwargs)
        self.app_state = app_state

    async def get_context(self, request, response) -> Context:
        return Context(services=self.app_state.services, request=request, response=response)

    async def render_graphql_ide(self, request: Request) -> Response:
        # Strawberry's own page loads GraphiQL from a CDN; ours from /static (works offline).
        static = request.scope.get("root_path", "").rstrip("/") + "/static"
        return HTMLResponse(GRAPHIQL_PAGE.replace("{{STATIC}}", static))


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        engine = create_engine(settings.database_url)
        if settings.migrate_on_start:
            await migrate(engine)
        uow = SqlUnitOfWorkFactory(engine)
        hub = AlertHub(per_key_limit=settings.max_subscriptions_per_user)
        bus = make_bus(hub, uow, engine)
        uow.bus = bus
        await bus.start()
        app.state.engine = engine
        app.state.bus = bus
        app.state.services = build_services(uow, hub)
        log.info("budgetql ready on %s", engine.url.render_as_string(hide_password=True))
        try:
            yield
        finally:
            hub.close_all()
            await bus.stop()
            await engine.dispose()

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    app = Starlette(lifespan=lifespan)
    graphql = BudgetGraphQL(
        app.state,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        connection_init_wait_timeout=timedelta(seconds=10),
        keep_alive=True,
        keep_alive_interval=15,
    )
    app.router.routes.extend(
        [
            Route("/healthz", healthz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
            *dashboard.routes(),
            *rest.routes(),
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

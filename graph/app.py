"""The ASGI application: GraphQL (HTTP + WebSocket) on /graphql, GraphiQL there for
browsers (its assets under /static, vendored; Apollo's automatic persisted queries, see
graph/http/persisted_queries.py), the spec's REST routes under /budgets, their OpenAPI
document on /openapi.json and its Swagger UI page on /docs, liveness on /healthz,
readiness on /readyz.

``uvicorn graph.app:app`` serves the settings from the environment;
``create_app(settings)`` builds one for given settings (tests, embedding).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException as GraphQLHTTPException
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET

from domain.errors import BudgetError
from persistence import statements
from persistence.bus import AlertHub, make_bus
from persistence.database import create_engine
from persistence.migrate import migrate, readiness
from persistence.unit_of_work import SqlUnitOfWorkFactory
from persistence.webhook_worker import WebhookWorker

from graph.http import dashboard
from graph.http import docs
from graph.http import openapi
from graph.http import persisted_queries
from graph.http import rest
from graph.http.auth import Authenticator, authenticator, unauthenticated_response
from graph.api.context import Context
from graph.http.errors import error_response
from graph.http.errors import http_code
from graph.http.errors import http_exception
from graph.http.lifecycle import Lifecycle
from graph.http.body_limit import BodyLimit
from graph.http.logs import RequestContext
from graph.api.schema import build_schema, schema
from .services import build_services
from .settings import Settings
from graph.http.statement_header import StatementCountHeader
from graph.http.websocket import BudgetTransportWSHandler

log = logging.getLogger("budgetql")

HERE = Path(__file__).resolve().parent / "http"
STATIC_DIR = HERE / "static"
GRAPHIQL_PAGE = (HERE / "templates" / "graphiql.html").read_text(encoding="utf-8")


NONE_MODE_WARNING = (
    "authentication is off (BUDGETQL_AUTH=none): every userId argument is trusted, so anyone who can "
    "reach this server can read and change every user's data. Use it on this machine only; "
    "set BUDGETQL_AUTH=jwt to serve others."
)


class BudgetGraphQL(GraphQL):
    """Strawberry's ASGI view, authenticating every operation before it runs: HTTP by
    its bearer token (401, nothing executed, when that fails), a WebSocket by its
    ``connection_init`` payload (closed with 4403 when that fails; anything sent
    before a successful ``connection_init`` closes it with 4401, and so does its
    token's expiry)."""

    graphql_transport_ws_handler_class = BudgetTransportWSHandler

    def __init__(self, app_state: Any, auth: Authenticator, graphql_schema: Any = None,
                 persisted_query_cache_size: int = persisted_queries.DEFAULT_CACHE_SIZE, **kwargs: Any):
        super().__init__(graphql_schema or schema, **kwargs)
        self.app_state = app_state
        self.auth = auth
        self.persisted_queries = persisted_queries.PersistedQueryCache(persisted_query_cache_size)

    def should_render_graphql_ide(self, request) -> bool:
        # A GET with a persisted query's hash and no query text is an operation, not a browser.
        return super().should_render_graphql_ide(request) and not persisted_queries.uses_persisted_query(
            request.query_params
        )

    async def parse_http_body(self, request):
        data = await super().parse_http_body(request)
        if not isinstance(data, list):  # batches are refused by the parse above (batching is off)
            data.query = persisted_queries.resolve(self.persisted_queries, data.query, data.extensions)
        return data

    async def execute_single(self, request, request_adapter, sub_response, context, root_value, request_data):
        result = await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        # The query is the hash's (checked or cached): keep it once it ran (see the module).
        sha256 = persisted_queries.persisted_hash(request_data.extensions)
        if sha256 is not None and result.data is not None:
            self.persisted_queries.put(sha256, request_data.query)
        return result

    async def run(self, request, context=UNSET, root_value=UNSET):
        if not self.is_websocket_request(request) and not self.should_render_graphql_ide(
            self.request_adapter_class(request)
        ):
            try:
                request.state.actor = self.auth.from_header(request.headers.get("authorization"))
            except BudgetError as exc:
                return unauthenticated_response(exc)
        return await super().run(request, context, root_value)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # Strawberry answers a request it cannot read (not JSON, no query, a mutation
        # over GET, …) in plain text; ours is a GraphQL error body with a code.
        request = Request(scope, receive)
        try:
            response = await self.run(request)
        except GraphQLHTTPException as e:
            response = error_response(scope["path"], e.status_code, http_code(e.status_code), e.reason)
        except persisted_queries.PersistedQueryNotFound:
            # HTTP 200, as Apollo's clients expect: they then send the query with its hash.
            response = error_response(
                scope["path"], 200, persisted_queries.NOT_FOUND_CODE, persisted_queries.NOT_FOUND_MESSAGE
            )
        await response(scope, receive, send)

    def encode_json(self, data: object) -> str:
        # Text, not bytes: over WebSocket, bytes would go out as binary frames, which
        # browser graphql-transport-ws clients do not read.
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    async def get_context(self, request, response) -> Context:
        return Context(
            services=self.app_state.services,
            request=request,
            response=response,
            authenticated_as=getattr(request.state, "actor", None),
        )

    async def on_ws_connect(self, context: Context):
        try:
            context.authenticated_as, expires_at = self.auth.from_connection_params(context.connection_params)
        except BudgetError as exc:
            raise ConnectionRejectionError({"message": exc.message, "code": exc.code.value}) from None
        if expires_at is not None:
            asyncio.get_running_loop().call_later(
                max(0.0, expires_at - time.time()), lambda: asyncio.ensure_future(_expire(context.response))
            )
        return UNSET

    async def render_graphql_ide(self, request: Request) -> Response:
        # Strawberry's own page loads GraphiQL from a CDN; ours from /static (works offline).
        static = request.scope.get("root_path", "").rstrip("/") + "/static"
        return HTMLResponse(GRAPHIQL_PAGE.replace("{{STATIC}}", static))


async def _expire(ws: WebSocket) -> None:
    """Close a WebSocket whose token has expired, unless it is gone already."""
    if ws.application_state is WebSocketState.CONNECTED:
        with contextlib.suppress(Exception):
            await ws.close(code=4401, reason="Token expired")


SYNC_PRUNE_SECONDS = 3600.0


async def prune_sync(sync, stopping: asyncio.Event) -> None:
    """Delta sync's old deletions, pruned hourly (every process does it; it is
    idempotent), until the server stops. Not at start: a server started before its
    database is migrated (``migrate_on_start`` off) must not write while the migration
    runs (on SQLite the two would contend for the write lock)."""
    while True:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=SYNC_PRUNE_SECONDS)
        if stopping.is_set():
            return
        try:
            pruned = await sync.prune()
            if pruned:
                log.info("pruned %d delta-sync changes older than the retention", pruned)
        except Exception:  # noqa: BLE001 - the database may be away; try again next time
            log.warning("pruning delta-sync changes failed; retrying in an hour", exc_info=True)


def create_app(settings: Settings | None = None) -> Starlette:
    """Raises ``graph.auth.AuthConfigError`` for authentication settings that cannot work."""
    settings = settings or Settings.from_env()
    auth = authenticator(settings.auth)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        lifecycle = app.state.lifecycle = Lifecycle()
        app.state.stopping = lifecycle.stopping  # set when the server begins to stop; see graph/lifecycle.py
        engine = create_engine(settings.database_url)
        if settings.statement_counter:
            statements.install(engine)
        if settings.migrate_on_start:
            await migrate(engine)
        uow = SqlUnitOfWorkFactory(engine, cursor_secret=settings.cursor_secret)
        try:
            await uow.cursors.load(engine)  # now, so that no request waits for it
        except Exception:  # noqa: BLE001 - not migrated yet, or the database is away: read on first use
            log.debug("page-cursor key not loaded at start; it is read on first use", exc_info=True)
        hub = AlertHub(per_key_limit=settings.max_subscriptions_per_user)
        bus = make_bus(hub, uow, engine)
        uow.bus = bus
        await bus.start()
        app.state.engine = engine
        app.state.bus = bus
        app.state.services = build_services(
            uow, hub, webhook_allow_private=settings.webhook_allow_private,
            sync_retention=timedelta(days=settings.sync_retention_days),
        )
        lifecycle.background(prune_sync(app.state.services.sync, lifecycle.stopping), name="sync-pruning")
        worker = None
        if settings.webhook_worker:
            worker = WebhookWorker(
                engine, hub, settings.webhook_policy,
                poll_seconds=settings.webhook_poll_seconds, allow_private=settings.webhook_allow_private,
            )
            await worker.start()
        log.info("budgetql ready on %s (auth: %s)", engine.url.render_as_string(hide_password=True), auth.mode)
        if auth.mode == "none":
            log.warning(NONE_MODE_WARNING)
        try:
            yield
        finally:
            await lifecycle.drain(hub)  # ends subscriptions cleanly
            if worker is not None:
                await worker.stop()  # between deliveries; what is pending stays queued
            await lifecycle.stop_background(settings.shutdown_timeout)
            await bus.stop()
            await engine.dispose()

    async def healthz(_: Request) -> JSONResponse:
        """The process is up (whatever the database is doing).
        ---
        summary: Liveness
        operationId: healthz
        tags: [meta]
        security: [{}]
        responses:
          "200":
            description: The process is up
            content:
              application/json:
                schema: {$ref: "#/components/schemas/Health"}
        """
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        """The database answers and its schema is at the migrations' head.
        ---
        summary: Readiness
        operationId: readyz
        tags: [meta]
        security: [{}]
        responses:
          "200":
            description: Ready
            content:
              application/json:
                schema: {$ref: "#/components/schemas/Health"}
          "503":
            description: The database does not answer, or its migrations are not current (status unavailable)
            content:
              application/json:
                schema: {$ref: "#/components/schemas/Health"}
        """
        reason = await readiness(request.app.state.engine)
        if reason is None:
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "unavailable", "code": "SERVICE_UNAVAILABLE", "reason": reason}, status_code=503)

    app = Starlette(
        lifespan=lifespan,
        middleware=[
            # Outermost first: a request id for everything below, then the body limit.
            Middleware(RequestContext),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        ],
        exception_handlers={HTTPException: http_exception},
    )
    graphql = BudgetGraphQL(
        app.state,
        auth,
        graphql_schema=build_schema(settings),
        persisted_query_cache_size=settings.persisted_query_cache_size,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        connection_init_wait_timeout=timedelta(seconds=10),
        keep_alive=True,
        keep_alive_interval=15,
    )
    app.router.routes.extend(
        [
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/openapi.json", openapi.openapi_json, methods=["GET"]),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
            *dashboard.routes(),
            *docs.routes(),
            *rest.routes(),
        ]
    )
    if settings.statement_counter:
        app.add_middleware(StatementCountHeader)
    app.state.settings = settings
    app.state.auth = auth
    return app


def __getattr__(name: str):
    # `graph.app:app` is built on first access, so importing this module has no side effects.
    if name == "app":
        global app
        app = create_app()
        return app
    raise AttributeError(name)

"""``budgetql serve``: the GraphQL server (uvicorn), one process or several on one port."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys

from graph.cli.options import add_database_url


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def run(args: argparse.Namespace) -> int:
    import os
    import signal

    import uvicorn

    from graph.app import create_app
    from graph.http.auth import AuthConfigError
    from graph.http.logs import log_config
    from graph.http.serving import DrainingServer, tune_gc
    from graph.settings import Settings

    overrides = {} if args.shutdown_timeout is None else {"shutdown_timeout": args.shutdown_timeout}
    settings = Settings.from_env(args.database_url, **overrides)
    if settings.auth.mode == "none" and not is_loopback(args.host):
        if not args.insecure:
            print(
                f"budgetql: refusing to listen on {args.host} with authentication off (BUDGETQL_AUTH=none): "
                "anyone who can reach it could read and change every user's data. Set BUDGETQL_AUTH=jwt "
                "(see README, Authentication), listen on 127.0.0.1, or pass --insecure if you really mean it.",
                file=sys.stderr,
            )
            return 2
        logging.getLogger("budgetql").warning(
            "--insecure: serving %s with authentication off; every userId argument is trusted", args.host
        )
    try:
        app = create_app(settings)
    except AuthConfigError as exc:
        print(f"budgetql: {exc}", file=sys.stderr)
        return 2
    options = dict(
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        log_config=log_config(args.log_level),  # JSON lines on stderr, each with its request id
        access_log=False,  # graph.http.logs.RequestContext writes one line per request instead
        ws_max_size=settings.max_body_bytes,  # a WebSocket message over the limit closes with 1009
        # Alerts are a few hundred bytes each, sent to every subscriber: compressing
        # each copy cost more CPU than it saves bytes (7% of a fan-out's samples).
        ws_per_message_deflate=False,
        timeout_graceful_shutdown=settings.shutdown_timeout,
    )
    if args.workers > 1:
        # Worker processes build their own app from the environment (uvicorn's supervisor
        # restarts them; subscriptions are not drained one by one on SIGTERM here).
        os.environ["BUDGETQL_DATABASE_URL"] = settings.database_url
        uvicorn.run("graph.http.serving:served_app", factory=True, workers=args.workers, **options)
        return 0
    tune_gc()
    server = DrainingServer(uvicorn.Config(app, **options), app)
    # uvicorn re-raises the signal that stopped it once it has shut down; with these
    # no-op handlers in place, a drained SIGTERM or Ctrl-C ends with exit status 0.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    server.run()
    return 0 if server.started else 3


def add_command(sub) -> None:
    serve = sub.add_parser("serve", help="run the GraphQL server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    add_database_url(serve)
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--shutdown-timeout", type=float, help="seconds in-flight requests get after SIGTERM (default 30, or $BUDGETQL_SHUTDOWN_TIMEOUT)"
    )
    serve.add_argument(
        "--insecure",
        action="store_true",
        help="with BUDGETQL_AUTH=none, listen on a non-loopback address anyway (everyone is trusted)",
    )
    serve.add_argument("--workers", type=int, default=1, help="server processes sharing the port (default 1)")
    serve.set_defaults(run=run)

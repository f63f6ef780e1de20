"""The ``budgetql`` command: serve, migrate, export-schema, import-transactions, export, import."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from persistence.database import create_engine, resolve_database_url

from . import backup, csv_import


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    from .settings import Settings

    settings = Settings.from_env(args.database_url)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=args.log_level)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from persistence.migrate import migrate

    url = resolve_database_url(args.database_url)

    async def run() -> None:
        engine = create_engine(url)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    print(f"migrated {create_engine(url).url.render_as_string(hide_password=True)} to head")
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from .schema import export_sdl

    sdl = export_sdl()
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl)
        print(f"wrote {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="budgetql", description="The budgetql GraphQL budgeting server.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the GraphQL server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--database-url", help="default: $BUDGETQL_DATABASE_URL, $SQL_URL, or ./budgetql.db")
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(run=_serve)

    mig = sub.add_parser("migrate", help="apply database migrations")
    mig.add_argument("--database-url")
    mig.set_defaults(run=_migrate)

    exp = sub.add_parser("export-schema", help="write the GraphQL SDL")
    exp.add_argument("output", nargs="?", default="schema.graphql", help="a file, or - for stdout")
    exp.set_defaults(run=_export_schema)

    csv_import.add_command(sub)
    backup.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())

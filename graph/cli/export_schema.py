"""``budgetql export-schema``: the GraphQL SDL (``schema.graphql``), which is also the Apollo
Federation v2 subgraph SDL (``@link``, ``@key``) a gateway composes: ``_service { sdl }``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def run(args: argparse.Namespace) -> int:
    from graph.api.schema import export_sdl

    sdl = export_sdl()
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl)
        print(f"wrote {args.output}")
    return 0


def add_command(sub) -> None:
    exp = sub.add_parser("export-schema", help="write the GraphQL SDL (also the Apollo Federation subgraph SDL)")
    exp.add_argument("output", nargs="?", default="schema.graphql", help="a file, or - for stdout")
    exp.set_defaults(run=run)

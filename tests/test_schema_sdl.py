"""schema.graphql is the exported SDL and must match the code."""

from __future__ import annotations

from pathlib import Path

from graph.schema import export_sdl

ROOT = Path(__file__).resolve().parent.parent


def test_schema_graphql_is_current():
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == export_sdl(), "schema.graphql is stale: run `make schema` and commit it"

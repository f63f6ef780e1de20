"""schema.graphql is the exported SDL and must match the code."""

from __future__ import annotations

from pathlib import Path

from graph.api.schema import export_sdl

ROOT = Path(__file__).resolve().parents[2]


def test_schema_graphql_is_current():
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == export_sdl(), "schema.graphql is stale: run `make schema` and commit it"

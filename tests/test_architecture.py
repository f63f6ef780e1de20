"""Dependencies point inward: graph → domain ← persistence."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {(str(path.relative_to(ROOT)), a.name.split(".")[0]) for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add((str(path.relative_to(ROOT)), node.module.split(".")[0]))
    return found


def test_domain_imports_no_framework_and_no_outer_layer():
    bad = {(f, m) for f, m in _imports("domain") if m in {"strawberry", "sqlalchemy", "starlette", "graph", "persistence", "asyncpg", "aiosqlite"}}
    assert not bad, bad


def test_persistence_does_not_import_graph():
    bad = {(f, m) for f, m in _imports("persistence") if m in {"graph", "strawberry", "starlette"}}
    assert not bad, bad

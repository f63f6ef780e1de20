"""The layers and the shape of the code, as import-linter contracts (pyproject.toml,
``[tool.importlinter]``): graph → persistence → domain, a pure domain, HTTP over the
GraphQL machinery, and no import cycles between the areas of the domain or of the API."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_linter_contracts_hold():
    linter = Path(sys.executable).with_name("lint-imports")
    ran = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "0 broken" in ran.stdout, ran.stdout

"""``make bench-smoke`` inside ``make test``: the benchmark harness runs end to end on
small data and reports every figure. Whether the targets are met is for ``make bench``."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.server import ROOT

FIELDS = {"name", "value", "baseline", "ratio", "target", "met"}


def test_bench_smoke_reports_every_figure(postgres_url):  # PostgreSQL-only: skipped (or failed in CI) without it
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stderr[-4000:]
    out = ROOT / "bench" / "results" / "smoke"
    report = json.loads((out / "results.json").read_text())
    figures = {f["figure"]: f for f in report["figures"]}
    assert set(figures) == {"1", "2", "3a", "3b", "4", "5", "6"}
    for f in figures.values():
        assert FIELDS <= set(f), f
        assert f["met"] is None or isinstance(f["met"], bool)
    # Every figure has numbers (the fan-out has no baseline: its target is absolute).
    assert all(f["value"] is not None and f["baseline"] is not None for k, f in figures.items() if k != "5")
    # Losing an alert is a bug, not a matter of speed: every subscriber got every stored alert.
    fanout = figures["5"]["details"]
    assert fanout["lost"] == 0 and fanout["errors"] == 0, fanout
    assert fanout["alerts"] == fanout["alerts_stored"] >= 15 * fanout["rounds"] and fanout["delivered"] == fanout["expected"], fanout
    assert (out / "latency.png").stat().st_size > 1000
    assert "| 1 " in result.stdout and "| 6 " in result.stdout

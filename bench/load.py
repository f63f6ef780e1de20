"""Drive the real server with concurrent clients from a separate process.

``wrk`` (C, event loop, a Lua script for the request mix) is the load tool: it
leaves the CPU to the server on a 2-core machine. Where it is not installed,
``python -m bench.load`` is a small asyncio stand-in with the same inputs and
output, so the harness (and ``make bench-smoke``) still runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).with_name("wrk") / "requests.lua"
MARK = "BENCH_JSON "


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: str = ""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    duration_s: float
    errors: int
    non2xx: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    tool: str

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0


def tool() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def run(base: str, requests: list[Request], *, seconds: float, connections: int) -> LoadResult:
    """Replay ``requests`` round robin against ``base`` for ``seconds`` with ``connections`` clients."""
    assert base.startswith("http://127.0.0.1:"), "load goes to the loopback only"
    with tempfile.NamedTemporaryFile("w", suffix=".tsv") as f:
        for r in requests:
            assert "\t" not in r.body and "\n" not in r.body
            f.write(f"{r.method}\t{r.path}\t{r.body}\n")
        f.flush()
        used = tool()
        if used == "wrk":
            cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
                   "-s", str(LUA), base, "--", f.name]
        else:
            cmd = [sys.executable, "-m", "bench.load", base, f.name, str(seconds), str(connections)]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith(MARK))
    return LoadResult(**json.loads(line[len(MARK):]), tool=used)


# -- the Python stand-in ------------------------------------------------------------
async def _drive(base: str, requests: list[Request], seconds: float, connections: int) -> dict:
    import httpx

    latencies: list[float] = []
    counts = {"errors": 0, "non2xx": 0}
    deadline = time.perf_counter() + seconds
    headers = {"content-type": "application/json", "accept": "application/json"}

    async def client(offset: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            i = offset
            while time.perf_counter() < deadline:
                r = requests[i % len(requests)]
                i += 1
                started = time.perf_counter()
                try:
                    response = await http.request(r.method, r.path, content=r.body or None, headers=headers)
                except httpx.HTTPError:
                    counts["errors"] += 1
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                counts["non2xx"] += not 200 <= response.status_code < 300

    started = time.perf_counter()
    await asyncio.gather(*(client(i * 7) for i in range(connections)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99 or [0.0] * 99
    return {
        "requests": len(latencies), "duration_s": elapsed, **counts,
        "p50_ms": q[49], "p90_ms": q[89], "p99_ms": q[98], "mean_ms": statistics.fmean(latencies or [0.0]),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="asyncio stand-in for wrk (used when wrk is missing)")
    parser.add_argument("base")
    parser.add_argument("file")
    parser.add_argument("seconds", type=float)
    parser.add_argument("connections", type=int)
    args = parser.parse_args(argv)
    requests = [Request(*line.rstrip("\n").split("\t", 2)) for line in open(args.file) if line.strip()]
    figures = asyncio.run(_drive(args.base, requests, args.seconds, args.connections))
    print(MARK + json.dumps(figures))


if __name__ == "__main__":
    main()

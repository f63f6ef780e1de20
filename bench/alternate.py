"""Side-by-side latency: one client, one keep-alive connection, the request sets
taken in turn (A, B, C, A, B, C, …), each response timed and filed under its set.

wrk reports one latency distribution per run, so two sets measured in two runs
see whatever else the machine did in each; taking them in turn makes any
interference hit every set alike. ``python -m bench.alternate BASE FILE SECONDS``
(a separate process, like wrk) reads ``LABEL<TAB>METHOD<TAB>PATH<TAB>BODY`` lines
and prints ``BENCH_JSON {label: {"n", "p50_ms", "p90_ms", "p99_ms"}}``.
"""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from urllib.parse import urlsplit

from .load import MARK, Request


def run(base: str, sets: dict[str, list[Request]], seconds: float) -> dict[str, dict]:
    assert base.startswith("http://127.0.0.1:"), "load goes to the loopback only"
    with tempfile.NamedTemporaryFile("w", suffix=".tsv") as f:
        for label, requests in sets.items():
            for r in requests:
                f.write(f"{label}\t{r.method}\t{r.path}\t{r.body}\n")
        f.flush()
        out = subprocess.run(
            [sys.executable, "-m", "bench.alternate", base, f.name, str(seconds)],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        ).stdout
    line = next(line for line in out.splitlines() if line.startswith(MARK))
    return json.loads(line[len(MARK):])


def _drive(base: str, sets: dict[str, list[Request]], seconds: float) -> dict[str, dict]:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    headers = {"content-type": "application/json", "accept": "application/json"}
    latencies: dict[str, list[float]] = defaultdict(list)
    labels = list(sets)
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline:
        for label in labels:
            r = sets[label][i % len(sets[label])]
            started = time.perf_counter()
            conn.request(r.method, r.path, body=r.body.encode() or None, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies[label].append((time.perf_counter() - started) * 1000)
            if not 200 <= response.status < 300:  # a create answers 201
                raise RuntimeError(f"{label}: HTTP {response.status}")
        i += 1
    conn.close()
    result = {}
    for label, values in latencies.items():
        q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
        result[label] = {"n": len(values), "p50_ms": round(q[49], 3), "p90_ms": round(q[89], 3), "p99_ms": round(q[98], 3)}
    return result


def main() -> None:
    base, path, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    sets: dict[str, list[Request]] = defaultdict(list)
    for line in open(path):
        label, method, target, body = line.rstrip("\n").split("\t", 3)
        sets[label].append(Request(method, target, body))
    print(MARK + json.dumps(_drive(base, sets, seconds)))


if __name__ == "__main__":
    main()

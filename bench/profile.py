"""Where a server's time goes under load: py-spy samples the real server process
while wrk drives one request mix, and the samples are summed per package (self
time of the innermost frame) and per function.

``python -m bench --profile graphql|rest`` writes ``bench/results/profile-<mix>.txt``
(the summary) and ``profile-<mix>.raw`` (collapsed stacks for any flame graph tool).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from . import load

# Innermost frame's file (as py-spy names it: "package/module.py") → the part of the
# stack it belongs to; first match wins, the rest is "other" (stdlib, builtins).
PACKAGES = [
    ("graphql-core (parse, validate, execute)", "graphql/"),
    ("strawberry", "strawberry/"),
    ("sqlalchemy", "sqlalchemy/"),
    ("asyncpg", "asyncpg/"),
    ("uvicorn / httptools", "uvicorn/"),
    ("starlette", "starlette/"),
    ("aiodataloader", "aiodataloader"),
    ("dateutil (period arithmetic)", "dateutil/"),
    ("budgetql domain", "domain/"),
    ("budgetql persistence", "persistence/"),
    ("budgetql graph", "graph/"),
    ("asyncio event loop", "asyncio/"),
    ("json / orjson", "json"),
]
# Inclusive: samples with any frame containing one of the strings (they overlap).
INCLUSIVE = [
    ("GraphQL parse", ("(graphql/language/parser.py", "(graphql/language/lexer.py")),
    ("GraphQL validate", ("(graphql/validation/",)),
    ("GraphQL execute (resolvers, result completion)", ("(graphql/execution/",)),
    ("SQLAlchemy", ("(sqlalchemy/",)),
    ("asyncpg", ("(asyncpg/",)),
    ("connection pre-ping, BEGIN, COMMIT round trips", ("_async_ping (", "_start_transaction (", "AsyncSession.commit (")),
    ("progress computation (domain/progress.py, periods.py)", ("(domain/progress.py", "(domain/periods.py")),
    ("period arithmetic (dateutil)", ("(dateutil/",)),
    ("response encoding (json/orjson)", ("(json/", "encode_json (")),
]
FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*):\d+\)$")


def summarize(raw: str, top: int = 25) -> str:
    by_package: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        for name, needles in INCLUSIVE:
            if any(needle in frame for frame in frames for needle in needles):
                inclusive[name] += n
        leaf = frames[-1]
        m = FRAME.match(leaf)
        file = m["file"] if m else leaf
        by_package[next((name for name, prefix in PACKAGES if file.startswith(prefix)), "other")] += n
        by_function[leaf] += n
    lines = [f"{total} samples", "", "inclusive (a sample with any frame there):"]
    lines += [f"  {100 * inclusive[name] / total:5.1f}%  {name}" for name, _ in INCLUSIVE]
    lines += ["", "self time of the innermost frame, by package:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in by_package.most_common()]
    lines += ["", f"top {top} functions:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in by_function.most_common(top)]
    return "\n".join(lines) + "\n"


def record(pid: int, base: str, requests: list[load.Request], seconds: float, connections: int, out: Path) -> str:
    """Sample ``pid`` for ``seconds`` while wrk replays ``requests``; write ``out``.raw
    (collapsed stacks, for flame graph tools) and ``out``.txt (the summary); return the summary."""
    raw = out.with_suffix(".raw")
    spy = subprocess.Popen(
        [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(pid), "--duration", str(int(seconds)),
         "--rate", "250", "--format", "raw", "--output", str(raw), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    load.run(base, requests, seconds=seconds + 1, connections=connections)
    _, err = spy.communicate(timeout=120)
    if spy.returncode:
        raise RuntimeError(f"py-spy failed: {err}")
    text = summarize(raw.read_text())
    out.with_suffix(".txt").write_text(text)
    return text

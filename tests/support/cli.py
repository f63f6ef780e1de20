"""Running ``budgetql`` commands from tests."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import dataclass

from graph import cli

from tests.support.server import ROOT


@dataclass
class Ran:
    status: int
    out: str
    err: str


async def budgetql(capsys, *argv: str) -> Ran:
    """``budgetql ARGV`` in this process (its own thread and event loop, as from a shell)."""
    capsys.readouterr()
    status = await asyncio.to_thread(cli.main, list(argv))
    captured = capsys.readouterr()
    return Ran(status, captured.out, captured.err)


def budgetql_process(*argv: str, timeout: float = 300) -> Ran:
    """``budgetql ARGV`` as a separate process, exactly as a user runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "graph.cli", *argv], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    return Ran(done.returncode, done.stdout, done.stderr)

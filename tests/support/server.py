"""Run the real server (`budgetql serve`) in a subprocess for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment_without_auth() -> dict:
    """This process's environment minus authentication settings: a server's come from
    the test alone, never from the shell running the tests."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("BUDGETQL_AUTH", "BUDGETQL_JWT", "BUDGETQL_JWKS"))}


@dataclass
class ServerProcess:
    proc: subprocess.Popen
    base: str


def answered(proc: subprocess.Popen, answers: Callable[[], bool], seconds: float, interval: float = 0.1) -> bool:
    """Poll ``answers()`` (an HTTP error counts as not yet) until it is true: True; False
    when ``proc`` exits first (``proc.poll()`` then says so) or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            return False
        try:
            if answers():
                return True
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


def stop(proc: subprocess.Popen) -> None:
    """Terminate ``proc`` (if it still runs) and wait for it; killed after 15 s."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def answering_process(
    cmd: list[str], *, cwd: Path, env: dict, answers: Callable[[], bool], seconds: float, name: str,
    output: Path | None = None,
) -> Iterator[subprocess.Popen]:
    """Start ``cmd``; yield the process once ``answers()`` is true (polled; an HTTP error
    counts as not yet). Its stdout and stderr go to ``output`` when given, else to a
    temporary file, shown when it exits early or never answers within ``seconds``. Always
    a file: a pipe nobody reads fills up (64 KiB of log lines) and then blocks the process
    in the middle of a request. Stopped (terminated, then killed) on the way out."""
    own_output = output is None
    if own_output:
        handle, path = tempfile.mkstemp(prefix=f"budgetql-{name}-", suffix=".log")
        os.close(handle)
        output = Path(path)
    sink = open(output, "w")
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT, text=True)
    try:
        if not answered(proc, answers, seconds):
            why = "exited early" if proc.poll() is not None else f"did not answer within {seconds} s"
            raise RuntimeError(f"{name} {why}:\n{output.read_text()}")
        yield proc
    finally:
        stop(proc)
        sink.close()
        if own_output:
            output.unlink(missing_ok=True)


@contextmanager
def server_process(
    database_url: str,
    *,
    port: int | None = None,
    extra_args: list[str] | None = None,
    env: dict | None = None,
    output: Path | None = None,
):
    """Start `budgetql serve`; yield its process and base URL once /healthz answers.
    Its stdout and stderr go to ``output`` when given (a file the test can read)."""
    port = port or free_port()
    cmd = [
        sys.executable, "-m", "graph.cli", "serve",
        "--host", "127.0.0.1", "--port", str(port),
        "--database-url", database_url, "--log-level", "warning",
        *(extra_args or []),
    ]
    base = f"http://127.0.0.1:{port}"
    with answering_process(
        cmd, cwd=ROOT, env={**environment_without_auth(), **(env or {})},
        answers=lambda: httpx.get(base + "/healthz", timeout=1).status_code == 200,
        seconds=30, name="server", output=output,
    ) as proc:
        yield ServerProcess(proc, base)


@contextmanager
def running_server(database_url: str, *, port: int | None = None, extra_args: list[str] | None = None, env: dict | None = None):
    """Start `budgetql serve` and yield its base URL once /healthz answers."""
    with server_process(database_url, port=port, extra_args=extra_args, env=env) as server:
        yield server.base

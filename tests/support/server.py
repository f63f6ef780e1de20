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
    full_env = {**environment_without_auth(), **(env or {})}
    # Always a file: a pipe nobody reads fills up (64 KiB of log lines) and then blocks
    # the server in the middle of a request.
    own_output = output is None
    if own_output:
        handle, name = tempfile.mkstemp(prefix="budgetql-server-", suffix=".log")
        os.close(handle)
        output = Path(name)
    sink = open(output, "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=sink, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                early = Path(output).read_text()
                raise RuntimeError(f"server exited early:\n{early}")
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 30 s")
            time.sleep(0.1)
        yield ServerProcess(proc, base)
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        sink.close()
        if own_output:
            output.unlink(missing_ok=True)


@contextmanager
def running_server(database_url: str, *, port: int | None = None, extra_args: list[str] | None = None, env: dict | None = None):
    """Start `budgetql serve` and yield its base URL once /healthz answers."""
    with server_process(database_url, port=port, extra_args=extra_args, env=env) as server:
        yield server.base

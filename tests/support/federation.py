"""A real Apollo gateway and a second subgraph (tests/e2e/federation/, node) for the
federation tests: installed by `make federation-gateway` (``npm ci``), started here."""

from __future__ import annotations

import hashlib
import os
import shutil
from contextlib import ExitStack, contextmanager
from typing import Iterator

import httpx
import pytest

from tests.support.queries import in_ci
from tests.support.server import ROOT, answering_process, free_port

FOLDER = ROOT / "tests" / "e2e" / "federation"
START_SECONDS = 60  # composition reads both subgraphs' SDL before the gateway listens


def unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"{reason} (CI=true requires the federation gateway test)")
    pytest.skip(reason)


def require_gateway() -> str:
    """The node binary, once the gateway's packages are installed; else skip (fail in CI)."""
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed: the federation test needs node >= 20 and npm")
    stamp = FOLDER / "node_modules" / ".installed-lock"
    lock = hashlib.sha256((FOLDER / "package-lock.json").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != lock:
        unavailable(f"the gateway's npm packages are not installed from the current package-lock.json: run "
                    f"`make federation-gateway` (npm ci in {FOLDER})")
    return node


@contextmanager
def node_process(node: str, script: str, *, env: dict | None = None) -> Iterator[str]:
    """``node <script> <port>`` in tests/e2e/federation; yields its base URL once it answers
    a GraphQL request (its output goes to a file, shown if it exits early or never answers)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    with answering_process(
        [node, script, str(port)], cwd=FOLDER, env={**os.environ, **(env or {})},
        answers=lambda: httpx.post(base, json={"query": "{ __typename }"}, timeout=2).status_code == 200,
        seconds=START_SECONDS, name=script,
    ):
        yield base


@contextmanager
def running_gateway(budgetql_base: str, service_token: str) -> Iterator[str]:
    """The profiles subgraph and a gateway composing it with the budgetql server at
    ``budgetql_base``; yields the gateway's URL. ``service_token`` is what the gateway
    sends when it reads the subgraphs' SDL at start-up (no client request is then)."""
    node = require_gateway()
    with ExitStack() as stack:
        profiles = stack.enter_context(node_process(node, "profiles.mjs"))
        gateway = stack.enter_context(node_process(node, "gateway.mjs", env={
            "BUDGETQL_URL": budgetql_base + "/graphql",
            "PROFILES_URL": profiles,
            "BUDGETQL_SERVICE_TOKEN": service_token,
        }))
        yield gateway

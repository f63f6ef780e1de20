"""Headless Chromium for the browser tests, driven by Playwright.

Playwright uses the system Chromium (``/usr/bin/chromium``, which ``make test``
installs with apt-get where it can; ``BUDGETQL_CHROMIUM`` names another binary),
never a browser build of its own. Without one the browser tests are skipped with
the reason shown, except under ``CI=true``, where that fails the run.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.support.queries import in_ci

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    configured = os.environ.get("BUDGETQL_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"{reason} (CI=true requires the browser tests)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium (a Playwright ``Browser``) for one test module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"Playwright is not installed ({exc}): run `make install`")
    path = chromium_path()
    if path is None:
        _unavailable(
            "no Chromium at /usr/bin/chromium or $BUDGETQL_CHROMIUM "
            "(`make test` installs Debian's chromium with apt-get when it can)"
        )
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, timeout=60_000)
    except Exception as exc:  # noqa: BLE001 - any failure to start the browser
        playwright.stop()
        _unavailable(f"Chromium at {path} did not start: {exc}")
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


@pytest.fixture
def page(browser):
    """A fresh page in its own browser context."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        yield context.new_page()
    finally:
        context.close()


class PageWatch:
    """What a page does: every URL it requests (WebSockets too), the WebSocket frames it
    sends and receives (``{"sent": …}`` / ``{"received": …}``, parsed), its errors."""

    def __init__(self, page):
        self.requested: list[str] = []
        self.frames: list[dict] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requested.append(r.url))
        page.on("websocket", self._websocket)
        page.on("pageerror", lambda e: self.errors.append(f"{e.name}: {e.message}"))

    def _websocket(self, ws) -> None:
        self.requested.append(ws.url)
        ws.on("framesent", lambda f: self.frames.append({"sent": json.loads(f)}))
        ws.on("framereceived", lambda f: self.frames.append({"received": json.loads(f)}))

    def sent(self) -> list[dict]:
        return [f["sent"] for f in self.frames if "sent" in f]

    def received(self) -> list[dict]:
        return [f["received"] for f in self.frames if "received" in f]

    def outside(self, server: str) -> list[str]:
        """Requests that left ``server`` (inline ``data:`` URLs stay inside)."""
        ws_url = server.replace("http://", "ws://")
        return [u for u in self.requested if not u.startswith((server + "/", ws_url + "/", "data:"))]

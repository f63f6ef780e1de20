"""``GET /docs``: Swagger UI rendering ``GET /openapi.json``, with nothing loaded from
outside this server. Its assets are swagger-ui's own dist files as the
``swagger-ui-py`` package ships them (pinned in pyproject.toml; only its static files
are used, not its framework glue), served under ``/docs/assets``; the page
itself is ``graph/http/templates/docs.html``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

PAGE = (Path(__file__).resolve().parent / "templates" / "docs.html").read_text(encoding="utf-8")


def swagger_ui_dir() -> Path:
    """swagger-ui's dist files, found without importing ``swagger_ui`` (whose package
    imports jinja2 and its web framework adapters)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed: `make install` installs it")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


async def docs(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    return HTMLResponse(PAGE.replace("{{STATIC}}", f"{root}/docs/assets").replace("{{ROOT}}", root))


def routes() -> list[BaseRoute]:
    return [
        Route("/docs", docs, methods=["GET"]),
        Mount("/docs/assets", StaticFiles(directory=swagger_ui_dir()), name="swagger-ui"),
    ]

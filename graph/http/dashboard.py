"""The dashboard at ``/``: a static page (``graph/http/static/dashboard``) that is a client
of the public GraphQL API, its assets served under ``/static/dashboard``."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

PAGE = Path(__file__).resolve().parent / "static" / "dashboard" / "index.html"


async def dashboard(_: Request) -> FileResponse:
    return FileResponse(PAGE, media_type="text/html")


def routes() -> list[Route]:
    return [Route("/", dashboard, methods=["GET"])]

"""/docs in a real browser: Swagger UI renders the REST operations of /openapi.json,
with nothing loaded from outside the server."""

from __future__ import annotations

from tests.support.browser import PageWatch


def test_docs_renders_the_rest_operations(server, page):
    watch = PageWatch(page)
    page.goto(server + "/docs")
    progress = page.locator(".opblock", has=page.locator('[data-path="/budgets/{budget_id}/progress"]'))
    progress.first.wait_for(timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    normalized = {p.replace("\u200b", "").strip() for p in paths}
    assert {"/budgets", "/budgets/{budget_id}", "/budgets/{budget_id}/progress", "/healthz"} <= normalized, normalized
    assert watch.errors == []
    assert watch.outside(server) == [], watch.outside(server)
    assert server + "/openapi.json" in watch.requested

"""GET /docs renders the OpenAPI document with Swagger UI, every asset from this server."""

from __future__ import annotations

import re

ASSET_ATTRIBUTE = re.compile(r'(?:src|href)="([^"]+)"')


async def test_the_docs_page_and_its_assets_come_from_this_server(client):
    page = await client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert not re.search(r"https?://", page.text)  # no CDN, no validator badge
    urls = ASSET_ATTRIBUTE.findall(page.text)
    assert set(urls) == {
        "/docs/assets/favicon-32x32.png",
        "/docs/assets/swagger-ui.css",
        "/docs/assets/swagger-ui-bundle.js",
    }
    for url in urls:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 500, url
    css = (await client.get("/docs/assets/swagger-ui.css")).text
    assert not re.search(r"url\(\s*[\"']?(?:https?:)?//", css)  # its images are inline data: URLs
    bundle = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith(("application/javascript", "text/javascript"))
    assert "SwaggerUIBundle" in bundle.text


async def test_the_docs_page_reads_the_served_openapi_document(client):
    page = (await client.get("/docs")).text
    assert re.search(r'url: "/openapi\.json"', page)
    document = await client.get("/openapi.json")
    assert document.status_code == 200 and document.json()["openapi"].startswith("3.1")


async def test_the_docs_page_follows_the_root_path(app):
    import httpx

    transport = httpx.ASGITransport(app=app, root_path="/api")
    async with httpx.AsyncClient(transport=transport, base_url="http://budgetql.test") as http:
        page = (await http.get("/api/docs")).text
    assert 'url: "/api/openapi.json"' in page
    assert set(ASSET_ATTRIBUTE.findall(page)) <= {
        f"/api/docs/assets/{name}" for name in ("favicon-32x32.png", "swagger-ui.css", "swagger-ui-bundle.js")
    }

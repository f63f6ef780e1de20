"""GET /openapi.json: an OpenAPI 3.1 document that the validator accepts, that documents
every route of the app (but GraphQL's and the dashboard page), and whose schemas the
real responses of each route match, successes and errors, on SQLite and PostgreSQL;
then schemathesis fuzzes the real server from it (bounded, derandomized)."""

from __future__ import annotations

import re

import httpx
import schemathesis
from jsonschema import Draft202012Validator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from openapi_spec_validator import validate
from starlette.routing import Route

from graph.http.openapi import document
from graph.settings import AuthSettings

from tests.rest.test_rest import body, exact
from tests.support.examples import both_modes, fuzz
from tests.support.auth import AUDIENCE, ISSUER, SECRET, mint
from tests.support.queries import app_client
from tests.support.server import running_server

# Routes with a contract of their own elsewhere: not REST.
NOT_REST = {
    ("/graphql", "get"): "GraphQL over HTTP: schema.graphql",
    ("/graphql", "post"): "GraphQL over HTTP: schema.graphql",
    ("/", "get"): "the dashboard page (HTML)",
    ("/docs", "get"): "the page rendering this document (HTML)",
}
_CONVERTER = re.compile(r":\w+}")


def served(routes) -> set[tuple[str, str]]:
    """(path as OpenAPI writes it, method) of every HTTP route (Starlette adds HEAD to GET)."""
    return {
        (_CONVERTER.sub("}", r.path), m.lower())
        for r in routes
        if isinstance(r, Route)
        for m in (r.methods or ["GET"])
        if m != "HEAD"
    }


def documented(doc: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, item in doc["paths"].items() for method in item}


def undocumented(routes, doc: dict) -> set[tuple[str, str]]:
    return served(routes) - documented(doc) - set(NOT_REST)


async def openapi(client) -> dict:
    response = await client.get("/openapi.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    return response.json()


async def test_every_route_is_documented_and_nothing_else(app, client):
    doc = await openapi(client)
    assert undocumented(app.routes, doc) == set()
    assert documented(doc) <= served(app.routes), "a documented path no route serves"
    assert "/budgets/{budget_id}/progress" in doc["paths"]
    assert set(doc["paths"]["/budgets/{budget_id}"]) == {"get", "patch", "delete"}

    # A route added without its operation is caught (the document is built from the routes).
    async def undocumented_endpoint(request):
        """Prose only: no operation after ---."""

    extra = [*app.routes, Route("/budgets/{budget_id}/export", undocumented_endpoint, methods=["GET"])]
    assert undocumented(extra, document(extra)) == {("/budgets/{budget_id}/export", "get")}


async def test_the_document_is_valid_openapi_3_1_with_exact_amounts(client):
    doc = await openapi(client)
    assert doc["openapi"] == "3.1.0"
    validate(doc)  # raises on an invalid document
    schemas = doc["components"]["schemas"]
    assert schemas["Budget"]["properties"]["categories"]["additionalProperties"]["type"] == "number"
    assert "exact decimal" in schemas["Progress"]["properties"]["total_spent"]["description"]
    assert schemas["Error"]["required"] == ["detail", "code"]
    # The bodies are the field tables the routes read: required fields, nothing unknown.
    assert schemas["BudgetCreate"]["required"] == ["name", "type", "period", "categories"]
    assert schemas["BudgetCreate"]["additionalProperties"] is False


class Checker:
    """Checks responses against the document: the status must be documented for the
    operation and the body must match its schema."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.seen: set[tuple[str, str, int]] = set()

    def response(self, path: str, method: str, status: int) -> dict:
        responses = self.doc["paths"][path][method]["responses"]
        assert str(status) in responses, f"{method.upper()} {path} answered {status}, which it does not document"
        found = responses[str(status)]
        if "$ref" in found:
            found = self.doc["components"]["responses"][found["$ref"].rsplit("/", 1)[1]]
        return found

    def __call__(self, path: str, method: str, response: httpx.Response) -> httpx.Response:
        documented_response = self.response(path, method, response.status_code)
        content = documented_response.get("content")
        if content is None:
            assert response.content == b"", response.content
        else:
            assert response.headers["content-type"].startswith("application/json")
            schema = {**content["application/json"]["schema"], "components": self.doc["components"]}
            errors = sorted(Draft202012Validator(schema).iter_errors(response.json()), key=str)
            assert not errors, (method, path, response.status_code, response.text, [e.message for e in errors])
        self.seen.add((path, method, response.status_code))
        return response


async def test_real_responses_match_the_documented_schemas(client, user_id):
    check = Checker(await openapi(client))
    budgets, one, progress = "/budgets", "/budgets/{budget_id}", "/budgets/{budget_id}/progress"

    made = check(budgets, "post", await client.post(budgets, json=body(user_id, categories={"Groceries": 600.00,
                                                                                          "Savings": 0})))
    assert made.status_code == 201 and "600.00" in made.text  # exact digits, not 600.0
    budget_id = made.json()["id"]
    check(budgets, "post", await client.post(budgets, json=body(user_id, categories={"Groceries": -1})))  # 400
    check(budgets, "post", await client.post(budgets, json=body(user_id, colour="red")))  # 422
    check(budgets, "post", await client.post(budgets, content=b'{"name": "' + b"x" * 1_100_000 + b'"}',
                                             headers={"content-type": "application/json"}))  # 413
    check(budgets, "get", await client.get(budgets, params={"user_id": user_id}))
    check(budgets, "get", await client.get(budgets, params={"user_id": user_id, "type": "weekly"}))  # 400
    check(budgets, "get", await client.get(budgets))  # 422: user_id is required with authentication off

    check(one, "get", await client.get(f"/budgets/{budget_id}"))
    check(one, "get", await client.get("/budgets/bud_missing000000"))  # 404
    check(one, "patch", await client.patch(f"/budgets/{budget_id}", json={"name": "Renamed"}))
    check(one, "patch", await client.patch(f"/budgets/{budget_id}", json={}))  # 400
    check(one, "patch", await client.patch(f"/budgets/{budget_id}", content=b"[1]"))  # 422
    check(one, "patch", await client.patch("/budgets/bud_missing000000", json={"name": "x"}))  # 404

    spent = await client.post("/graphql", json={"query": """mutation($u: String!) { recordTransaction(input: {
        userId: $u, category: "Savings", amount: "12.34", occurredAt: "2025-11-03T10:00:00"}) { errors { message } } }""",
                                                "variables": {"u": user_id}})
    assert spent.json()["data"]["recordTransaction"]["errors"] == []
    figures = check(progress, "get", await client.get(f"/budgets/{budget_id}/progress", params={"at": "2025-11-15T00:00:00"}))
    by_name = {c["category_name"]: c for c in exact(figures)["categories"]}
    assert by_name["Savings"]["percent_used"] is None and str(by_name["Savings"]["spent_amount"]) == "12.34"
    check(progress, "get", await client.get(f"/budgets/{budget_id}/progress", params={"period": "1"}))
    check(progress, "get", await client.get(f"/budgets/{budget_id}/progress", params={"period": "soon"}))  # 400
    check(progress, "get", await client.get("/budgets/bud_missing000000/progress"))  # 404

    templates, from_template = "/budgets/templates/list", "/budgets/from-template"
    own = await client.post("/graphql", json={"query": """mutation($u: String!) { createTemplate(input: {userId: $u,
        key: "family", name: "Family", categories: [{name: "Rent", percent: "60"}, {name: "Food", percent: "40"}]})
        { errors { message } } }""", "variables": {"u": user_id}})
    assert own.json()["data"]["createTemplate"]["errors"] == []
    listed = check(templates, "get", await client.get(templates, params={"user_id": user_id}))
    assert "family" in listed.json() and "50_30_20" in listed.json()
    check(templates, "get", await client.get(templates))
    request = {"user_id": user_id, "template_name": "50_30_20", "total_income": 5000.00}
    check(from_template, "post", await client.post(from_template, json=request))  # 201
    check(from_template, "post", await client.post(from_template, json={**request, "template_name": "nope"}))  # 400
    check(from_template, "post", await client.post(from_template, json={**request, "total_income": "5000"}))  # 422

    check(one, "delete", await client.delete(f"/budgets/{budget_id}"))  # 204, no body
    check(one, "delete", await client.delete(f"/budgets/{budget_id}"))  # 404
    wrong_method = await client.put(budgets, json={})
    assert wrong_method.status_code == 405
    Draft202012Validator({"$ref": "#/components/schemas/Error", "components": check.doc["components"]}).validate(
        wrong_method.json()
    )  # the "default" response of every operation

    check("/healthz", "get", await client.get("/healthz"))
    check("/readyz", "get", await client.get("/readyz"))
    check("/openapi.json", "get", await client.get("/openapi.json"))

    statuses = {(p, m): s for p, m, s in check.seen}
    assert {p for p, _ in statuses} == set(check.doc["paths"]), "every documented path was exercised"
    assert {s for _, _, s in check.seen} >= {200, 201, 204, 400, 404, 413, 422}


JWT = AuthSettings(mode="jwt", jwt_secret=SECRET, issuer=ISSUER, audience=AUDIENCE)


async def test_authentication_errors_match_the_documented_schemas(db_url):
    async with app_client(db_url, auth=JWT, webhook_worker=False) as (_, http):
        check = Checker(await openapi(http))
        viewer = {"Authorization": f"Bearer {mint('user_openapi')}"}
        check("/budgets", "get", await http.get("/budgets"))  # 401
        check("/budgets/{budget_id}", "get", await http.get("/budgets/bud_x", headers={"Authorization": "Bearer nope"}))
        check("/budgets", "get", await http.get("/budgets", headers=viewer))  # 200, the viewer's
        check("/budgets", "get", await http.get("/budgets", params={"user_id": "someone_else"}, headers=viewer))  # 403
        check("/budgets", "post", await http.post("/budgets", json={**body("someone_else")}, headers=viewer))  # 403
        assert {s for _, _, s in check.seen} == {200, 401, 403}


FUZZ_EXAMPLES = 60


def _conforms(case, response) -> None:
    assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text)
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance,
                                             content_type_conformance, response_schema_conformance])


@both_modes
def test_fuzzed_requests_from_the_document_never_fail_the_server(db_url, mode):
    """schemathesis, from the served document: no 5xx, and every answer conforms to it."""
    with running_server(db_url) as base:
        fuzz(schemathesis.openapi.from_url(base + "/openapi.json"), base, mode, FUZZ_EXAMPLES, _conforms)

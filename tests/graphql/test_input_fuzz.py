"""Property test of every mutation's (and the id-taking queries' and REST routes') inputs:
hostile strings (NUL and other controls, lone surrogates, decomposed and case-folding
letters, huge ones), odd decimals (other scripts' digits, -0, 1e400, 1e-30, floats) and
odd dates and period indexes never get an internal error (issue #17). Every mutation's
error paths start at one of its arguments.

Hypothesis drives the real server on SQLite and PostgreSQL: derandomized and bounded
(``EXAMPLES`` requests per backend), with the webhook worker off so nothing is sent out.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import httpx
from hypothesis import given, strategies as st

from tests.support.examples import bounded
from tests.support.server import running_server
from tests.support.queries import CREATE, budget_input

EXAMPLES = 300
USER = "fuzz_user"

# -- values ----------------------------------------------------------------------------
_ODD_TEXT = [
    "a\u0000b", "\u0000", "\u0007", "line\nbreak", "tab\there", "\u0085", "\u009f", "\u007f",
    "Cafe\u0301", "Caf\u00e9", "CAF\u00c9", "\u00df" * 60, "\u00df" * 100, "x" * 101, "x" * 201, "x" * 1001,
    "", " ", "  padded  ", "\u202e", "\ufeff", "\u0661\u0662", "\U0001f600" * 30, "Groceries", "groceries",
]
hostile_text = st.one_of(
    st.sampled_from(_ODD_TEXT),
    st.text(max_size=24),  # any code point but surrogates
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0xA0), max_size=8),  # C0 and C1 controls
)
# Through Python's json a lone surrogate reaches the server as written (the REST reader
# takes it; GraphQL's reader refuses it).
rest_text = st.one_of(hostile_text, st.sampled_from(["\ud800", "a\udfffb"]))


def valid_or(valid, hostile=hostile_text):
    return st.one_of(st.just(valid), hostile)


_ODD_DECIMALS = [
    "0", "-0", "-0.00", "0.001", "1e400", "-1e400", "1E+999999999", "-1e999999999", "1e-30", "1e-999999999",
    "0.99999", "0.8555", "100", "100.0001", "NaN", "Infinity", "-Infinity", "12,50", " 1 ", "1_000", "9" * 60,
    "\u0661\u0662", "\uff11\uff12", "\u0967", "\u221212", "", "abc", "600.00", "1000000000000", "1000000000000.01",
]
decimals = st.one_of(
    st.sampled_from(_ODD_DECIMALS),
    st.decimals(min_value=-(10**13), max_value=10**13, allow_nan=False, allow_infinity=False, places=2).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
)
_ODD_DATES = [
    "2025-11-01T00:00:00", "2025-11-15T14:30:00Z", "9999-12-31T23:59:59", "9999-12-31T23:00:00-14:00",
    "0001-01-01T00:00:00+14:00", "0001-01-01", "1899-12-31T23:59:59", "1900-01-01T00:00:00", "2999-12-31T23:59:59",
    "3000-01-01T00:00:00", "2025-02-30T00:00:00", "now", "", "2025-11-01T00:00:00\u0000",
]
datetimes = st.one_of(
    st.sampled_from(_ODD_DATES),
    st.datetimes().map(lambda d: d.isoformat()),
    st.builds(
        lambda d, offset: d.isoformat() + offset,
        st.datetimes(),
        st.sampled_from(["Z", "+14:00", "-14:00", "+05:30"]),
    ),
)
period_indexes = st.one_of(
    st.integers(min_value=-3000, max_value=3000),
    st.sampled_from([2**31 - 1, -(2**31), 11689, 11690, -1500, -1501]),
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
)
ints = st.one_of(st.integers(min_value=-5, max_value=600), st.integers(min_value=-(2**31), max_value=2**31 - 1))
maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731
types = st.sampled_from(["PERSONAL", "HOUSEHOLD", "BUSINESS", "PROJECT", "CUSTOM"])
periods = st.sampled_from(["WEEKLY", "BIWEEKLY", "MONTHLY", "QUARTERLY", "YEARLY"])


def object_of(required: dict, optional: dict):
    """A dict with every required key and any of the optional ones."""
    return st.fixed_dictionaries(required, optional=optional)


categories = st.lists(object_of({"name": valid_or("Groceries"), "amount": decimals}, {}), max_size=3)
thresholds = object_of({}, {"warning": decimals, "limitReached": decimals, "overspending": decimals})
budget_fields = {
    "name": valid_or("Fuzz"),
    "type": types,
    "period": periods,
    "categories": categories,
    "startDate": datetimes,
    "rolloverEnabled": st.booleans(),
    "rolloverMode": st.sampled_from(["NONE", "UNUSED", "FULL"]),
    "currency": valid_or("USD", st.one_of(hostile_text, st.sampled_from(["usd", "JPY", "KWD", "XXX"]))),
    "thresholds": thresholds,
}
transaction = object_of(
    {"category": valid_or("Groceries"), "amount": decimals},
    {
        "userId": valid_or(USER),
        "currency": valid_or("USD"),
        "occurredAt": datetimes,
        "description": hostile_text,
        "externalId": hostile_text,
    },
)


# -- operations ------------------------------------------------------------------------
def mutation(name: str, signature: str, arguments: str, selection: str, variables):
    """A mutation request; its argument names, for checking the error paths."""
    names = [a.split(":")[0].strip() for a in arguments.split(",")]
    query = f"mutation({signature}) {{ {name}({arguments}) {{ {selection} errors {{ field code message }} }} }}"
    return variables.map(lambda v: {"graphql": query, "variables": v, "mutation": name, "arguments": names})


def query(text: str, variables):
    return variables.map(lambda v: {"graphql": text, "variables": v})


def rest(method: str, path, body=None, params=None):
    def build(p, b, q):
        request = {"method": method, "path": p + ("?" + urlencode(q, errors="surrogatepass") if q else "")}
        if b is not None:
            request["content"] = json.dumps(b)  # lone surrogates stay escaped, as a client may send them
        return request

    return st.builds(build, path, body if body is not None else st.none(), params if params is not None else st.none())


def operations(budget_ids: list[str]):
    ids = st.one_of(st.sampled_from(budget_ids), hostile_text, st.sampled_from(["bud_nope", "bud\u0000x"]))
    path_ids = st.one_of(st.sampled_from(budget_ids), rest_text).map(lambda i: quote(i, safe="", errors="surrogatepass"))
    user = valid_or(USER)
    return st.one_of(
        mutation("createBudget", "$i: CreateBudgetInput!", "input: $i", "budget { id }",
                 object_of({"name": valid_or("Fuzz"), "type": types, "period": periods, "categories": categories},
                           {k: v for k, v in budget_fields.items() if k not in ("name", "type", "period", "categories")}
                           | {"userId": user}).map(lambda i: {"i": i})),
        mutation("updateBudget", "$id: ID!, $i: UpdateBudgetInput!, $v: Int", "id: $id, input: $i, expectedVersion: $v",
                 "budget { id }",
                 st.fixed_dictionaries({"id": ids, "i": object_of({}, budget_fields), "v": maybe(ints)})),
        mutation("deleteBudget", "$id: ID!", "id: $id", "deletedId",
                 st.fixed_dictionaries({"id": st.one_of(hostile_text, st.just("bud_nope"))})),
        mutation("shareBudget", "$b: ID!, $u: String!, $r: MemberRole!", "budgetId: $b, userId: $u, role: $r", "budget { id }",
                 st.fixed_dictionaries({"b": ids, "u": hostile_text, "r": st.sampled_from(["VIEWER", "EDITOR"])})),
        mutation("unshareBudget", "$b: ID!, $u: String!", "budgetId: $b, userId: $u", "budget { id }",
                 st.fixed_dictionaries({"b": ids, "u": hostile_text})),
        mutation("recordTransaction", "$i: RecordTransactionInput!", "input: $i", "transaction { id } created",
                 transaction.map(lambda t: {"i": {"userId": USER, **t}})),
        mutation("recordTransactions", "$i: [RecordTransactionInput!]!", "inputs: $i", "createdCount",
                 st.lists(transaction.map(lambda t: {"userId": USER, **t}), max_size=3).map(lambda i: {"i": i})),
        mutation("deleteTransaction", "$id: ID!", "id: $id", "deletedId", st.fixed_dictionaries({"id": hostile_text})),
        mutation("applyTemplate", "$i: ApplyTemplateInput!", "input: $i", "budget { id }",
                 object_of({"templateKey": valid_or("50_30_20"), "totalIncome": decimals},
                           {"userId": user, "budgetName": hostile_text, "startDate": datetimes, "type": types,
                            "period": periods, "rolloverEnabled": st.booleans(), "currency": valid_or("USD")})
                 .map(lambda i: {"i": {"userId": USER, **i}})),
        mutation("createTemplate", "$i: CreateTemplateInput!", "input: $i", "template { key }",
                 object_of({"key": valid_or("fuzz_key"), "name": valid_or("Fuzz"),
                            "categories": st.lists(object_of({"name": valid_or("Home")},
                                                             {"group": hostile_text, "percent": decimals, "weight": decimals}),
                                                   max_size=3)},
                           {"userId": user, "description": hostile_text, "type": types, "period": periods})
                 .map(lambda i: {"i": {"userId": USER, **i}})),
        mutation("deleteTemplate", "$k: String!, $u: String", "key: $k, userId: $u", "deletedKey",
                 st.fixed_dictionaries({"k": hostile_text, "u": user})),
        mutation("acknowledgeAlert", "$id: ID!", "id: $id", "alert { alertId }", st.fixed_dictionaries({"id": hostile_text})),
        mutation("registerWebhook", "$i: RegisterWebhookInput!", "input: $i", "webhook { id }",
                 st.fixed_dictionaries({"i": object_of(
                     {"url": valid_or("https://example.com/hook"), "secret": valid_or("0123456789abcdef0123")},
                     {"userId": user})})),
        mutation("deleteWebhook", "$id: ID!", "id: $id", "deletedId", st.fixed_dictionaries({"id": hostile_text})),
        query("query($id: ID!, $at: DateTime, $k: Int) { budget(id: $id) { id progress(at: $at, period: $k) { totalSpent } } }",
              st.fixed_dictionaries({"id": ids, "at": maybe(datetimes), "k": maybe(period_indexes)})),
        query("query($id: ID!, $last: Int!) { budget(id: $id) { periods(last: $last) { periodIndex } } }",
              st.fixed_dictionaries({"id": ids, "last": ints})),
        query("query($id: ID!, $at: DateTime) { budgetProgress(budgetId: $id, at: $at) { totalSpent } }",
              st.fixed_dictionaries({"id": ids, "at": maybe(datetimes)})),
        query("query($u: String, $c: String, $f: DateTime, $t: DateTime, $a: String) { "
              "transactions(userId: $u, category: $c, from: $f, to: $t, after: $a) { totalCount } }",
              st.fixed_dictionaries({"u": user, "c": maybe(hostile_text), "f": maybe(datetimes), "t": maybe(datetimes),
                                     "a": maybe(hostile_text)})),
        query("query($u: String, $b: ID, $a: String) { alerts(userId: $u, budgetId: $b, after: $a) { totalCount } "
              "budgets(userId: $u, after: $a) { totalCount } }",
              st.fixed_dictionaries({"u": user, "b": maybe(ids), "a": maybe(hostile_text)})),
        query("query($u: String, $k: String!, $x: Decimal!, $c: String) { templates(userId: $u) { key } "
              "template(key: $k, userId: $u) { key } previewTemplate(key: $k, totalIncome: $x, currency: $c, userId: $u) { amount } }",
              st.fixed_dictionaries({"u": user, "k": valid_or("50_30_20"), "x": decimals, "c": valid_or("USD")})),
        query("query($u: String, $w: ID!) { webhooks(userId: $u) { id } webhookDeliveries(webhookId: $w) { totalCount } }",
              st.fixed_dictionaries({"u": user, "w": hostile_text})),
        rest("GET", st.just("/budgets"), params=st.fixed_dictionaries({"user_id": valid_or(USER, rest_text)},
                                                                       optional={"type": rest_text})),
        rest("GET", path_ids.map(lambda i: f"/budgets/{i}")),
        rest("GET", path_ids.map(lambda i: f"/budgets/{i}/progress")),
        rest("DELETE", st.one_of(rest_text, st.just("bud_nope")).map(lambda i: "/budgets/" + quote(i, safe="", errors="surrogatepass"))),
        rest("PATCH", path_ids.map(lambda i: f"/budgets/{i}"),
             body=object_of({}, {"name": rest_text, "categories": st.dictionaries(rest_text, st.integers(), max_size=2),
                                 "start_date": st.one_of(datetimes, rest_text), "period": rest_text})),
        rest("POST", st.just("/budgets"),
             body=object_of({"user_id": valid_or(USER, rest_text), "name": valid_or("Fuzz", rest_text),
                             "type": st.sampled_from(["personal", "household", "x"]), "period": st.sampled_from(["monthly", "weekly"]),
                             "categories": st.dictionaries(valid_or("Food", rest_text), st.integers(-5, 10**13), max_size=2)},
                            {"start_date": st.one_of(datetimes, rest_text), "rollover_enabled": st.booleans()})),
        rest("POST", st.just("/budgets/from-template"),
             body=object_of({"user_id": valid_or(USER, rest_text), "template_name": valid_or("50_30_20", rest_text),
                             "total_income": st.integers(-5, 10**13)},
                            {"budget_name": rest_text, "start_date": st.one_of(datetimes, rest_text)})),
        rest("GET", st.just("/budgets/templates/list"), params=st.fixed_dictionaries({"user_id": rest_text})),
    )


def check(request: dict, response: httpx.Response) -> None:
    shown = json.dumps(request)[:2000]
    assert response.status_code < 500, f"{response.status_code} for {shown}:\n{response.text[:2000]}"
    if response.status_code in (204, 307):  # deleted; or /budgets/ redirected to /budgets
        return
    body = response.json()
    if isinstance(body, dict) and "code" in body:
        assert body["code"] != "INTERNAL_SERVER_ERROR", shown
    for error in (body.get("errors") or []) if isinstance(body, dict) else []:
        assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", f"{shown}:\n{error}"
    name = request.get("mutation")
    payload = ((body.get("data") or {}).get(name) or {}) if name and isinstance(body, dict) else {}
    for error in payload.get("errors") or []:
        assert error["field"] is None or error["field"][0] in request["arguments"], f"{shown}:\n{error}"


def test_no_input_gets_an_internal_error(db_url):
    with running_server(db_url, env={"BUDGETQL_WEBHOOK_WORKER": "false"}) as base, httpx.Client(base_url=base, timeout=30) as http:
        budget_ids = []
        for rollover in (False, True):
            created = http.post("/graphql", json={"query": CREATE, "variables": {"input": budget_input(
                USER, rolloverEnabled=rollover, categories=[{"name": "Groceries", "amount": "100.00"}])}}).json()
            budget_ids.append(created["data"]["createBudget"]["budget"]["id"])
        http.post("/graphql", json={"query": "mutation($i: RecordTransactionInput!) { recordTransaction(input: $i) { created } }",
                                    "variables": {"i": {"userId": USER, "category": "Groceries", "amount": "90",
                                                        "occurredAt": "2025-11-03T10:00:00"}}})

        @bounded(EXAMPLES)
        @given(request=operations(budget_ids))
        def run(request: dict) -> None:
            if "graphql" in request:
                response = http.post("/graphql", json={"query": request["graphql"], "variables": request["variables"]})
            else:
                response = http.request(request["method"], request["path"], content=request.get("content"),
                                        headers={"content-type": "application/json"})
            check(request, response)

        run()

"""Authentication (BUDGETQL_AUTH=none | jwt) and tenant isolation, against the real server.

A server with BUDGETQL_AUTH=jwt runs once per backend (the ``jwt_server`` fixture);
tokens are minted here with PyJWT.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import subprocess
import sys
import time

import httpx
import jwt
import pytest
import websockets
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.support.auth import AUDIENCE, ISSUER, JWT_ENV, OMIT, SECRET, Api, mint, new_user
from tests.support.server import ROOT, environment_without_auth, free_port, running_server
from tests.support.queries import CREATE, GET, LIST, RECORD, UPDATE, DELETE, budget_input
from tests.graphql.test_alerts import ALERTS, SUBSCRIBE, current_budget, now_iso
from tests.support.ws import PROTOCOL, Subscriber

ME = "query { budgets { totalCount nodes { id userId } } }"
CREATE_TEMPLATE = """
mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { template { key } errors { field code message } } }
"""


def _spend(api: Api, amount: str, user_id: str | None = None) -> dict:
    payload = api(
        RECORD, {"input": {"userId": user_id, "category": "Groceries", "amount": amount, "occurredAt": now_iso()}}
    )["recordTransaction"]
    assert payload["errors"] == [], payload
    return payload["transaction"]


# -- tokens ------------------------------------------------------------------------
BAD_TOKENS = {
    "missing": lambda user: None,
    "not a JWT": lambda user: "not-a-token",
    "expired": lambda user: mint(user, exp=int(time.time()) - 3600),
    "not valid yet": lambda user: mint(user, nbf=int(time.time()) + 3600),
    "forged": lambda user: mint(user, key="another-secret-of-at-least-32-bytes!"),
    "wrong issuer": lambda user: mint(user, iss="https://evil.example/"),
    "wrong audience": lambda user: mint(user, aud="another-service"),
    "no exp": lambda user: mint(user, exp=OMIT),
    "no sub": lambda user: mint(OMIT),
    "alg none": lambda user: jwt.encode(
        {"sub": user, "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 600}, None, algorithm="none"
    ),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_bad_tokens_get_401_unauthenticated_and_nothing_runs(jwt_server, case):
    user = new_user()
    bad = Api(jwt_server, user, token=BAD_TOKENS[case](user) or "")
    response = bad.post(CREATE, {"input": budget_input(user)})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert "data" not in body and [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    rest = bad.rest("GET", "/budgets")
    assert rest.status_code == 401 and set(rest.json()) == {"detail", "code"} and rest.json()["code"] == "UNAUTHENTICATED"
    # Nothing was stored: the real user sees no budget.
    assert Api(jwt_server, user)(ME)["budgets"]["totalCount"] == 0


def test_error_messages_name_the_problem_but_never_echo_the_token(jwt_server):
    user = new_user()
    cases = [
        ("", "Authentication required: send Authorization: Bearer <token>"),
        (mint(user, exp=int(time.time()) - 3600), "Token expired"),
        (mint(user, nbf=int(time.time()) + 3600), "Token not valid yet"),
        (mint(user, aud="x"), "Invalid token: Audience doesn't match"),
        (mint(user, iss="x"), "Invalid token: Invalid issuer"),
        (mint(user, key="another-secret-of-at-least-32-bytes!"), "Invalid token: Signature verification failed"),
    ]
    for token, message in cases:
        body = Api(jwt_server, user, token=token).post(ME).json()
        assert [e["message"] for e in body["errors"]] == [message]
        assert not token or token not in json.dumps(body)


def test_graphiql_page_and_healthz_need_no_token(jwt_server):
    assert httpx.get(jwt_server + "/healthz").status_code == 200
    page = httpx.get(jwt_server + "/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert httpx.get(jwt_server + "/graphql", params={"query": ME}).status_code == 401


# -- the viewer --------------------------------------------------------------------
def test_user_id_defaults_to_the_viewer_everywhere(jwt_server):
    alice = Api(jwt_server, new_user("alice"))
    created = alice(CREATE, {"input": {**current_budget(alice.user), "userId": None}})["createBudget"]
    budget = created["budget"]
    assert created["errors"] == [] and budget["userId"] == alice.user
    assert alice(ME)["budgets"] == {"totalCount": 1, "nodes": [{"id": budget["id"], "userId": alice.user}]}
    assert _spend(alice, "95.00")["userId"] == alice.user
    txns = alice("query { transactions { nodes { userId amount } } }")["transactions"]["nodes"]
    assert txns == [{"userId": alice.user, "amount": "95.00"}]
    assert alice("query { alerts { totalCount } }")["alerts"]["totalCount"] == 2  # Groceries + total WARNING
    made = alice(CREATE_TEMPLATE, {"input": {"key": "mine", "name": "Mine", "categories": [{"name": "All", "weight": 1}]}})
    assert made["createTemplate"]["errors"] == []
    assert "mine" in [t["key"] for t in alice("query { templates { key } }")["templates"]]
    applied = alice('mutation { applyTemplate(input: {templateKey: "mine", totalIncome: "10"}) { budget { userId } } }')
    assert applied["applyTemplate"]["budget"]["userId"] == alice.user
    assert alice('mutation { deleteTemplate(key: "mine") { deletedKey } }')["deleteTemplate"]["deletedKey"] == "mine"
    # Naming yourself is fine too; so is REST without user_id.
    assert alice(LIST, {"userId": alice.user})["budgets"]["totalCount"] == 2
    created = alice.rest("POST", "/budgets", json={"name": "Rest", "type": "personal", "period": "monthly", "categories": {"A": 1}})
    assert created.status_code == 201 and created.json()["user_id"] == alice.user
    assert len(alice.rest("GET", "/budgets").json()) == 3


def test_naming_another_user_is_forbidden(jwt_server):
    alice, bob = Api(jwt_server, new_user("alice")), new_user("bob")
    created = alice(CREATE, {"input": budget_input(bob)})["createBudget"]
    assert created["budget"] is None
    assert created["errors"] == [{"field": ["input", "userId"], "code": "FORBIDDEN", "message": created["errors"][0]["message"]}]
    recorded = alice(RECORD, {"input": {"userId": bob, "category": "Groceries", "amount": "1"}})["recordTransaction"]
    assert [e["code"] for e in recorded["errors"]] == ["FORBIDDEN"]
    for query in (
        "query($u: String) { budgets(userId: $u) { totalCount } }",
        "query($u: String) { transactions(userId: $u) { totalCount } }",
        "query($u: String) { alerts(userId: $u) { totalCount } }",
        "query($u: String) { templates(userId: $u) { key } }",
    ):
        body = alice.raw(query, {"u": bob})
        assert body["data"] is None and [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], query
    assert alice.rest("GET", "/budgets", params={"user_id": bob}).status_code == 403
    assert alice.rest("POST", "/budgets", json={**{"user_id": bob}, "name": "x", "type": "personal", "period": "monthly", "categories": {"A": 1}}).status_code == 403
    assert Api(jwt_server, bob)(ME)["budgets"]["totalCount"] == 0


def test_other_users_records_are_not_found_by_id(jwt_server):
    alice, bob = Api(jwt_server, new_user("alice")), Api(jwt_server, new_user("bob"))
    budget = bob(CREATE, {"input": current_budget(bob.user)})["createBudget"]["budget"]
    txn = _spend(bob, "90.00")
    alert = bob("query { alerts { nodes { id } } }")["alerts"]["nodes"][0]
    bob(CREATE_TEMPLATE, {"input": {"key": "secret", "name": "S", "categories": [{"name": "All", "weight": 1}]}})

    def not_found(mutation: str, variables: dict, field: str) -> None:
        errors = alice(mutation, variables)[field]["errors"]
        assert [e["code"] for e in errors] == ["NOT_FOUND"], errors

    assert alice(GET, {"id": budget["id"]})["budget"] is None
    assert alice("query($id: ID!) { budgetProgress(budgetId: $id) { totalSpent } }", {"id": budget["id"]})["budgetProgress"] is None
    not_found(UPDATE, {"id": budget["id"], "input": {"name": "Mine now"}}, "updateBudget")
    not_found(DELETE, {"id": budget["id"]}, "deleteBudget")
    not_found("mutation($id: ID!) { deleteTransaction(id: $id) { errors { code message } } }", {"id": txn["id"]}, "deleteTransaction")
    not_found("mutation($id: ID!) { acknowledgeAlert(id: $id) { errors { code message } } }", {"id": alert["id"]}, "acknowledgeAlert")
    not_found("mutation { deleteTemplate(key: \"secret\") { errors { code message } } }", {}, "deleteTemplate")
    assert alice('query { template(key: "secret") { key } }')["template"] is None
    assert alice("query($b: ID) { alerts(budgetId: $b) { totalCount } }", {"b": budget["id"]})["alerts"]["totalCount"] == 0
    for method in ("GET", "PATCH", "DELETE"):
        response = alice.rest(method, f"/budgets/{budget['id']}", **({"json": {"name": "x"}} if method == "PATCH" else {}))
        assert response.status_code == 404 and response.json() == {"detail": f"Budget with ID {budget['id']} not found", "code": "NOT_FOUND"}
    # A missing id answers exactly the same.
    assert alice.rest("GET", "/budgets/bud_missing").json() == {"detail": "Budget with ID bud_missing not found", "code": "NOT_FOUND"}
    # Bob's records are untouched.
    assert bob(GET, {"id": budget["id"]})["budget"]["name"] == budget["name"]
    assert bob("query { transactions { totalCount } alerts(unacknowledgedOnly: true) { totalCount } }") == {
        "transactions": {"totalCount": 1}, "alerts": {"totalCount": 2}
    }
    assert "secret" in [t["key"] for t in bob("query { templates { key } }")["templates"]]


# -- WebSocket -----------------------------------------------------------------------
async def _closed_without_data(ws, expected_codes: set[int]) -> None:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert message["type"] not in ("next", "data", "connection_ack"), message
    assert closed.value.rcvd.code in expected_codes, closed.value.rcvd


@pytest.mark.parametrize("init", ["no token", "bad token", "expired token", "no connection_init"])
async def test_websocket_without_a_valid_connection_init_is_closed_and_gets_nothing(jwt_server, init):
    owner = Api(jwt_server, new_user("owner"))
    owner(CREATE, {"input": current_budget(owner.user)})
    url = jwt_server.replace("http://", "ws://") + "/graphql"
    payloads = {
        "no token": {},
        "bad token": {"Authorization": "Bearer nonsense"},
        "expired token": {"Authorization": f"Bearer {mint(owner.user, exp=int(time.time()) - 60)}"},
    }
    async with websockets.connect(url, subprotocols=[PROTOCOL]) as ws:
        if init in payloads:
            await ws.send(json.dumps({"type": "connection_init", "payload": payloads[init]}))
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": {"u": owner.user}}}))
        _spend(owner, "90.00")
        await _closed_without_data(ws, {4401, 4403})


async def test_a_subscription_carries_only_the_viewers_alerts(jwt_server):
    alice, bob = Api(jwt_server, new_user("alice")), Api(jwt_server, new_user("bob"))
    mine = alice(CREATE, {"input": current_budget(alice.user)})["createBudget"]["budget"]
    bob(CREATE, {"input": current_budget(bob.user)})
    query = "subscription { budgetAlerts { budgetId userId alertType } }"
    async with Subscriber(jwt_server, query, {}, init_payload=alice.ws_init) as sub:
        _spend(bob, "90.00")
        _spend(alice, "85.00")
        got = [(await sub.next())["budgetAlerts"] for _ in range(2)]
        assert await sub.nothing_within(0.5)
    assert {(a["budgetId"], a["userId"]) for a in got} == {(mine["id"], alice.user)}


async def test_subscribing_for_another_user_is_forbidden(jwt_server):
    alice, bob = Api(jwt_server, new_user("alice")), Api(jwt_server, new_user("bob"))
    bob(CREATE, {"input": current_budget(bob.user)})
    url = jwt_server.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=[PROTOCOL]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": alice.token}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": {"u": bob.user}}}))
        _spend(bob, "90.00")
        messages = []
        while not messages or messages[-1]["type"] not in ("complete", "error"):
            messages.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
    errors = [e for m in messages for e in (m["payload"].get("errors", []) if m["type"] == "next" else m.get("payload") or [])]
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"], messages
    assert not any(m["type"] == "next" and m["payload"].get("data") for m in messages), messages


# -- RS256 / ES256 ---------------------------------------------------------------------
def _pem(private_key) -> str:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _hs256_signed_with(secret: str, user: str) -> str:
    """A token signed by hand with HMAC (PyJWT refuses a PEM key as an HMAC secret)."""
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    claims = {"sub": user, "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 600}
    signing_input = f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def _jwks(keys: dict[str, object]) -> str:
    entries = []
    for kid, private_key in keys.items():
        algorithm = jwt.algorithms.RSAAlgorithm if isinstance(private_key, rsa.RSAPrivateKey) else jwt.algorithms.ECAlgorithm
        entry = json.loads(algorithm.to_jwk(private_key.public_key()))
        entries.append({**entry, "kid": kid, "use": "sig"})
    return json.dumps({"keys": entries})


def _asymmetric_env(**keys: str) -> dict:
    return {"BUDGETQL_AUTH": "jwt", "BUDGETQL_JWT_ISSUER": ISSUER, "BUDGETQL_JWT_AUDIENCE": AUDIENCE, **keys}


def test_rs256_with_a_public_key_file(postgres_url, tmp_path):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "public.pem").write_text(_pem(private))
    user = new_user()
    with running_server(postgres_url, env=_asymmetric_env(BUDGETQL_JWT_PUBLIC_KEY=str(tmp_path / "public.pem"))) as base:
        signed = Api(base, user, token=mint(user, key=private, algorithm="RS256"))
        assert signed(ME)["budgets"]["totalCount"] == 0
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        assert Api(base, user, token=mint(user, key=other, algorithm="RS256")).post(ME).status_code == 401
        # The public key used as an HMAC secret (algorithm confusion) is refused.
        assert Api(base, user, token=_hs256_signed_with(_pem(private), user)).post(ME).status_code == 401
        assert Api(base, user, token=mint(user)).post(ME).status_code == 401  # HS256 with the test secret


def test_rs256_and_es256_with_a_jwks_file(db_url, tmp_path):
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "jwks.json").write_text(_jwks({"rsa-1": rsa_key, "ec-1": ec_key}))
    user = new_user()
    with running_server(db_url, env=_asymmetric_env(BUDGETQL_JWKS_FILE=str(tmp_path / "jwks.json"))) as base:
        for key, algorithm, kid in ((rsa_key, "RS256", "rsa-1"), (ec_key, "ES256", "ec-1")):
            token = mint(user, key=key, algorithm=algorithm, headers={"kid": kid})
            assert Api(base, user, token=token)(ME)["budgets"]["totalCount"] == 0
        assert Api(base, user, token=mint(user, key=rsa_key, algorithm="RS256", headers={"kid": "ec-1"})).post(ME).status_code == 401
        assert Api(base, user, token=mint(user, key=rsa_key, algorithm="RS256", headers={"kid": "nope"})).post(ME).status_code == 401
        assert Api(base, user, token=mint(user, key=rsa_key, algorithm="RS256")).post(ME).status_code == 401  # no kid


# -- configuration and the `none` mode ---------------------------------------------------
def _serve(env: dict, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "graph.cli", "serve", "--database-url", "sqlite+aiosqlite:///:memory:", *args],
        cwd=ROOT, env={**environment_without_auth(), **env}, capture_output=True, text=True, timeout=timeout,
    )


@pytest.mark.parametrize(
    "env,message",
    [
        ({"BUDGETQL_AUTH": "jwt", "BUDGETQL_JWT_ISSUER": ISSUER, "BUDGETQL_JWT_AUDIENCE": AUDIENCE}, "needs exactly one of"),
        ({**JWT_ENV, "BUDGETQL_JWT_ISSUER": ""}, "needs BUDGETQL_JWT_ISSUER"),
        ({**JWT_ENV, "BUDGETQL_JWT_SECRET": "short"}, "at least 32 bytes"),
        ({**JWT_ENV, "BUDGETQL_JWKS_FILE": "/nonexistent.json"}, "needs exactly one of"),
        ({**JWT_ENV, "BUDGETQL_JWT_SECRET": "", "BUDGETQL_JWT_PUBLIC_KEY": "/nonexistent.pem"}, "cannot read"),
        ({"BUDGETQL_AUTH": "basic"}, "must be none or jwt"),
    ],
)
def test_unusable_auth_settings_refuse_to_start(env, message):
    result = _serve(env, "--port", str(free_port()))
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert SECRET not in result.stderr + result.stdout


def test_none_mode_refuses_a_public_address_without_insecure():
    result = _serve({}, "--host", "0.0.0.0", "--port", str(free_port()))
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0 with authentication off (BUDGETQL_AUTH=none)" in result.stderr
    assert "--insecure" in result.stderr


def test_none_mode_with_insecure_listens_and_warns(sqlite_url):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph.cli", "serve", "--host", "0.0.0.0", "--insecure", "--port", str(port),
         "--database-url", sqlite_url],
        cwd=ROOT, env=environment_without_auth(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not start")
    finally:
        proc.terminate()
        output = proc.communicate(timeout=15)[0]
    assert "authentication is off (BUDGETQL_AUTH=none): every userId argument is trusted" in output
    assert "--insecure: serving 0.0.0.0" in output


NONE_MODE_MISSING_USER = [
    (CREATE, {"input": {k: v for k, v in budget_input("x").items() if k != "userId"}}, ("createBudget", ["input", "userId"])),
    (RECORD, {"input": {"category": "Groceries", "amount": "1"}}, ("recordTransaction", ["input", "userId"])),
    ("mutation { deleteTemplate(key: \"k\") { errors { field code message } } }", {}, ("deleteTemplate", ["userId"])),
]


@pytest.mark.parametrize("mutation,variables,where", NONE_MODE_MISSING_USER)
async def test_none_mode_requires_user_id_in_mutations(gql, mutation, variables, where):
    errors = (await gql(mutation, variables))[where[0]]["errors"]
    assert errors == [{"field": where[1], "code": "VALIDATION", "message": "userId is required when authentication is off"}]


@pytest.mark.parametrize("query", ["{ budgets { totalCount } }", "{ transactions { totalCount } }", "{ alerts { totalCount } }"])
async def test_none_mode_requires_user_id_in_queries(gql, query):
    body = await gql.raw(query)
    assert body["data"] is None
    assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
        ("VALIDATION", "userId is required when authentication is off")
    ]


async def test_none_mode_trusts_user_id_and_ignores_tokens(client, user_id):
    # With authentication off a token proves nothing and is not needed: userId decides.
    headers = {"Authorization": f"Bearer {mint('someone_else')}"}
    response = await client.post("/graphql", json={"query": CREATE, "variables": {"input": budget_input(user_id)}}, headers=headers)
    assert response.json()["data"]["createBudget"]["budget"]["userId"] == user_id
    no_token = await client.post("/graphql", json={"query": ALERTS, "variables": {"u": user_id}})
    assert no_token.status_code == 200 and no_token.json()["data"]["alerts"]["totalCount"] == 0


async def test_a_websocket_is_closed_when_its_token_expires(jwt_server):
    alice = Api(jwt_server, new_user("alice"))
    alice(CREATE, {"input": current_budget(alice.user)})
    # Expired 26 s ago: still inside the 30 s leeway, so accepted, for about 4 s more.
    token = mint(alice.user, exp=int(time.time()) - 26)
    query = "subscription { budgetAlerts { alertType } }"
    async with Subscriber(jwt_server, query, {}, init_payload={"token": token}) as sub:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                message = json.loads(await asyncio.wait_for(sub.ws.recv(), 15))
                assert message["type"] in ("ping", "pong"), message
    assert closed.value.rcvd.code == 4401

"""Webhooks: every alert POSTed, signed, to a real receiver by the real server's worker,
retried with backoff, kept across restarts, sent once by many processes."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.engine import make_url

from domain.webhooks.model import DeliveryStatus
from domain.webhooks.rules import DeliveryPolicy
from graph.settings import Settings

from tests.conftest import _pg_admin
from tests.support.local_http import LocalServer, QuietHandler
from tests.support.server import ROOT, running_server
from tests.support.queries import CREATE, budget_input
from tests.graphql.test_alerts import http_gql, spend, today

SECRET = "whsec_0123456789abcdef"
FAST = {  # small values so retries happen within a test
    # The receivers listen on 127.0.0.1, which webhooks may not reach without this.
    "BUDGETQL_WEBHOOK_ALLOW_PRIVATE": "true",
    "BUDGETQL_WEBHOOK_POLL_SECONDS": "0.5",
    "BUDGETQL_WEBHOOK_BACKOFF_SECONDS": "0.2",
    "BUDGETQL_WEBHOOK_BACKOFF_CAP_SECONDS": "0.4",
    "BUDGETQL_WEBHOOK_TIMEOUT_SECONDS": "3",
    "BUDGETQL_WEBHOOK_MAX_ATTEMPTS": "100",
}
SPEC_KEYS = [
    "event", "alert_id", "budget_id", "user_id", "category", "alert_type", "severity", "message",
    "percent_used", "spent_amount", "budgeted_amount", "remaining_amount", "period_start", "timestamp",
]

REGISTER = """
mutation($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { webhook { id userId url secretHint createdAt } errors { field code message } }
}
"""
LIST = "query($u: String!) { webhooks(userId: $u) { id url secretHint } }"
DELETE = "mutation($id: ID!) { deleteWebhook(id: $id) { deletedId errors { field code message } } }"
DELIVERIES = """
query($w: ID!, $first: Int, $after: String) {
  webhookDeliveries(webhookId: $w, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id webhookId alertId status attempts lastStatusCode lastError nextAttemptAt createdAt updatedAt }
  }
}
"""


# -- a real receiver ---------------------------------------------------------------------
class Receiver(LocalServer):
    """An HTTP server on 127.0.0.1 that records every POST. ``fail_first[path]`` failing
    attempts per delivery get a 500 (``None``: every attempt fails)."""

    def __init__(self, fail_first: dict[str, int | None] | None = None):
        self.fail_first = dict(fail_first or {})
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                delivery = self.headers.get("X-Budgetql-Delivery")
                with receiver.lock:
                    tried = sum(1 for r in receiver.requests if r["delivery"] == delivery)
                    fail = receiver.fail_first.get(self.path, 0)
                    status = 500 if fail is None or tried < fail else 200
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": raw, "delivery": delivery, "status": status}
                    )
                self.answer(status)

        super().__init__(Handler)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def got(self, path: str | None = None, status: int | None = None) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if (path is None or r["path"] == path) and (status is None or r["status"] == status)]


def wait_until(what: str, check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


# -- a database of the test's own, so no other test's worker sends its deliveries ---------
@contextmanager
def fresh_database(request, kind: str, tmp_path):
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'webhooks.db'}"
        return
    base = request.getfixturevalue("postgres_url")  # skips (or fails under CI) without PostgreSQL
    name = f"budgetql_wh_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def own_db(request, tmp_path):
    with fresh_database(request, request.param, tmp_path) as url:
        yield url


@pytest.fixture
def own_postgres(request, tmp_path):
    with fresh_database(request, "postgres", tmp_path) as url:
        yield url


def readme_verifier():
    """``verified`` from the README's signature snippet, run as written."""
    text = (ROOT / "README.md").read_text()
    [block] = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "def verified" in b]
    scope: dict = {}
    exec(block, scope)
    return scope["verified"]


def one_alert_budget(base: str, user_id: str) -> dict:
    """Groceries 100 of 10,100 in all: 85 spent on Groceries raises its WARNING only."""
    categories = [{"name": "Groceries", "amount": "100.00"}, {"name": "Rent", "amount": "10000.00"}]
    data = http_gql(base, CREATE, {"input": budget_input(user_id, categories=categories, startDate=today(), rolloverEnabled=False)})
    return data["createBudget"]["budget"]


def register(base: str, user_id: str, url: str, secret: str = SECRET) -> dict:
    payload = http_gql(base, REGISTER, {"input": {"userId": user_id, "url": url, "secret": secret}})["registerWebhook"]
    assert payload["errors"] == [], payload["errors"]
    return payload["webhook"]


def deliveries(base: str, webhook_id: str) -> list[dict]:
    return http_gql(base, DELIVERIES, {"w": webhook_id, "first": 100})["webhookDeliveries"]["nodes"]


# -- behaviour ---------------------------------------------------------------------------------
def test_alert_is_posted_as_the_specs_signed_json(own_db, user_id):
    with Receiver() as receiver, running_server(own_db, env=FAST) as base:
        budget = one_alert_budget(base, user_id)
        hook = register(base, user_id, receiver.url())
        assert hook["secretHint"] == SECRET[-4:] and hook["userId"] == user_id
        spend(base, user_id, "85.00")
        [request] = wait_until("the delivery", lambda: receiver.got())
        [logged] = wait_until("the log to say delivered", lambda: [d for d in deliveries(base, hook["id"]) if d["status"] == "DELIVERED"])

    raw = request["body"]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-budgetql-signature"], expected)
    verified = readme_verifier()  # the README's snippet accepts it, and nothing tampered with
    assert verified(raw, headers["x-budgetql-signature"], SECRET)["alert_id"] == logged["alertId"]
    with pytest.raises(PermissionError):
        verified(raw.replace(b"85.00", b"8.50"), headers["x-budgetql-signature"], SECRET)
    assert headers["content-type"] == "application/json"
    assert headers["x-budgetql-event"] == "budget.alert"
    assert headers["x-budgetql-delivery"] == logged["id"]

    body = json.loads(raw, parse_float=Decimal)
    assert list(body) == SPEC_KEYS
    assert body["event"] == "budget.alert" and body["alert_id"] == logged["alertId"]
    assert (body["budget_id"], body["user_id"], body["category"]) == (budget["id"], user_id, "Groceries")
    assert (body["alert_type"], body["severity"]) == ("warning", "warning")
    assert body["message"] == "WARNING: Groceries budget at 85.0%"
    # Exact JSON numbers, written from the decimal text (never a float, never a string).
    assert b'"spent_amount":85.00' in raw and b'"budgeted_amount":100.00' in raw and b'"remaining_amount":15.00' in raw
    assert (body["percent_used"], body["spent_amount"], body["remaining_amount"]) == (Decimal("85.00"), Decimal("85.00"), Decimal("15.00"))
    assert body["period_start"] == today() and body["timestamp"].endswith("Z")
    assert (logged["attempts"], logged["lastStatusCode"], logged["lastError"], logged["nextAttemptAt"]) == (1, 200, None, None)


def test_receiver_failing_twice_gets_the_alert_on_the_third_attempt(own_db, user_id):
    with Receiver(fail_first={"/flaky": 2}) as receiver, running_server(own_db, env=FAST) as base:
        one_alert_budget(base, user_id)
        hook = register(base, user_id, receiver.url("/flaky"))
        spend(base, user_id, "90.00")
        wait_until("a 200 answer", lambda: receiver.got(status=200))
        [logged] = wait_until("the log to say delivered", lambda: [d for d in deliveries(base, hook["id"]) if d["status"] == "DELIVERED"])
    assert [r["status"] for r in receiver.got()] == [500, 500, 200]
    assert {r["delivery"] for r in receiver.got()} == {logged["id"]}
    assert len({r["body"] for r in receiver.got()}) == 1  # every attempt sends the same signed body
    assert (logged["attempts"], logged["lastStatusCode"], logged["lastError"]) == (3, 200, None)


def test_delivery_gives_up_after_the_last_attempt(own_db, user_id):
    with Receiver(fail_first={"/down": None}) as receiver, running_server(
        own_db, env={**FAST, "BUDGETQL_WEBHOOK_MAX_ATTEMPTS": "3"}
    ) as base:
        one_alert_budget(base, user_id)
        hook = register(base, user_id, receiver.url("/down"))
        spend(base, user_id, "90.00")
        [logged] = wait_until("the log to say failed", lambda: [d for d in deliveries(base, hook["id"]) if d["status"] == "FAILED"])
    assert len(receiver.got()) == 3
    assert (logged["attempts"], logged["lastStatusCode"], logged["nextAttemptAt"]) == (3, 500, None)
    assert logged["lastError"].startswith("HTTP 500")


def test_pending_delivery_survives_a_restart(own_db, user_id):
    with Receiver(fail_first={"/hook": None}) as receiver:
        with running_server(own_db, env=FAST) as base:
            one_alert_budget(base, user_id)
            hook = register(base, user_id, receiver.url())
            spend(base, user_id, "90.00")
            wait_until("a failed attempt", lambda: receiver.got())
        # The server is down with the delivery pending; the receiver recovers.
        tried_before = len(receiver.got())
        receiver.fail_first["/hook"] = 0
        with running_server(own_db, env=FAST) as base:
            wait_until("the delivery after the restart", lambda: receiver.got(status=200))
            [logged] = wait_until("the log to say delivered", lambda: [d for d in deliveries(base, hook["id"]) if d["status"] == "DELIVERED"])
    assert len(receiver.got(status=500)) == tried_before >= 1
    assert {r["delivery"] for r in receiver.got()} == {logged["id"]}
    assert (logged["attempts"], logged["lastStatusCode"]) == (tried_before + 1, 200)


def test_deleting_a_webhook_stops_its_deliveries(own_db, user_id):
    # /gone never answers 2xx; /kept fails its first three attempts, so by the time it
    # has the alert, /gone would have been retried several times had it not stopped.
    with Receiver(fail_first={"/gone": None, "/kept": 3}) as receiver, running_server(own_db, env=FAST) as base:
        one_alert_budget(base, user_id)
        gone = register(base, user_id, receiver.url("/gone"))
        spend(base, user_id, "85.00")
        wait_until("two attempts at /gone", lambda: len(receiver.got("/gone")) >= 2)
        assert http_gql(base, DELETE, {"id": gone["id"]})["deleteWebhook"] == {"deletedId": gone["id"], "errors": []}
        tried = len(receiver.got("/gone"))
        kept = register(base, user_id, receiver.url("/kept"))
        spend(base, user_id, "15.00")  # 100%: LIMIT_REACHED, raised after /kept was registered
        wait_until("the alert at /kept", lambda: receiver.got("/kept", status=200))
        assert [w["id"] for w in http_gql(base, LIST, {"u": user_id})["webhooks"]] == [kept["id"]]
        missing = http_gql(base, DELETE, {"id": gone["id"]})["deleteWebhook"]
        body = httpx.post(base + "/graphql", json={"query": DELIVERIES, "variables": {"w": gone["id"]}}, timeout=30).json()
    assert len(receiver.got("/gone")) <= tried + 1  # at most the attempt in flight when deleted
    assert missing == {"deletedId": None, "errors": [{"field": ["id"], "code": "NOT_FOUND", "message": f"Webhook with ID {gone['id']} not found"}]}
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # A webhook registered after an alert does not get that alert.
    assert {json.loads(r["body"])["alert_type"] for r in receiver.got("/kept")} == {"limit_reached"}


def test_two_servers_on_one_postgres_send_each_delivery_once(own_postgres, user_id):
    categories = [{"name": f"Cat {i}", "amount": "100.00"} for i in range(8)] + [{"name": "Big", "amount": "1000000.00"}]
    with Receiver() as receiver:
        with running_server(own_postgres, env=FAST) as one, running_server(own_postgres, env=FAST) as two:
            http_gql(one, CREATE, {"input": budget_input(user_id, categories=categories, startDate=today(), rolloverEnabled=False)})
            hooks = [register(one, user_id, receiver.url("/a")), register(two, user_id, receiver.url("/b"))]
            for i in range(8):  # one WARNING per category, written through either server
                spend(one if i % 2 else two, user_id, "85.00", category=f"Cat {i}")
            wait_until("16 deliveries", lambda: len({r["delivery"] for r in receiver.got()}) == 16)
            logs = [d for h in hooks for d in deliveries(one, h["id"])]
        # Both servers have stopped: every send either of them started has finished.
    sent = [r["delivery"] for r in receiver.got()]
    assert len(sent) == len(set(sent)) == 16, sorted(sent)
    pairs = {(r["path"], json.loads(r["body"])["alert_id"]) for r in receiver.got()}
    assert len(pairs) == 16
    assert {(d["status"], d["attempts"]) for d in logs} == {("DELIVERED", 1)}
    assert {d["id"] for d in logs} == set(sent)


# -- input ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url, secret, field, says",
    [
        ("ftp://example.com/hook", SECRET, ["input", "url"], "http:// or https://"),
        ("https:///hook", SECRET, ["input", "url"], "must name a host"),
        ("example.com/hook", SECRET, ["input", "url"], "http:// or https://"),
        ("https://example.com:99999/", SECRET, ["input", "url"], "not a valid URL"),
        ("https://exa mple.com/", SECRET, ["input", "url"], "spaces"),
        ("https://example.com/" + "x" * 2000, SECRET, ["input", "url"], "at most 2000"),
        ("https://example.com/hook", "", ["input", "secret"], "must not be empty"),
        ("https://example.com/hook", "short", ["input", "secret"], "16 to 256"),
        ("https://example.com/hook", "s" * 257, ["input", "secret"], "16 to 256"),
    ],
)
async def test_invalid_registration_is_a_validation_error_and_stores_nothing(gql, user_id, url, secret, field, says):
    payload = (await gql(REGISTER, {"input": {"userId": user_id, "url": url, "secret": secret}}))["registerWebhook"]
    assert payload["webhook"] is None
    [error] = payload["errors"]
    assert (error["code"], error["field"]) == ("VALIDATION", field) and says in error["message"], error
    assert (await gql(LIST, {"u": user_id}))["webhooks"] == []


async def test_every_problem_is_reported_at_once(gql):
    payload = (await gql(REGISTER, {"input": {"userId": " ", "url": "ftp://x", "secret": ""}}))["registerWebhook"]
    assert [e["field"] for e in payload["errors"]] == [["input", "userId"], ["input", "url"], ["input", "secret"]]


async def test_webhooks_are_listed_without_their_secret_and_capped_per_user(gql, user_id):
    ids = []
    for i in range(20):
        payload = (await gql(REGISTER, {"input": {"userId": user_id, "url": f"https://example.com/h/{i}", "secret": f"{SECRET}{i:04d}"}}))
        ids.append(payload["registerWebhook"]["webhook"]["id"])
    listed = (await gql(LIST, {"u": user_id}))["webhooks"]
    assert [w["id"] for w in listed] == ids
    assert listed[3]["secretHint"] == "0003" and listed[3]["url"] == "https://example.com/h/3"
    assert not any(SECRET in json.dumps(w) for w in listed)
    over = (await gql(REGISTER, {"input": {"userId": user_id, "url": "https://example.com/h/x", "secret": SECRET}}))["registerWebhook"]
    assert over["webhook"] is None and over["errors"][0]["code"] == "VALIDATION" and "at most 20" in over["errors"][0]["message"]
    assert len((await gql(LIST, {"u": user_id}))["webhooks"]) == 20
    await gql(DELETE, {"id": ids[0]})
    again = (await gql(REGISTER, {"input": {"userId": user_id, "url": "https://example.com/h/x", "secret": SECRET}}))["registerWebhook"]
    assert again["errors"] == []


async def test_delivery_log_of_an_unknown_webhook_is_not_found(gql):
    body = await gql.raw(DELIVERIES, {"w": "whk_nope"})
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": ["webhookId"]}


# -- the policy and the settings -----------------------------------------------------------------
def test_backoff_doubles_up_to_the_cap_then_gives_up():
    policy = DeliveryPolicy(max_attempts=5, backoff_seconds=5, backoff_cap_seconds=30, jitter=0.1)
    assert [policy.delay(n).total_seconds() for n in range(1, 6)] == [5, 10, 20, 30, 30]
    assert (policy.delay(1, spread=0).total_seconds(), policy.delay(1, spread=1).total_seconds()) == (4.5, 5.5)
    now = datetime(2025, 11, 3, 10, 0, tzinfo=timezone.utc)
    assert policy.after_attempt(2, False, now) == (DeliveryStatus.PENDING, now + timedelta(seconds=10))
    assert policy.after_attempt(5, False, now) == (DeliveryStatus.FAILED, now)
    assert policy.after_attempt(5, True, now) == (DeliveryStatus.DELIVERED, now)
    with pytest.raises(ValueError, match="max_attempts"):
        DeliveryPolicy(max_attempts=0)


def test_worker_settings_come_from_the_environment(monkeypatch):
    for name, value in {**FAST, "BUDGETQL_WEBHOOK_WORKER": "false"}.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env("sqlite+aiosqlite:///x.db")
    assert (settings.webhook_worker, settings.webhook_poll_seconds) == (False, 0.5)
    assert settings.webhook_policy == DeliveryPolicy(max_attempts=100, backoff_seconds=0.2, backoff_cap_seconds=0.4, timeout_seconds=3)
    monkeypatch.setenv("BUDGETQL_WEBHOOK_MAX_ATTEMPTS", "many")
    with pytest.raises(ValueError, match=r"BUDGETQL_WEBHOOK_MAX_ATTEMPTS must be a number \(got 'many'\)"):
        Settings.from_env("sqlite+aiosqlite:///x.db")

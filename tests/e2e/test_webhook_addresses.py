"""Webhooks reach only public addresses: refused at registration, checked again and
pinned at every send (DNS rebinding), never redirected; BUDGETQL_WEBHOOK_ALLOW_PRIVATE
lets them reach this machine for development."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from domain.webhooks.rules import ADDRESS_NOT_ALLOWED, destination_allowed, host_address, public_address
from graph.settings import Settings
from persistence.webhook_network import AddressNotAllowed, Sender

from tests.conftest import GraphQLClient
from tests.support.local_http import LocalServer, QuietHandler
from tests.support.server import running_server
from tests.support.queries import app_client
from tests.e2e.test_webhooks import FAST, LIST, REGISTER, SECRET, Receiver, deliveries, one_alert_budget, own_db, register, wait_until  # noqa: F401
from tests.graphql.test_alerts import spend

INTERNAL = [
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
    "http://[::1]:5432/",
    "http://localhost:5432",
    "http://LOCALHOST./hook",
    "http://api.localhost/hook",
    "http://127.0.0.1:8000/graphql",
    "http://127.1/",
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://0x7f.1/",  # … in hex
    "http://0177.0.0.1/",  # … in octal
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
    "http://[::ffff:7f00:1]/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[::]/",
    "http://0.0.0.0/",
    "http://0/",
    "http://10.0.0.5/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # shared address space (carrier-grade NAT)
    "http://224.0.0.1/",  # multicast
    "http://[ff02::1]/",
    "http://240.0.0.1/",  # reserved
    "http://255.255.255.255/",
    "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
]
PUBLIC = [
    "https://93.184.216.34/hook",
    "https://[2606:4700:4700::1111]/hook",
    "https://hooks.budgetql-test.invalid/hook",  # does not resolve (yet): each send checks it
]


# -- registration -------------------------------------------------------------------------
@pytest.mark.parametrize("url", INTERNAL)
async def test_registration_refuses_internal_addresses(gql, user_id, url):
    payload = (await gql(REGISTER, {"input": {"userId": user_id, "url": url, "secret": SECRET}}))["registerWebhook"]
    assert payload["webhook"] is None
    [error] = payload["errors"]
    assert (error["code"], error["field"]) == ("VALIDATION", ["input", "url"]), error
    assert "public internet address" in error["message"]
    assert (await gql(LIST, {"u": user_id}))["webhooks"] == []


@pytest.mark.parametrize("url", PUBLIC)
async def test_registration_accepts_public_addresses(gql, user_id, url):
    payload = (await gql(REGISTER, {"input": {"userId": user_id, "url": url, "secret": SECRET}}))["registerWebhook"]
    assert payload["errors"] == [] and payload["webhook"]["url"] == url


async def test_registration_reports_the_address_with_the_other_problems(gql):
    payload = (await gql(REGISTER, {"input": {"userId": " ", "url": "http://localhost/", "secret": SECRET}}))["registerWebhook"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["input", "userId"], "VALIDATION"), (["input", "url"], "VALIDATION")]


async def test_allow_private_setting_lets_registration_reach_this_machine(db_url, user_id):
    async with app_client(db_url, webhook_allow_private=True, webhook_worker=False) as (_, http):
        gql = GraphQLClient(http)
        for url in ("http://127.0.0.1:5432/", "http://localhost:8080/hook", "http://[::1]/"):
            payload = (await gql(REGISTER, {"input": {"userId": user_id, "url": url, "secret": SECRET}}))["registerWebhook"]
            assert payload["errors"] == [], payload


def test_allow_private_comes_from_the_environment(monkeypatch):
    assert Settings.from_env("sqlite+aiosqlite:///x.db").webhook_allow_private is False
    monkeypatch.setenv("BUDGETQL_WEBHOOK_ALLOW_PRIVATE", "true")
    assert Settings.from_env("sqlite+aiosqlite:///x.db").webhook_allow_private is True
    monkeypatch.setenv("BUDGETQL_WEBHOOK_ALLOW_PRIVATE", "maybe")
    with pytest.raises(ValueError, match="BUDGETQL_WEBHOOK_ALLOW_PRIVATE must be on or off"):
        Settings.from_env("sqlite+aiosqlite:///x.db")


def test_the_address_rules():
    for url in INTERNAL:
        host = urlsplit(url).hostname
        assert not destination_allowed(host, []), url  # no lookup needed to refuse any of them
    assert [str(host_address(h)) for h in ("2130706433", "0x7f.1", "0177.0.0.1", "127.1", "[::1]")] == ["127.0.0.1"] * 4 + ["::1"]
    assert host_address("1abc.de") is None and host_address("example.com") is None
    assert public_address("8.8.8.8") and public_address("2606:4700:4700::1111") and public_address("64:ff9b::808:808")
    # A name is allowed only when every address it resolves to is public.
    assert destination_allowed("hooks.example.com", ["93.184.216.34", "2606:4700:4700::1111"])
    assert not destination_allowed("hooks.example.com", ["93.184.216.34", "127.0.0.1"])
    assert not destination_allowed("hooks.example.com", ["::ffff:10.0.0.1"])
    assert not destination_allowed("db.localhost", ["93.184.216.34"])


# -- sending --------------------------------------------------------------------------------
class Answering(LocalServer):
    """A receiver on 127.0.0.1 that answers every request with ``status`` (a redirect
    to /elsewhere for a 3xx), recording method, path and Host."""

    def __init__(self, status: int = 200):
        self.requests: list[dict] = []
        owner = self

        class Handler(QuietHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner.requests.append({"path": self.path, "host": self.headers.get("Host")})
                self.answer(status, {"Location": "/elsewhere"} if 300 <= status < 400 else None)

            do_GET = do_POST

        super().__init__(Handler)


def stub_dns(answers: dict[str, list[str]], asked: list[str] | None = None):
    """A resolver answering these names (an attacker's DNS, say); others do not resolve."""

    async def resolver(host: str, port: int) -> list[str]:
        if asked is not None:
            asked.append(host)
        if host not in answers:
            raise OSError("no such name")
        return answers[host]

    return resolver


async def post(sender: Sender, url: str) -> tuple[int, str]:
    try:
        return await sender.post(url, b"{}", {"Content-Type": "application/json"})
    finally:
        await sender.aclose()


@pytest.mark.parametrize("host", ["localhost", "2130706433", "0x7f.1", "127.0.0.1", "[::1]", "[::ffff:127.0.0.1]"])
async def test_send_refuses_this_machine_with_the_real_resolver(host):
    with Answering() as receiver:
        with pytest.raises(AddressNotAllowed) as refused:
            await post(Sender(timeout=5, user_agent="test", proxies={}), f"http://{host}:{receiver.port}/hook")
    assert receiver.requests == []
    assert str(refused.value) == "address not allowed"  # nothing about the address


async def test_send_refuses_a_name_that_now_resolves_inside():
    # Registration saw a public address; by the time of the send the name points home.
    with Answering() as receiver:
        for answer in (["127.0.0.1"], ["93.184.216.34", "127.0.0.1"], ["::ffff:127.0.0.1"]):
            sender = Sender(timeout=5, user_agent="test", proxies={}, resolver=stub_dns({"hooks.rebind.invalid": answer}))
            with pytest.raises(AddressNotAllowed):
                await post(sender, f"http://hooks.rebind.invalid:{receiver.port}/hook")
    assert receiver.requests == []


async def test_send_connects_to_the_address_it_checked_and_keeps_the_host_name():
    # The name does not resolve on this machine at all: the request can only arrive if
    # the connection went to the address the check resolved, once.
    asked: list[str] = []
    with Answering() as receiver:
        sender = Sender(
            timeout=5, user_agent="test", proxies={}, allow_private=True,
            resolver=stub_dns({"hooks.rebind.invalid": ["127.0.0.1"]}, asked),
        )
        assert await post(sender, f"http://hooks.rebind.invalid:{receiver.port}/hook?x=1") == (200, "OK")
    assert receiver.requests == [{"path": "/hook?x=1", "host": f"hooks.rebind.invalid:{receiver.port}"}]
    assert asked == ["hooks.rebind.invalid"]


async def test_send_never_follows_a_redirect():
    with Answering(status=302) as receiver:
        sender = Sender(timeout=5, user_agent="test", proxies={}, allow_private=True)
        assert await post(sender, f"http://127.0.0.1:{receiver.port}/hook") == (302, "Found")
    assert [r["path"] for r in receiver.requests] == ["/hook"]


async def test_send_through_a_proxy_checks_the_target_first():
    with Answering() as proxy:
        proxies = {"http": f"http://127.0.0.1:{proxy.port}"}
        dns = stub_dns({"hooks.rebind.invalid": ["10.0.0.7"]})
        for url in ("http://localhost/hook", "http://10.1.2.3/hook", "http://hooks.rebind.invalid/hook"):
            with pytest.raises(AddressNotAllowed):
                await post(Sender(timeout=5, user_agent="test", proxies=proxies, resolver=dns), url)
        assert proxy.requests == []
        # A name this machine cannot resolve is the proxy's to resolve.
        sent = await post(Sender(timeout=5, user_agent="test", proxies=proxies, resolver=dns), "http://hooks.public.invalid/hook")
    assert sent == (200, "OK")
    assert proxy.requests == [{"path": "http://hooks.public.invalid/hook", "host": "hooks.public.invalid"}]


def test_a_stored_internal_webhook_is_refused_at_send_time(own_db, user_id):  # noqa: F811 - the fixture
    """Registered while private addresses were allowed, then the setting is turned off:
    the worker refuses the send, records why, and never tries again."""
    public_only = {k: v for k, v in FAST.items() if k != "BUDGETQL_WEBHOOK_ALLOW_PRIVATE"}
    with Receiver() as receiver:
        with running_server(own_db, env=FAST) as base:  # FAST allows private addresses
            one_alert_budget(base, user_id)
            hook = register(base, user_id, receiver.url())
        with running_server(own_db, env=public_only) as base:
            spend(base, user_id, "85.00")
            [logged] = wait_until("the log to say failed", lambda: [d for d in deliveries(base, hook["id"]) if d["status"] == "FAILED"])
    assert receiver.got() == []
    assert (logged["attempts"], logged["lastStatusCode"], logged["lastError"], logged["nextAttemptAt"]) == (
        1, None, ADDRESS_NOT_ALLOWED, None,
    )
    assert "127.0.0.1" not in logged["lastError"]

"""SIGTERM drains: in-flight requests finish, subscriptions end with ``complete``,
background work stops between units, and the process exits 0."""

from __future__ import annotations

import asyncio
import json
import signal

import websockets

from tests.support.server import server_process
from tests.support.queries import CREATE, RECORD_MANY, app_client
from tests.graphql.test_alerts import SUBSCRIBE, current_budget, http_gql, now_iso
from tests.support.ws import Subscriber


async def post_in_flight(base: str, body: bytes):
    """Send a POST's headers with ``Expect: 100-continue`` and wait for ``100 Continue``:
    the server has then read the headers and the app is waiting for the body, so the
    request is in flight. Returns the stream and a coroutine that sends the body and
    reads the whole response."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
    )
    writer.write(head.encode())
    await writer.drain()
    interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert interim.startswith(b"HTTP/1.1 100"), interim

    async def finish() -> tuple[int, dict]:
        writer.write(body)
        await writer.drain()
        response = await asyncio.wait_for(reader.read(), 60)  # the server closes: it is stopping
        writer.close()
        head, _, payload = response.partition(b"\r\n\r\n")
        return int(head.split(b" ")[1]), json.loads(payload)

    return finish


async def test_sigterm_finishes_requests_and_completes_subscriptions(db_url, user_id, tmp_path):
    log = tmp_path / "server.log"
    with server_process(db_url, output=log, extra_args=["--log-level", "info"]) as server:
        http_gql(server.base, CREATE, {"input": current_budget(user_id, amount="100000.00")})
        items = [
            {"userId": user_id, "category": "Groceries", "amount": "1.00", "occurredAt": now_iso(), "externalId": f"bulk-{i}"}
            for i in range(1000)
        ]
        body = json.dumps({"query": RECORD_MANY, "variables": {"inputs": items}}).encode()
        async with Subscriber(server.base, SUBSCRIBE, {"u": user_id}) as sub:
            finish = await post_in_flight(server.base, body)
            server.proc.send_signal(signal.SIGTERM)
            status, payload = await finish()
            messages = []
            try:
                while True:
                    messages.append(json.loads(await asyncio.wait_for(sub.ws.recv(), 30)))
            except websockets.ConnectionClosed as closed:
                close_code = closed.rcvd.code if closed.rcvd else None
        exit_code = await asyncio.to_thread(server.proc.wait, 30)

    assert status == 200, payload
    result = payload["data"]["recordTransactions"]
    assert result["errors"] == [] and result["createdCount"] == 1000
    assert [m for m in messages if m["type"] not in ("ping", "pong")] == [{"id": "1", "type": "complete"}]
    assert close_code in (1000, 1001, 1012)  # a normal close, "going away" or "service restart"
    assert exit_code == 0, log.read_text()[-3000:]
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert not [line for line in lines if line["level"] in ("ERROR", "CRITICAL")], lines


async def test_background_work_stops_between_units(sqlite_url):
    done_units: list[int] = []
    interrupted: list[int] = []

    async def worker(stopping: asyncio.Event) -> None:
        unit = 0
        while not stopping.is_set():
            try:
                await asyncio.sleep(0.05)  # one unit of work, e.g. one delivery
            except asyncio.CancelledError:
                interrupted.append(unit)
                raise
            done_units.append(unit)
            unit += 1

    async with app_client(sqlite_url) as (application, _http):
        lifecycle = application.state.lifecycle
        assert application.state.stopping is lifecycle.stopping and not lifecycle.stopping.is_set()
        task = lifecycle.background(worker(lifecycle.stopping), name="test-worker")
        await asyncio.sleep(0.2)
    # The lifespan has ended: the worker saw `stopping`, finished its unit and returned.
    assert task.done() and not task.cancelled() and task.exception() is None
    assert interrupted == [] and done_units == list(range(len(done_units))) and done_units

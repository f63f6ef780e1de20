"""Alert fan-out driver: many ``budgetAlerts`` subscribers, in a process of their own.

``python -m bench.fanout --url ws://127.0.0.1:P1/graphql --url ws://… --subscribers 1000 --user U``
opens the subscriptions round robin over the URLs (graphql-transport-ws, with picows,
a WebSocket client whose frame handling is compiled: the driver's own time is part of
every latency it measures), prints
``READY`` once every one is acknowledged and subscribed, then records each alert's
arrival. After ``DONE`` arrives on stdin it waits until every subscriber holds every
alert any of them saw (or ``--settle`` seconds pass without news) and prints one
``BENCH_JSON`` line: deliveries, losses, and commit-to-delivery latency (arrival
minus the alert's ``timestamp``, which the server sets in the writing transaction just
before it commits, so the figure slightly overstates commit-to-delivery).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import time
from datetime import datetime, timezone
from functools import lru_cache

import orjson
from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

SUBSCRIPTION = """
subscription($u: String!) {
  budgetAlerts(userId: $u) { alertId budgetId userId category alertType percentUsed timestamp }
}
"""


@lru_cache(maxsize=4096)  # every subscriber parses the same few timestamps
def epoch(timestamp: str) -> float:
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


class Subscriber(WSListener):
    """One subscription on a connection of its own, driven by picows' callbacks (its
    frame reader is compiled, and no task wakes up per message)."""

    def __init__(self, user: str):
        super().__init__()
        self.user = user
        self.received: dict[str, float] = {}  # alertId -> delivery latency (s)
        self.budget_of: dict[str, str] = {}  # alertId -> budgetId (a round of the writer)
        self.kind_of: dict[str, str] = {}  # alertId -> "category TYPE"
        self.error: str | None = None
        self.ready = asyncio.Event()
        self.closing = False

    def fail(self, reason: str) -> None:
        if self.error is None:
            self.error = reason
        self.ready.set()

    def on_ws_connected(self, transport: WSTransport) -> None:
        transport.send(WSMsgType.TEXT, orjson.dumps({"type": "connection_init", "payload": {}}))

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        arrived = time.time()
        if frame.msg_type is not WSMsgType.TEXT or not frame.fin:
            if frame.msg_type is WSMsgType.CLOSE:
                self.fail(f"closed by the server: {frame.get_close_code()}")
            elif frame.msg_type is not WSMsgType.PONG:
                self.fail(f"unexpected frame: {frame.msg_type} (fin={frame.fin})")
            return
        message = orjson.loads(frame.get_payload_as_bytes())
        kind = message.get("type")
        if kind == "next":
            payload = message["payload"]
            if payload.get("errors"):
                self.fail(str(payload["errors"]))
                return
            alert = payload["data"]["budgetAlerts"]
            self.received.setdefault(alert["alertId"], arrived - epoch(alert["timestamp"]))
            self.budget_of[alert["alertId"]] = alert["budgetId"]
            self.kind_of[alert["alertId"]] = f'{alert["category"] or "(total)"} {alert["alertType"]}'
        elif kind == "connection_ack":
            transport.send(WSMsgType.TEXT, orjson.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION, "variables": {"u": self.user}}}))
            self.ready.set()
        elif kind == "ping":
            transport.send(WSMsgType.TEXT, b'{"type":"pong"}')
        elif kind in ("error", "complete"):
            self.fail(f"subscription ended: {message}")

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if not self.closing:
            self.fail("disconnected")


async def _connect(url: str, user: str) -> tuple[WSTransport | None, Subscriber]:
    try:
        return await ws_connect(lambda: Subscriber(user), url, websocket_handshake_timeout=30,
                                extra_headers={"Sec-WebSocket-Protocol": "graphql-transport-ws"})
    except Exception as exc:  # noqa: BLE001 - reported, counted as lost deliveries
        failed = Subscriber(user)
        failed.fail(f"could not connect: {exc!r}")
        return None, failed


async def drive(urls: list[str], subscribers: int, user: str, settle: float, limit: float) -> dict:
    pairs = []
    for first in range(0, subscribers, 50):  # 50 handshakes at a time
        pairs += await asyncio.gather(*(_connect(urls[i % len(urls)], user) for i in range(first, min(first + 50, subscribers))))
    subs = [sub for _, sub in pairs]
    await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in subs)), limit)
    await asyncio.sleep(1.0)  # let the servers finish setting up their listeners
    print("READY", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)  # the writer is done
    deadline = time.monotonic() + limit
    last_change, last_total = time.monotonic(), -1
    while time.monotonic() < deadline:
        seen = set().union(*(s.received for s in subs))
        total = sum(len(s.received) for s in subs)
        if seen and all(len(s.received) == len(seen) for s in subs if s.error is None):
            break
        if total != last_total:
            last_change, last_total = time.monotonic(), total
        elif time.monotonic() - last_change > settle:
            break
        await asyncio.sleep(0.1)
    for transport, sub in pairs:
        sub.closing = True
        if transport is not None:
            transport.disconnect()
    seen = set().union(*(s.received for s in subs))
    latencies = sorted(v * 1000 for s in subs for v in s.received.values())
    by_budget: dict[str, list[float]] = {}
    by_alert: dict[str, list[float]] = {}
    kinds: dict[str, str] = {}
    for s in subs:
        for alert_id, latency in s.received.items():
            by_budget.setdefault(s.budget_of[alert_id], []).append(latency * 1000)
            by_alert.setdefault(alert_id, []).append(latency * 1000)
        kinds.update(s.kind_of)
    # Each alert's own p99, slowest first: which ones make the tail.
    alert_p99 = sorted(((percentile(sorted(v), 99), kinds[a]) for a, v in by_alert.items()), reverse=True)
    errors = [s.error for s in subs if s.error]
    return {
        "subscribers": subscribers, "alerts": len(seen), "expected": len(seen) * subscribers,
        "delivered": len(latencies), "lost": len(seen) * subscribers - len(latencies),
        "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
        "max_ms": latencies[-1] if latencies else None,
        "p99_ms_by_budget": {b: percentile(sorted(v), 99) for b, v in by_budget.items()},
        "slowest_alerts": [{"p99_ms": round(p, 1), "alert": k} for p, k in alert_p99[:5]],
        "errors": len(errors), "first_error": errors[0] if errors else None,
    }


def percentile(ordered: list[float], p: int) -> float:
    if len(ordered) < 2:
        return ordered[0] if ordered else float("nan")
    return statistics.quantiles(ordered, n=100)[p - 1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--user", required=True)
    parser.add_argument("--settle", type=float, default=5.0, help="give up after this long without a new delivery")
    parser.add_argument("--limit", type=float, default=60.0, help="hard limit for each phase, seconds")
    args = parser.parse_args(argv)
    assert all(u.startswith("ws://127.0.0.1:") for u in args.url), "subscribers connect to the loopback only"
    # The load tool should cost as little as it can: its own time is in every latency.
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    figures = asyncio.run(drive(args.url, args.subscribers, args.user, args.settle, args.limit))
    print("BENCH_JSON " + json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()

"""Alert fan-out driver: many ``budgetAlerts`` subscribers, in a process of their own.

``python -m bench.fanout --url ws://127.0.0.1:P1/graphql --url ws://… --subscribers 1000 --user U``
opens the subscriptions round robin over the URLs (graphql-transport-ws, with aiohttp's
WebSocket client, whose frame reader is compiled: the driver's own time is part of
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


class Subscriber:
    def __init__(self, url: str, user: str):
        self.url = url
        self.user = user
        self.received: dict[str, float] = {}  # alertId -> delivery latency (s)
        self.error: str | None = None
        self.ready = asyncio.Event()

    async def run(self, session) -> None:
        import aiohttp

        try:
            async with session.ws_connect(self.url, protocols=["graphql-transport-ws"], autoping=False,
                                          compress=0, max_msg_size=0, timeout=aiohttp.ClientWSTimeout(ws_receive=None)) as ws:
                await ws.send_str(json.dumps({"type": "connection_init", "payload": {}}))
                ack = orjson.loads((await asyncio.wait_for(ws.receive(), 30)).data)
                if ack.get("type") != "connection_ack":
                    raise RuntimeError(f"no connection_ack: {ack}")
                await ws.send_str(json.dumps({"id": "1", "type": "subscribe",
                                              "payload": {"query": SUBSCRIPTION, "variables": {"u": self.user}}}))
                self.ready.set()
                async for frame in ws:
                    arrived = time.time()
                    if frame.type is not aiohttp.WSMsgType.TEXT:
                        raise RuntimeError(f"unexpected frame: {frame}")
                    message = orjson.loads(frame.data)
                    if message.get("type") == "next":
                        payload = message["payload"]
                        if payload.get("errors"):
                            raise RuntimeError(str(payload["errors"]))
                        alert = payload["data"]["budgetAlerts"]
                        self.received.setdefault(alert["alertId"], arrived - epoch(alert["timestamp"]))
                    elif message.get("type") == "ping":
                        await ws.send_str(json.dumps({"type": "pong"}))
                    elif message.get("type") in ("error", "complete"):
                        raise RuntimeError(f"subscription ended: {message}")
                raise RuntimeError(f"connection closed: {ws.close_code}")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported, counted as lost deliveries
            self.error = repr(exc)
            self.ready.set()


async def drive(urls: list[str], subscribers: int, user: str, settle: float, limit: float) -> dict:
    import aiohttp

    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    subs = [Subscriber(urls[i % len(urls)], user) for i in range(subscribers)]
    tasks = [asyncio.create_task(s.run(session)) for s in subs]
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
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await session.close()
    seen = set().union(*(s.received for s in subs))
    latencies = sorted(v * 1000 for s in subs for v in s.received.values())
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else (latencies or [float("nan")]) * 99
    errors = [s.error for s in subs if s.error]
    return {
        "subscribers": subscribers, "alerts": len(seen), "expected": len(seen) * subscribers,
        "delivered": len(latencies), "lost": len(seen) * subscribers - len(latencies),
        "p50_ms": q[49], "p99_ms": q[98], "max_ms": latencies[-1] if latencies else None,
        "errors": len(errors), "first_error": errors[0] if errors else None,
    }


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

"""A minimal graphql-transport-ws client for tests (over the `websockets` library)."""

from __future__ import annotations

import asyncio
import json

import websockets

PROTOCOL = "graphql-transport-ws"


class Subscriber:
    def __init__(self, base_url: str, query: str, variables: dict, *, init_payload: dict | None = None):
        self.url = base_url.replace("http://", "ws://") + "/graphql"
        self.query = query
        self.variables = variables
        self.init_payload = init_payload or {}
        self.ws = None
        self._early: list[dict] = []  # data that came before the pong (a subscription that answers at once)

    async def __aenter__(self) -> "Subscriber":
        self.ws = await websockets.connect(self.url, subprotocols=[PROTOCOL], open_timeout=10)
        await self.ws.send(json.dumps({"type": "connection_init", "payload": self.init_payload}))
        ack = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        await self.ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": self.query, "variables": self.variables}})
        )
        # The server registers the subscription asynchronously: a ping round trip after
        # `subscribe` makes sure it is being processed before the test writes anything.
        await self.ws.send(json.dumps({"type": "ping"}))
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
            if message["type"] == "pong":
                break
            if message["type"] == "next" and not message["payload"].get("errors"):
                self._early.append(message)
                continue
            raise AssertionError(f"unexpected message before pong: {message}")
        await asyncio.sleep(0.2)
        return self

    async def next(self, timeout: float = 10) -> dict:
        while True:
            if self._early:
                return self._early.pop(0)["payload"]["data"]
            message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if message["type"] in ("ping", "pong"):
                continue
            assert message["type"] == "next", message
            assert not message["payload"].get("errors"), message
            return message["payload"]["data"]

    async def nothing_within(self, seconds: float) -> bool:
        try:
            message = await asyncio.wait_for(self.ws.recv(), seconds)
        except asyncio.TimeoutError:
            return True
        raise AssertionError(f"expected nothing, got {message}")

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

"""Nothing a client sends gets a 500 (issue #17): hostile strings, decimals, dates and
period indexes are VALIDATION / NOT_FOUND with a field, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import unicodedata
from datetime import datetime, timedelta, timezone

import httpx
import pytest
import websockets

from .server import running_server
from .support import (
    CREATE,
    DELETE,
    GET,
    PROGRESS,
    RECORD,
    UPDATE,
    budget_input,
    by_name,
    create_budget,
    progress,
    record,
)
from .ws import PROTOCOL

NUL = "a\u0000b"
ALERTS = """query($u: String!, $b: ID) { alerts(userId: $u, budgetId: $b) {
  totalCount nodes { budgetId category alertType message percentUsed } } }"""


def no_internal_error(body: dict) -> None:
    for error in body.get("errors") or []:
        assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", body


def payload_errors(body: dict, mutation: str) -> list[dict]:
    no_internal_error(body)
    assert not body.get("errors"), body
    return body["data"][mutation]["errors"]


# -- error paths -------------------------------------------------------------------
async def test_record_transaction_errors_are_under_input(gql, user_id):
    body = await gql.raw(RECORD, {"input": {"userId": user_id, "category": " ", "amount": "0.001", "currency": "XXX1"}})
    assert sorted(e["field"] for e in payload_errors(body, "recordTransaction")) == [
        ["input", "amount"], ["input", "category"], ["input", "currency"]
    ]

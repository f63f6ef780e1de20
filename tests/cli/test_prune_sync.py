"""``budgetql prune-sync``: keeps at least 90 days of delta-sync deletions."""

from __future__ import annotations

from tests.support.cli import budgetql


async def test_prune_sync_keeps_at_least_ninety_days(capsys, db_url):
    refused = await budgetql(capsys, "prune-sync", "--database-url", db_url, "--retention-days", "30")
    assert refused.status == 2 and "at least 90 days" in refused.out
    ran = await budgetql(capsys, "prune-sync", "--database-url", db_url, "--retention-days", "90")
    assert ran.status == 0 and ran.out.startswith("pruned ") and "older than 90 days" in ran.out

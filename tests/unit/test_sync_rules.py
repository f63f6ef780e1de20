"""Delta sync's pure rules: retention, expiry, a page's ids, where the next page starts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import BudgetError, ErrorCode
from domain.sync import rules
from domain.sync.model import BUDGET, TRANSACTION, Change, Full, Incremental


def test_retention_is_at_least_ninety_days():
    assert rules.retention(timedelta(days=90)) == timedelta(days=90)
    with pytest.raises(BudgetError) as refused:
        rules.retention(timedelta(days=89))
    assert refused.value.code is ErrorCode.VALIDATION


def test_a_cursor_expires_once_what_it_still_needs_may_be_pruned():
    rules.check_not_expired(Incremental(11), pruned_through=10)
    rules.check_not_expired(Full(11, 2, 0, "x"), pruned_through=10)
    for cursor in (Incremental(10), Incremental(3, BUDGET, "bud_a"), Full(10)):
        with pytest.raises(BudgetError) as expired:
            rules.check_not_expired(cursor, pruned_through=10)
        assert expired.value.code is ErrorCode.CURSOR_EXPIRED and expired.value.field == ("since",)


def test_a_pages_ids_are_each_once_in_feed_order():
    page = [Change(1, BUDGET, "b2"), Change(2, TRANSACTION, "t1"), Change(3, BUDGET, "b1"),
            Change(4, BUDGET, "b2", deleted=True)]
    ids = rules.ids_by_kind(page)
    assert ids[BUDGET] == ["b2", "b1"] and ids[TRANSACTION] == ["t1"] and ids["goal"] == []


def test_the_next_page_starts_after_the_last_row_or_at_the_horizon():
    page = [Change(5, BUDGET, "b1"), Change(7, TRANSACTION, "t9")]
    assert rules.after_changes(page, True, 20, Incremental(4)) == Incremental(7, TRANSACTION, "t9")
    assert rules.after_changes(page, False, 20, Incremental(4)) == Incremental(20)
    # An empty page with more waiting (first: 0) moves nothing; the horizon never moves back.
    assert rules.after_changes([], True, 20, Incremental(4, BUDGET, "b0")) == Incremental(4, BUDGET, "b0")
    assert rules.after_changes([], False, 3, Incremental(4)) == Incremental(4)

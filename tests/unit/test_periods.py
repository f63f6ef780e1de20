"""Period arithmetic and labels (pure domain, no database)."""

from __future__ import annotations

from datetime import datetime as D

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from domain.periods import BudgetPeriod as P
from domain.periods import anchor_of, end_date, index_at, label, window, window_at


@pytest.mark.parametrize(
    "period,start,end",
    [
        (P.MONTHLY, D(2025, 11, 1), D(2025, 11, 30, 23, 59, 59)),
        (P.WEEKLY, D(2025, 11, 3), D(2025, 11, 9, 23, 59, 59)),
        (P.BIWEEKLY, D(2025, 11, 3), D(2025, 11, 16, 23, 59, 59)),
        (P.QUARTERLY, D(2025, 10, 1), D(2025, 12, 31, 23, 59, 59)),
        (P.YEARLY, D(2025, 1, 1), D(2025, 12, 31, 23, 59, 59)),
    ],
)
def test_end_of_period_zero(period, start, end):
    assert end_date(anchor_of(start), period) == end


def test_month_ends_clamp_without_drift():
    a = anchor_of(D(2025, 1, 31))
    starts = [window(a, P.MONTHLY, k).start for k in range(5)]
    assert starts == [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 31), D(2025, 4, 30), D(2025, 5, 31)]


def test_leap_year_anchor():
    a = anchor_of(D(2024, 2, 29))
    assert window(a, P.YEARLY, 1).start == D(2025, 2, 28)
    assert window(a, P.YEARLY, 4).start == D(2028, 2, 29)


def test_anchor_is_midnight_of_the_start_date():
    assert anchor_of(D(2025, 11, 1, 15, 30)) == D(2025, 11, 1)


@pytest.mark.parametrize("period", list(P))
def test_index_at_agrees_with_windows(period):
    a = anchor_of(D(2025, 1, 31))
    for k in range(-14, 30):
        w = window(a, period, k)
        assert index_at(a, period, w.start) == k
        assert index_at(a, period, w.end) == k
        assert window_at(a, period, w.end).next_start == window(a, period, k + 1).start


def test_days_total():
    assert window(anchor_of(D(2025, 11, 1)), P.MONTHLY, 0).days_total == 30
    assert window(anchor_of(D(2025, 11, 3)), P.BIWEEKLY, 0).days_total == 14


@pytest.mark.parametrize(
    "period,start,k,expected",
    [
        (P.MONTHLY, D(2025, 11, 1), 0, "November 2025"),
        (P.MONTHLY, D(2025, 11, 1), 2, "January 2026"),
        (P.QUARTERLY, D(2025, 10, 1), 0, "Q4 2025"),
        (P.QUARTERLY, D(2025, 10, 1), 1, "Q1 2026"),
        (P.YEARLY, D(2025, 1, 1), 0, "2025"),
        (P.WEEKLY, D(2025, 11, 3), 0, "Nov 3 – Nov 9, 2025"),
        (P.WEEKLY, D(2025, 12, 29), 0, "Dec 29, 2025 – Jan 4, 2026"),
        (P.MONTHLY, D(2025, 11, 15), 0, "Nov 15 – Dec 14, 2025"),
        (P.QUARTERLY, D(2025, 11, 1), 0, "Nov 1, 2025 – Jan 31, 2026"),
    ],
)
def test_labels(period, start, k, expected):
    assert label(window(anchor_of(start), period, k), period) == expected


_CALENDAR_STEP = {
    P.WEEKLY: dict(weeks=1), P.BIWEEKLY: dict(weeks=2), P.MONTHLY: dict(months=1),
    P.QUARTERLY: dict(months=3), P.YEARLY: dict(years=1),
}


@given(
    start=st.datetimes(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)),
    period=st.sampled_from(list(P)),
    k=st.integers(min_value=-500, max_value=500),
)
def test_period_k_is_calendar_arithmetic_from_the_anchor(start, period, k):
    # The hand-written arithmetic agrees with dateutil's relativedelta (clamped month ends).
    anchor = anchor_of(start)
    assert window(anchor, period, k).start == anchor + relativedelta(**_CALENDAR_STEP[period]) * k

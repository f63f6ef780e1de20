"""Migrations carry existing data forward."""

from __future__ import annotations

from sqlalchemy import text

from persistence.database import create_engine
from persistence.migrate import migrate

from tests.e2e.test_webhooks import own_db  # noqa: F401 - the fixture: a fresh database on each backend


async def test_monthly_rollup_is_filled_from_the_daily_one(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await migrate(engine, "0001")
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO spending_daily (user_id, category_key, currency, day, total, count) VALUES "
                     "('u', 'food', 'USD', '2025-10-31', 15000, 1), ('u', 'food', 'USD', '2025-11-01', 25000, 2), "
                     "('u', 'food', 'USD', '2025-11-30', 5000, 1), ('u', 'fun', 'EUR', '2025-11-02', 10000, 1)")
            )
        await migrate(engine)
        async with engine.connect() as conn:
            rows = (await conn.execute(
                text("SELECT month, category_key, currency, total, count FROM spending_monthly ORDER BY 1, 2")
            )).all()
    finally:
        await engine.dispose()
    # Money is stored in 1/10,000ths on SQLite.
    assert [tuple(r) for r in rows] == [
        ("2025-10-01", "food", "USD", 15000, 1),
        ("2025-11-01", "food", "USD", 30000, 3),
        ("2025-11-01", "fun", "EUR", 10000, 1),
    ]


async def test_existing_members_become_accepted_members_without_their_history(own_db):
    """Migration 0003: memberships made under the old rule (no consent asked) are carried
    over as accepted when they were created, their earlier spending not counted."""
    from datetime import datetime, timezone

    from persistence.unit_of_work import SqlUnitOfWorkFactory

    engine = create_engine(own_db)
    try:
        await migrate(engine, "0002")
        async with engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO budgets (id, user_id, name, type, period, currency, start_date, end_date, rollover_mode, "
                "warning_threshold, limit_threshold, overspending_threshold, version, created_at, updated_at) VALUES "
                "('bud_old', 'owner', 'Home', 'household', 'monthly', 'USD', '2025-11-01 00:00:00', "
                "'2025-11-30 23:59:59', 'none', 8000, 10000, 11000, 1, '2025-11-01 08:00:00', '2025-11-01 08:00:00')"
            ) if engine.dialect.name == "sqlite" else text(
                "INSERT INTO budgets (id, user_id, name, type, period, currency, start_date, end_date, rollover_mode, "
                "warning_threshold, limit_threshold, overspending_threshold, version, created_at, updated_at) VALUES "
                "('bud_old', 'owner', 'Home', 'household', 'monthly', 'USD', '2025-11-01 00:00:00', "
                "'2025-11-30 23:59:59', 'none', 0.8, 1.0, 1.1, 1, '2025-11-01 08:00:00', '2025-11-01 08:00:00')"
            ))
            await conn.execute(text(
                "INSERT INTO budget_members (budget_pk, user_id, role, created_at) "
                "SELECT pk, 'member', 'viewer', '2025-11-03 10:00:00' FROM budgets WHERE id = 'bud_old'"
            ))
        await migrate(engine)
        async with SqlUnitOfWorkFactory(engine)() as uow:
            budget = await uow.budgets.get("bud_old")
    finally:
        await engine.dispose()
    [member] = budget.members
    moment = datetime(2025, 11, 3, 10, 0, tzinfo=timezone.utc)
    assert (member.user_id, member.created_at, member.accepted_at, member.share_history) == ("member", moment, moment, False)
    assert budget.counts_from("member") == moment.replace(tzinfo=None)

"""Migrations carry existing data forward."""

from __future__ import annotations

from sqlalchemy import text

from persistence.database import create_engine
from persistence.migrate import migrate


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

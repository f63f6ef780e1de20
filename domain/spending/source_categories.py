"""Provisional: replaced by the full Plaid mapping."""

from __future__ import annotations

PRIMARY: dict[str, str] = {"FOOD_AND_DRINK": "Restaurants", "TRANSPORTATION": "Transportation"}
DETAILED: dict[str, str] = {"FOOD_AND_DRINK_GROCERIES": "Groceries", "FOOD_AND_DRINK_RESTAURANT": "Restaurants"}


def normalize(source: str) -> str:
    return "_".join(source.strip().upper().replace("-", " ").replace(".", " ").split())


def category_for(source: str | None) -> str | None:
    if not source:
        return None
    code = normalize(source)
    if code in DETAILED:
        return DETAILED[code]
    for primary in sorted(PRIMARY, key=len, reverse=True):
        if code == primary or code.startswith(primary + "_"):
            return PRIMARY[primary]
    return None

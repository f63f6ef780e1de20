"""The built-in bank category mapping (domain.spending.source_categories): Plaid's personal
finance categories to budget categories, and the README table that documents it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.spending import source_categories
from domain.spending.source_categories import BUDGET_CATEGORIES, DETAILED, PRIMARY, category_for, normalize

ROOT = Path(__file__).resolve().parents[2]
START, END = "<!-- plaid-mapping:start -->", "<!-- plaid-mapping:end -->"
HEADER = ["Plaid primary category", "Budget category", "Notes (detailed exceptions)"]

# The names the mapping may give (the module docstring and README point here).
NAMES = {
    "Groceries", "Restaurants", "Transportation", "Utilities", "Housing", "Entertainment",
    "Shopping", "Travel", "Healthcare", "Insurance", "Personal Care", "Education",
    "Gifts & Donations", "Fees", "Debt Payments", "Income", "Transfers", "Services",
    "Home Improvement", "Taxes",
}
PLAID_PRIMARIES = {
    "INCOME", "TRANSFER_IN", "TRANSFER_OUT", "LOAN_PAYMENTS", "BANK_FEES", "ENTERTAINMENT",
    "FOOD_AND_DRINK", "GENERAL_MERCHANDISE", "HOME_IMPROVEMENT", "MEDICAL", "PERSONAL_CARE",
    "GENERAL_SERVICES", "GOVERNMENT_AND_NON_PROFIT", "TRANSPORTATION", "TRAVEL", "RENT_AND_UTILITIES",
}


def primary_of(detailed: str) -> str:
    return max((p for p in PRIMARY if detailed.startswith(p + "_")), key=len)


def test_every_plaid_primary_is_mapped_and_nothing_else():
    assert set(PRIMARY) == PLAID_PRIMARIES


def test_every_detailed_code_starts_with_a_primary_one():
    orphans = [code for code in DETAILED if not any(code.startswith(p + "_") for p in PRIMARY)]
    assert orphans == []
    assert len(DETAILED) == 104  # PFC v1
    assert {primary_of(code) for code in DETAILED} == set(PRIMARY)  # every primary has details


def test_every_name_given_is_a_budget_category():
    assert set(BUDGET_CATEGORIES) == NAMES and len(BUDGET_CATEGORIES) == len(NAMES)
    assert set(PRIMARY.values()) <= NAMES
    assert set(DETAILED.values()) <= NAMES


@pytest.mark.parametrize(
    "code,expected",
    [
        ("FOOD_AND_DRINK_GROCERIES", "Groceries"),
        ("FOOD_AND_DRINK_RESTAURANT", "Restaurants"),
        ("FOOD_AND_DRINK_FAST_FOOD", "Restaurants"),
        ("FOOD_AND_DRINK_COFFEE", "Restaurants"),
        ("GENERAL_SERVICES_INSURANCE", "Insurance"),
        ("RENT_AND_UTILITIES_RENT", "Housing"),
        ("RENT_AND_UTILITIES_GAS_AND_ELECTRICITY", "Utilities"),
        ("LOAN_PAYMENTS_MORTGAGE_PAYMENT", "Housing"),
        ("MEDICAL_PHARMACIES_AND_SUPPLEMENTS", "Healthcare"),
        ("TRANSPORTATION_GAS", "Transportation"),
        ("GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT", "Taxes"),
        ("INCOME_WAGES", "Income"),
    ],
)
def test_examples(code, expected):
    assert category_for(code) == expected


def test_a_detailed_code_maps_more_precisely_than_its_primary():
    assert category_for("FOOD_AND_DRINK") == "Restaurants"
    assert category_for("FOOD_AND_DRINK_GROCERIES") == "Groceries"
    assert category_for("LOAN_PAYMENTS") == "Debt Payments"
    assert category_for("LOAN_PAYMENTS_MORTGAGE_PAYMENT") == "Housing"


def test_an_unknown_detailed_code_falls_back_to_its_primary():
    assert category_for("FOOD_AND_DRINK_SOMETHING_NEW") == "Restaurants"
    assert category_for("TRAVEL_CRUISES") == "Travel"
    assert category_for("transfer_out_crypto") == "Transfers"


@pytest.mark.parametrize(
    "source",
    [None, "", "   ", "---", "SOMETHING_UNKNOWN", "TRANSFER", "FOOD", "FOOD_AND_DRINKS", "XFOOD_AND_DRINK",
     "GROCERIES", "Food & Drink"],
)
def test_unknown_codes_map_to_nothing(source):
    assert category_for(source) is None


def test_the_longest_matching_primary_wins(monkeypatch):
    monkeypatch.setitem(source_categories.PRIMARY, "FOOD", "Shopping")
    assert category_for("FOOD_AND_DRINK_SOMETHING_NEW") == "Restaurants"
    assert category_for("FOOD_TRUCKS") == "Shopping"


@pytest.mark.parametrize(
    "source",
    [
        "FOOD_AND_DRINK_GROCERIES",
        "food_and_drink_groceries",
        "  Food_And_Drink_Groceries\t",
        "food and drink groceries",
        "food-and-drink-groceries",
        "food.and.drink.groceries",
        "FOOD_AND_DRINK / GROCERIES",
        "FOOD_AND_DRINK__GROCERIES",
        "_food_and_drink_groceries_",
    ],
)
def test_normalization(source):
    assert normalize(source) == "FOOD_AND_DRINK_GROCERIES"
    assert category_for(source) == "Groceries"


def test_normalize_keeps_nothing_of_blanks():
    assert normalize("") == normalize("  ") == normalize(" - . / ") == ""


def documented_table() -> tuple[str, list[list[str]]]:
    """The mapping table between the markers in README.md: its rows, cells stripped."""
    name = "README.md"
    text = (ROOT / name).read_text(encoding="utf-8")
    if START not in text or END not in text:
        pytest.fail(f"README.md lacks the lines {START} and {END}")
    block = text.split(START, 1)[1].split(END, 1)[0]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in block.splitlines()
        if line.strip().startswith("|")
    ]
    assert rows and rows[0] == HEADER, f"{name}: the table's header is {rows[:1]}, expected {HEADER}"
    assert rows[1] and all(set(cell) <= set(":-") and cell for cell in rows[1]), f"{name}: no separator row"
    body = rows[2:]
    assert all(len(row) == len(HEADER) for row in body), f"{name}: rows of the wrong width"
    return name, body


def test_the_readme_table_lists_exactly_the_primary_mapping():
    name, body = documented_table()
    listed = [(row[0].strip("`"), row[1]) for row in body]
    assert len({code for code, _ in listed}) == len(listed), f"{name}: a primary listed twice"
    assert dict(listed) == PRIMARY, name


def test_the_readme_notes_name_exactly_the_detailed_exceptions():
    name, body = documented_table()
    noted = {}
    for row in body:
        for code, category in re.findall(r"`([A-Z_]+)` → ([^;(]+)", row[2]):
            assert code.startswith(row[0].strip("`") + "_"), f"{name}: {code} noted under {row[0]}"
            noted[code] = category.strip()
    exceptions = {code: category for code, category in DETAILED.items() if category != PRIMARY[primary_of(code)]}
    assert noted == exceptions, name

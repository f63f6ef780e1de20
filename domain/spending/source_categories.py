"""The built-in bank category mapping: Plaid's personal finance categories (PFC v1, the
taxonomy at https://plaid.com/documents/transactions-personal-finance-category-taxonomy.csv)
to budget category names.

A transaction's ``source_category`` (Plaid's ``personal_finance_category.detailed``, say
``FOOD_AND_DRINK_GROCERIES``) gives its budget category only when nothing else did: a category
given by the caller is never overridden, and the user's own category rules win over this
mapping (``domain.spending.category_rules.categorize``). A detailed code maps more precisely
than its primary (``LOAN_PAYMENTS_MORTGAGE_PAYMENT`` is Housing, not Debt Payments); a code
this module does not know falls back to its primary, and one with no known primary maps to
nothing (the transaction stays uncategorized).

Every name given is one of ``BUDGET_CATEGORIES``. The README's "Bank categories" table lists
``PRIMARY`` and the detailed exceptions (tests/unit/test_source_categories.py keeps them equal).
"""

from __future__ import annotations

BUDGET_CATEGORIES: tuple[str, ...] = (
    "Groceries", "Restaurants", "Transportation", "Utilities", "Housing", "Entertainment",
    "Shopping", "Travel", "Healthcare", "Insurance", "Personal Care", "Education",
    "Gifts & Donations", "Fees", "Debt Payments", "Income", "Transfers", "Services",
    "Home Improvement", "Taxes",
)

# Plaid's 16 primary categories.
PRIMARY: dict[str, str] = {
    "INCOME": "Income",
    "TRANSFER_IN": "Transfers",
    "TRANSFER_OUT": "Transfers",
    "LOAN_PAYMENTS": "Debt Payments",
    "BANK_FEES": "Fees",
    "ENTERTAINMENT": "Entertainment",
    "FOOD_AND_DRINK": "Restaurants",
    "GENERAL_MERCHANDISE": "Shopping",
    "HOME_IMPROVEMENT": "Home Improvement",
    "MEDICAL": "Healthcare",
    "PERSONAL_CARE": "Personal Care",
    "GENERAL_SERVICES": "Services",
    "GOVERNMENT_AND_NON_PROFIT": "Fees",
    "TRANSPORTATION": "Transportation",
    "TRAVEL": "Travel",
    "RENT_AND_UTILITIES": "Utilities",
}

# Plaid's 104 detailed categories, in the taxonomy's order.
DETAILED: dict[str, str] = {
    "INCOME_DIVIDENDS": "Income",
    "INCOME_INTEREST_EARNED": "Income",
    "INCOME_RETIREMENT_PENSION": "Income",
    "INCOME_TAX_REFUND": "Income",
    "INCOME_UNEMPLOYMENT": "Income",
    "INCOME_WAGES": "Income",
    "INCOME_OTHER_INCOME": "Income",
    "TRANSFER_IN_CASH_ADVANCES_AND_LOANS": "Transfers",
    "TRANSFER_IN_DEPOSIT": "Transfers",
    "TRANSFER_IN_INVESTMENT_AND_RETIREMENT_FUNDS": "Transfers",
    "TRANSFER_IN_SAVINGS": "Transfers",
    "TRANSFER_IN_ACCOUNT_TRANSFER": "Transfers",
    "TRANSFER_IN_OTHER_TRANSFER_IN": "Transfers",
    "TRANSFER_OUT_INVESTMENT_AND_RETIREMENT_FUNDS": "Transfers",
    "TRANSFER_OUT_SAVINGS": "Transfers",
    "TRANSFER_OUT_WITHDRAWAL": "Transfers",
    "TRANSFER_OUT_ACCOUNT_TRANSFER": "Transfers",
    "TRANSFER_OUT_OTHER_TRANSFER_OUT": "Transfers",
    "LOAN_PAYMENTS_CAR_PAYMENT": "Transportation",
    # Paying the card moves money between the user's accounts: its purchases already count.
    "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT": "Transfers",
    "LOAN_PAYMENTS_PERSONAL_LOAN_PAYMENT": "Debt Payments",
    "LOAN_PAYMENTS_MORTGAGE_PAYMENT": "Housing",
    "LOAN_PAYMENTS_STUDENT_LOAN_PAYMENT": "Debt Payments",
    "LOAN_PAYMENTS_OTHER_PAYMENT": "Debt Payments",
    "BANK_FEES_ATM_FEES": "Fees",
    "BANK_FEES_FOREIGN_TRANSACTION_FEES": "Fees",
    "BANK_FEES_INSUFFICIENT_FUNDS": "Fees",
    "BANK_FEES_INTEREST_CHARGE": "Fees",
    "BANK_FEES_OVERDRAFT_FEES": "Fees",
    "BANK_FEES_OTHER_BANK_FEES": "Fees",
    "ENTERTAINMENT_CASINOS_AND_GAMBLING": "Entertainment",
    "ENTERTAINMENT_MUSIC_AND_AUDIO": "Entertainment",
    "ENTERTAINMENT_SPORTING_EVENTS_AMUSEMENT_PARKS_AND_MUSEUMS": "Entertainment",
    "ENTERTAINMENT_TV_AND_MOVIES": "Entertainment",
    "ENTERTAINMENT_VIDEO_GAMES": "Entertainment",
    "ENTERTAINMENT_OTHER_ENTERTAINMENT": "Entertainment",
    # Liquor stores sell to take home, like grocery stores.
    "FOOD_AND_DRINK_BEER_WINE_AND_LIQUOR": "Groceries",
    "FOOD_AND_DRINK_COFFEE": "Restaurants",
    "FOOD_AND_DRINK_FAST_FOOD": "Restaurants",
    "FOOD_AND_DRINK_GROCERIES": "Groceries",
    "FOOD_AND_DRINK_RESTAURANT": "Restaurants",
    "FOOD_AND_DRINK_VENDING_MACHINES": "Restaurants",
    "FOOD_AND_DRINK_OTHER_FOOD_AND_DRINK": "Restaurants",
    "GENERAL_MERCHANDISE_BOOKSTORES_AND_NEWSSTANDS": "Shopping",
    "GENERAL_MERCHANDISE_CLOTHING_AND_ACCESSORIES": "Shopping",
    "GENERAL_MERCHANDISE_CONVENIENCE_STORES": "Shopping",
    "GENERAL_MERCHANDISE_DEPARTMENT_STORES": "Shopping",
    "GENERAL_MERCHANDISE_DISCOUNT_STORES": "Shopping",
    "GENERAL_MERCHANDISE_ELECTRONICS": "Shopping",
    "GENERAL_MERCHANDISE_GIFTS_AND_NOVELTIES": "Gifts & Donations",
    "GENERAL_MERCHANDISE_OFFICE_SUPPLIES": "Shopping",
    "GENERAL_MERCHANDISE_ONLINE_MARKETPLACES": "Shopping",
    "GENERAL_MERCHANDISE_PET_SUPPLIES": "Shopping",
    "GENERAL_MERCHANDISE_SPORTING_GOODS": "Shopping",
    "GENERAL_MERCHANDISE_SUPERSTORES": "Shopping",
    "GENERAL_MERCHANDISE_TOBACCO_AND_VAPE": "Shopping",
    "GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE": "Shopping",
    "HOME_IMPROVEMENT_FURNITURE": "Home Improvement",
    "HOME_IMPROVEMENT_HARDWARE": "Home Improvement",
    "HOME_IMPROVEMENT_REPAIR_AND_MAINTENANCE": "Home Improvement",
    "HOME_IMPROVEMENT_SECURITY": "Home Improvement",
    "HOME_IMPROVEMENT_OTHER_HOME_IMPROVEMENT": "Home Improvement",
    "MEDICAL_DENTAL_CARE": "Healthcare",
    "MEDICAL_EYE_CARE": "Healthcare",
    "MEDICAL_NURSING_CARE": "Healthcare",
    "MEDICAL_PHARMACIES_AND_SUPPLEMENTS": "Healthcare",
    "MEDICAL_PRIMARY_CARE": "Healthcare",
    "MEDICAL_VETERINARY_SERVICES": "Healthcare",
    "MEDICAL_OTHER_MEDICAL": "Healthcare",
    "PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS": "Personal Care",
    "PERSONAL_CARE_HAIR_AND_BEAUTY": "Personal Care",
    "PERSONAL_CARE_LAUNDRY_AND_DRY_CLEANING": "Personal Care",
    "PERSONAL_CARE_OTHER_PERSONAL_CARE": "Personal Care",
    "GENERAL_SERVICES_ACCOUNTING_AND_FINANCIAL_PLANNING": "Services",
    # Oil changes, car washes, repairs and towing.
    "GENERAL_SERVICES_AUTOMOTIVE": "Transportation",
    "GENERAL_SERVICES_CHILDCARE": "Services",
    "GENERAL_SERVICES_CONSULTING_AND_LEGAL": "Services",
    "GENERAL_SERVICES_EDUCATION": "Education",
    "GENERAL_SERVICES_INSURANCE": "Insurance",
    "GENERAL_SERVICES_POSTAGE_AND_SHIPPING": "Services",
    "GENERAL_SERVICES_STORAGE": "Services",
    "GENERAL_SERVICES_OTHER_GENERAL_SERVICES": "Services",
    "GOVERNMENT_AND_NON_PROFIT_DONATIONS": "Gifts & Donations",
    "GOVERNMENT_AND_NON_PROFIT_GOVERNMENT_DEPARTMENTS_AND_AGENCIES": "Fees",
    "GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT": "Taxes",
    "GOVERNMENT_AND_NON_PROFIT_OTHER_GOVERNMENT_AND_NON_PROFIT": "Fees",
    "TRANSPORTATION_BIKES_AND_SCOOTERS": "Transportation",
    "TRANSPORTATION_GAS": "Transportation",
    "TRANSPORTATION_PARKING": "Transportation",
    "TRANSPORTATION_PUBLIC_TRANSIT": "Transportation",
    "TRANSPORTATION_TAXIS_AND_RIDE_SHARES": "Transportation",
    "TRANSPORTATION_TOLLS": "Transportation",
    "TRANSPORTATION_OTHER_TRANSPORTATION": "Transportation",
    "TRAVEL_FLIGHTS": "Travel",
    "TRAVEL_LODGING": "Travel",
    "TRAVEL_RENTAL_CARS": "Travel",
    "TRAVEL_OTHER_TRAVEL": "Travel",
    "RENT_AND_UTILITIES_GAS_AND_ELECTRICITY": "Utilities",
    "RENT_AND_UTILITIES_INTERNET_AND_CABLE": "Utilities",
    "RENT_AND_UTILITIES_RENT": "Housing",
    "RENT_AND_UTILITIES_SEWAGE_AND_WASTE_MANAGEMENT": "Utilities",
    "RENT_AND_UTILITIES_TELEPHONE": "Utilities",
    "RENT_AND_UTILITIES_WATER": "Utilities",
    "RENT_AND_UTILITIES_OTHER_UTILITIES": "Utilities",
}

_SEPARATORS = "_-./"


def normalize(source: str) -> str:
    """A code as Plaid spells it: trimmed, upper-case, with runs of whitespace, hyphens, dots,
    slashes and underscores as one underscore ("food-and-drink groceries", "FOOD_AND_DRINK /
    GROCERIES" and "food_and_drink_groceries" are all FOOD_AND_DRINK_GROCERIES)."""
    code = source.upper()
    for separator in _SEPARATORS:
        code = code.replace(separator, " ")
    return "_".join(code.split())


def category_for(source: str | None) -> str | None:
    """The budget category for a bank's category code: its detailed mapping, else that of its
    primary (the longest PRIMARY key the code equals or starts with, followed by "_"), else None."""
    if source is None:
        return None
    code = normalize(source)
    if not code:
        return None
    if code in DETAILED:
        return DETAILED[code]
    primary = max((p for p in PRIMARY if code == p or code.startswith(p + "_")), key=len, default=None)
    return PRIMARY[primary] if primary is not None else None

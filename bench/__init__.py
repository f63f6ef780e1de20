"""The budgetql benchmark: ``make bench`` (full) and ``make bench-smoke`` (small data)."""

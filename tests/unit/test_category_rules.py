"""Category rules' matching: the indexed matcher picks the same rule as trying every
rule in order (highest priority first, ties the oldest; texts trimmed and
case-insensitive; every condition of a rule must hold)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.spending.category_rules import CategoryRule, Match, RuleSet, folded

T0 = datetime(2026, 1, 1)


def rule(n: int, priority: int = 0, **match) -> CategoryRule:
    return CategoryRule(f"rul_{n:04d}", "u", f"Category {n}", priority, Match(**match), T0 + timedelta(seconds=n), seq=n)


def by_scan(rules: list[CategoryRule], description: str | None, source: str | None, amount: Decimal) -> CategoryRule | None:
    """The straightforward reading of the rules, written out independently of RuleSet."""
    text, src = folded(description), folded(source)
    for r in sorted(rules, key=lambda r: (-r.priority, r.seq, r.created_at, r.id)):
        m = r.match
        if m.description_equals is not None and text != folded(m.description_equals):
            continue
        if m.description_starts_with is not None and not text.startswith(folded(m.description_starts_with)):
            continue
        if m.description_contains is not None and folded(m.description_contains) not in text:
            continue
        if m.source_category is not None and src != folded(m.source_category):
            continue
        if m.amount_min is not None and amount < m.amount_min:
            continue
        if m.amount_max is not None and amount > m.amount_max:
            continue
        return r
    return None


def test_highest_priority_then_oldest():
    rules = [rule(1, 0, description_contains="shop"), rule(2, 5, description_contains="shop"),
             rule(3, 5, description_contains="hop")]
    assert RuleSet(rules).first_match("My Shop", None, Decimal(1)).id == "rul_0002"


def test_texts_are_trimmed_and_case_insensitive():
    rules = [rule(1, description_equals="  Whole   FOODS "), rule(2, source_category="food_and_drink")]
    assert RuleSet(rules).first_match("whole foods", None, Decimal(1)).id == "rul_0001"
    assert RuleSet(rules).first_match("x", " FOOD_AND_DRINK", Decimal(1)).id == "rul_0002"


def test_starts_with_is_a_prefix_only():
    rules = [rule(1, description_starts_with="store 7")]
    assert RuleSet(rules).first_match("Store 7 downtown", None, Decimal(1)).id == "rul_0001"
    assert RuleSet(rules).first_match("my store 7", None, Decimal(1)) is None


def test_every_condition_must_hold():
    rules = [rule(1, 9, description_contains="cafe", amount_min=Decimal(10)), rule(2, 0, amount_max=Decimal(5))]
    s = RuleSet(rules)
    assert s.first_match("cafe", None, Decimal(12)).id == "rul_0001"
    assert s.first_match("cafe", None, Decimal(3)).id == "rul_0002"  # amount-only rule, tried for every row
    assert s.first_match("cafe", None, Decimal(7)) is None
    assert s.first_match(None, None, Decimal(3)).id == "rul_0002"


# Few, overlapping words, so that texts collide, nest and share prefixes.
WORDS = ["shop", "Shop", "shop 1", "hop", "store", "STORE 1", "é", "É", "ß", "ss", " a ", "a", "ab", "b"]
texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
maybe_text = st.none() | texts
amounts = st.integers(-5, 20).map(Decimal)


@st.composite
def rules_and_rows(draw):
    n = draw(st.integers(0, 25))
    rules = []
    for i in range(n):
        fields = dict(
            description_contains=draw(maybe_text), description_equals=draw(st.none() | texts),
            description_starts_with=draw(maybe_text), source_category=draw(st.none() | st.sampled_from(["food", "FOOD ", "travel"])),
            amount_min=draw(st.none() | amounts), amount_max=draw(st.none() | amounts),
        )
        # Usually one or two conditions, as people write them; sometimes more.
        keep = draw(st.sets(st.sampled_from(sorted(fields)), min_size=1, max_size=draw(st.sampled_from([1, 1, 2, 6]))))
        match = {k: v for k, v in fields.items() if k in keep}
        if all(v is None for v in match.values()):
            match = {"amount_min": Decimal(0)}
        rules.append(rule(i, draw(st.integers(-2, 2)), **match))
    rows = draw(st.lists(st.tuples(maybe_text, st.none() | st.sampled_from(["food", "Food", "travel", "x"]), amounts),
                         min_size=1, max_size=10))
    return rules, rows


@settings(max_examples=200, deadline=None)
@given(rules_and_rows())
def test_the_indexed_matcher_agrees_with_trying_every_rule(case):
    rules, rows = case
    compiled = RuleSet(rules)
    for description, source, amount in rows:
        assert compiled.first_match(description, source, amount) == by_scan(rules, description, source, amount)

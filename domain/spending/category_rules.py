"""Category rules: a user's own "description contains 'whole foods' → Groceries".

Pure. A rule has a category, a priority and a match of one or more conditions, all of
which must hold: on the description (contains, equals, starts with; trimmed and
case-insensitive, never regular expressions), on the bank's category (the same text
comparison) and on the amount (``amountMin`` ≤ amount ≤ ``amountMax``). The rule with
the highest priority that matches wins; between equal priorities, the oldest.
"""

from __future__ import annotations

import heapq
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

import ahocorasick

from domain import money
from domain import validation as v
from domain.errors import validation
from domain.models import CategorizedBy, Transaction
from domain.spending.source_categories import category_for

RULES_PER_USER = 500
TEXT_MAX = 200
PRIORITY_MIN, PRIORITY_MAX = -1_000_000, 1_000_000
TEXT_CONDITIONS = ("description_contains", "description_equals", "description_starts_with", "source_category")
CONDITIONS = (*TEXT_CONDITIONS, "amount_min", "amount_max")
FIELD_NAMES = {
    "description_contains": "descriptionContains",
    "description_equals": "descriptionEquals",
    "description_starts_with": "descriptionStartsWith",
    "source_category": "sourceCategory",
    "amount_min": "amountMin",
    "amount_max": "amountMax",
}


def folded(text: str | None) -> str:
    """How rule texts compare: trimmed, NFC, case-folded, inner whitespace collapsed."""
    if not text:
        return ""
    text = " ".join(text.split())
    return (text if text.isascii() else unicodedata.normalize("NFC", text)).casefold()


@dataclass(frozen=True)
class Match:
    description_contains: str | None = None
    description_equals: str | None = None
    description_starts_with: str | None = None
    source_category: str | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CONDITIONS}


@dataclass(frozen=True)
class CategoryRule:
    id: str
    user_id: str
    category: str
    priority: int
    match: Match
    created_at: datetime
    seq: int = 0  # order of creation (ties between equal priorities: the oldest wins)


@dataclass(frozen=True)
class _Compiled:
    rule: CategoryRule
    contains: str
    equals: str
    starts: str
    source: str
    low: Decimal | None
    high: Decimal | None

    def holds(self, description: str, source: str, amount: Decimal) -> bool:
        if self.equals and description != self.equals:
            return False
        if self.starts and not description.startswith(self.starts):
            return False
        if self.contains and self.contains not in description:
            return False
        if self.source and source != self.source:
            return False
        if self.low is not None and amount < self.low:
            return False
        if self.high is not None and amount > self.high:
            return False
        return True


class RuleSet:
    """A user's rules, compiled once for a batch: highest priority first, oldest first.

    A row is not tried against every rule. Each rule is filed under one condition it
    cannot match without (its ``descriptionEquals``, else its ``sourceCategory`` (both
    looked up in a dict), else its ``descriptionStartsWith`` or ``descriptionContains``
    (found by one Aho–Corasick pass over the description; a prefix counts only where it
    ends at its own length), else it has amount bounds only and is tried for every
    row); the rules a row reaches that way are then checked in full, in order, and the
    first that holds wins: the same rule as trying every rule in order
    (``tests/unit/test_category_rules.py`` checks it on generated rules and rows)."""

    def __init__(self, rules: Iterable[CategoryRule]):
        ordered = sorted(rules, key=lambda r: (-r.priority, r.seq, r.created_at, r.id))
        self._rules = [
            _Compiled(
                r,
                folded(r.match.description_contains),
                folded(r.match.description_equals),
                folded(r.match.description_starts_with),
                folded(r.match.source_category),
                r.match.amount_min,
                r.match.amount_max,
            )
            for r in ordered
        ]
        self._equals: dict[str, list[int]] = defaultdict(list)
        self._sources: dict[str, list[int]] = defaultdict(list)
        self._amounts_only: list[int] = []
        texts: dict[str, tuple[list[int], list[int]]] = {}  # text → (contains it, start with it)
        for i, c in enumerate(self._rules):
            if c.equals:
                self._equals[c.equals].append(i)
            elif c.source:
                self._sources[c.source].append(i)
            elif c.starts:
                texts.setdefault(c.starts, ([], []))[1].append(i)
            elif c.contains:
                texts.setdefault(c.contains, ([], []))[0].append(i)
            else:
                self._amounts_only.append(i)
        self._texts: ahocorasick.Automaton | None = None
        if texts:
            self._texts = ahocorasick.Automaton()
            for text, (contains, starts) in texts.items():
                self._texts.add_word(text, (len(text) - 1, tuple(contains), tuple(starts)))
            self._texts.make_automaton()

    def __bool__(self) -> bool:
        return bool(self._rules)

    def first_match(self, description: str | None, source_category: str | None, amount: Decimal) -> CategoryRule | None:
        text, source = folded(description), folded(source_category)
        reached: set[int] = set()
        if text:
            reached.update(self._equals.get(text, ()))
            if self._texts is not None:
                for end, (last, contains, starts) in self._texts.iter(text):
                    reached.update(contains)
                    if end == last:  # the text begins with it
                        reached.update(starts)
        if source:
            reached.update(self._sources.get(source, ()))
        candidates = heapq.merge(sorted(reached), self._amounts_only) if self._amounts_only else sorted(reached)
        for i in candidates:
            compiled = self._rules[i]
            if compiled.holds(text, source, amount):
                return compiled.rule
        return None


# -- validation ------------------------------------------------------------------
def _text(value: Any, *field: str) -> str | None:
    if value is None:
        return None
    text = v.text(value, *field, label=field[-1] if field else "text")
    text = " ".join(text.split())
    if not text:
        raise validation(f"{field[-1] if field else 'text'} must not be empty when given", *field)
    if len(text) > TEXT_MAX:
        raise validation(f"{field[-1] if field else 'text'} must be at most {TEXT_MAX} characters", *field)
    return text


def match(raw: Mapping[str, Any] | None, *field: str) -> Match:
    """A rule's conditions: at least one; the amounts exact and min ≤ max."""
    raw = dict(raw or {})
    p = v.Problems()
    values: dict[str, Any] = {}
    for name in TEXT_CONDITIONS:
        values[name] = p.attempt(_text, raw.get(name), *field, FIELD_NAMES[name])
    for name in ("amount_min", "amount_max"):
        if raw.get(name) is not None:
            values[name] = p.attempt(
                money.to_decimal, raw[name], *field, FIELD_NAMES[name]
            )
    p.check()
    result = Match(**{k: values.get(k) for k in CONDITIONS})
    if all(getattr(result, name) is None for name in CONDITIONS):
        raise validation(
            "A rule needs at least one condition: descriptionContains, descriptionEquals, descriptionStartsWith, "
            "sourceCategory, amountMin or amountMax",
            *field,
        )
    if result.amount_min is not None and result.amount_max is not None and result.amount_min > result.amount_max:
        raise validation("amountMin must not be above amountMax", *field, "amountMin")
    return result


def priority(value: Any, *field: str) -> int:
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or not PRIORITY_MIN <= value <= PRIORITY_MAX:
        raise validation(f"priority must be a whole number from {PRIORITY_MIN:,} to {PRIORITY_MAX:,}", *field)
    return value


def check_room(existing: Sequence[CategoryRule], adding: int = 1) -> None:
    if len(existing) + adding > RULES_PER_USER:
        raise validation(f"A user has at most {RULES_PER_USER} category rules: delete one first", "userId")


def categorize(t: Transaction, rules: RuleSet | None) -> Transaction:
    """A transaction without a category (and not split) after the user's rules, then the
    bank category mapping; as it is when the caller categorized it."""
    if t.categorized_by is CategorizedBy.MANUAL:
        return t
    rule = rules.first_match(t.description, t.source_category, t.amount) if rules else None
    if rule is not None:
        return replace(t, category=rule.category, categorized_by=CategorizedBy.RULE, rule_id=rule.id)
    mapped = category_for(t.source_category)
    if mapped is not None:
        return replace(t, category=mapped, categorized_by=CategorizedBy.SOURCE_MAPPING, rule_id=None)
    return replace(t, category=None, categorized_by=None, rule_id=None)

"""Limits on what one request may ask for, checked before any database work.

* :func:`limit_extensions`: Strawberry's ``QueryDepthLimiter``, ``MaxTokensLimiter`` and
  ``MaxAliasesLimiter`` (and ``DisableIntrospection`` when introspection is off, which
  also refuses Apollo Federation's ``_service { sdl }``: the same schema, as text), each
  rejecting with its own ``extensions.code``.
* the request body's size is ``graph.http.body_limit``.

Page sizes (``first`` ≤ 500), ``periods(last:)`` ≤ 120 and batches
(``recordTransactions`` ≤ 1,000 items, ≤ 200 categories) are checked by the domain
before it opens a unit of work.
"""

from __future__ import annotations

from typing import Any, Iterator

from graphql import FieldNode, GraphQLError, GraphQLSyntaxError, ValidationContext, ValidationRule
from strawberry.extensions import DisableIntrospection, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.extensions.add_validation_rules import AddValidationRules

QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"


class _CodedContext:
    """A validation context whose reported errors carry ``extensions.code``."""

    def __init__(self, context: ValidationContext, code: str):
        self._context = context
        self._code = code

    def report_error(self, error: GraphQLError) -> None:
        error.extensions = {**(error.extensions or {}), "code": self._code}
        self._context.report_error(error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)

def _coded(rule: type[ValidationRule], code: str) -> type[ValidationRule]:
    class Coded(rule):  # type: ignore[misc, valid-type]
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(_CodedContext(context, code))  # type: ignore[arg-type]

    Coded.__name__ = f"{rule.__name__}_{code}"
    return Coded

def _coded_rules(extension: AddValidationRules, code: str) -> list[type[ValidationRule]]:
    return [_coded(rule, code) for rule in extension.validation_rules]

class TokenLimit(MaxTokensLimiter):
    """``MaxTokensLimiter``, whose parse error says ``TOO_MANY_TOKENS``. The parser has
    no code of its own for it, so the error is recognized by graphql-core's wording."""

    def on_parse(self) -> Iterator[None]:
        yield
        for error in self.execution_context.pre_execution_errors or []:
            _tag_token_error(error, self.max_token_count)

def _tag_token_error(error: GraphQLError, limit: int) -> None:
    if isinstance(error, GraphQLSyntaxError) and f"more than {limit} tokens" in error.message:
        error.extensions = {**(error.extensions or {}), "code": TOO_MANY_TOKENS}

class NoServiceSdl(ValidationRule):
    """``_service`` (Apollo Federation's SDL of the subgraph) when introspection is off:
    a gateway then composes from ``budgetql export-schema``'s file instead."""

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        parent = self.context.get_parent_type()
        if node.name.value == "_service" and parent is not None and parent.name == "Query":
            self.report_error(GraphQLError(
                "GraphQL introspection has been disabled, and so has _service (the subgraph's SDL): compose "
                "from the file `budgetql export-schema` writes",
                node,
            ))


def limit_extensions(settings) -> list[Any]:
    """Extension factories (Strawberry makes a fresh extension per request from each)."""
    rules = [
        *_coded_rules(QueryDepthLimiter(max_depth=settings.max_query_depth), QUERY_TOO_DEEP),
        *_coded_rules(MaxAliasesLimiter(max_alias_count=settings.max_aliases), TOO_MANY_ALIASES),
    ]
    if not settings.introspection:
        rules += _coded_rules(DisableIntrospection(), INTROSPECTION_DISABLED)
        rules.append(_coded(NoServiceSdl, INTROSPECTION_DISABLED))
    max_tokens = settings.max_tokens
    return [lambda: TokenLimit(max_token_count=max_tokens), lambda: AddValidationRules(rules)]

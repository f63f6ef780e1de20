"""One error type for the whole domain, with stable machine-readable codes.

The GraphQL layer turns a :class:`BudgetError` into a ``UserError`` (errors as
data); the Python API raises it (it subclasses ``ValueError`` so the spec's
``except ValueError`` examples keep working).
"""

from __future__ import annotations

from enum import Enum


class ErrorCode(str, Enum):
    VALIDATION = "VALIDATION"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    RATE_LIMITED = "RATE_LIMITED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    CURSOR_EXPIRED = "CURSOR_EXPIRED"  # a sync cursor older than the kept deletions: sync in full


class BudgetError(ValueError):
    """A failure a client can act on: bad input, a missing record, a conflict."""

    def __init__(self, code: ErrorCode, message: str, field: tuple[str, ...] | list[str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field: tuple[str, ...] | None = tuple(field) if field else None

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"BudgetError({self.code.value}, {self.message!r}, field={self.field})"


class ValidationFailed(BudgetError):
    """One or more input problems; ``problems`` keeps each with its code and field path.
    Its own code is theirs when they all share one (e.g. an unknown template is
    NOT_FOUND), else VALIDATION."""

    def __init__(self, problems: list[BudgetError]):
        first = problems[0]
        codes = {p.code for p in problems}
        super().__init__(codes.pop() if len(codes) == 1 else ErrorCode.VALIDATION, first.message, first.field)
        self.problems = problems


def validation(message: str, *field: str) -> BudgetError:
    return BudgetError(ErrorCode.VALIDATION, message, field or None)


def not_found(message: str, *field: str) -> BudgetError:
    return BudgetError(ErrorCode.NOT_FOUND, message, field or None)


def conflict(message: str, *field: str) -> BudgetError:
    return BudgetError(ErrorCode.CONFLICT, message, field or None)


def forbidden(message: str, *field: str) -> BudgetError:
    return BudgetError(ErrorCode.FORBIDDEN, message, field or None)


def cursor_expired(message: str, *field: str) -> BudgetError:
    return BudgetError(ErrorCode.CURSOR_EXPIRED, message, field or None)


def unauthenticated(message: str) -> BudgetError:
    return BudgetError(ErrorCode.UNAUTHENTICATED, message)

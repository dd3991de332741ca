"""Errors of the application layer (the domain's errors are re-exported for one import)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.errors import (
    Conflict,
    ConversationNotFound,
    DomainError,
    FieldError,
    NotFound,
    TaskNotFound,
    ValidationError,
)

if TYPE_CHECKING:
    from application.ports import RateDecision

__all__ = [
    "AgentUnavailable",
    "AuthUnavailable",
    "Conflict",
    "ConversationNotFound",
    "DomainError",
    "EmailTaken",
    "FieldError",
    "InvalidCredentials",
    "InvalidToken",
    "NotFound",
    "NotSignedIn",
    "RateLimited",
    "StorageUnavailable",
    "TaskNotFound",
    "Unavailable",
    "UnsupportedDatabaseUrl",
    "ValidationError",
]


class Unavailable(DomainError):
    """A dependency is down; the request may succeed later."""

    def __init__(self, message: str, retry_after: int = 5) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class StorageUnavailable(Unavailable):
    """The database cannot be reached."""


class UnsupportedDatabaseUrl(ValueError):
    """``DATABASE_URL`` names a database no installed backend serves, or one its backend
    cannot use; the message names the problem, never the URL (it may hold a password)."""


class AuthUnavailable(Unavailable):
    """Signing keys needed to verify a token cannot be fetched (e.g. the JWKS is down)."""


class AgentUnavailable(Unavailable):
    """The model cannot be reached, is failing, or its circuit breaker is open."""

    def __init__(self, message: str, retry_after: int = 30, conversation_id: int | None = None) -> None:
        super().__init__(message, retry_after)
        self.conversation_id = conversation_id


class InvalidToken(DomainError):
    """The bearer token is missing, malformed, expired or not signed by a trusted key."""


class MissingToken(InvalidToken):
    """No bearer token was sent at all (RFC 6750: the challenge then names no error)."""


class RateLimited(DomainError):
    """Too many requests in the current window; ``quota`` is the limit that refused."""

    def __init__(self, retry_after: int, quota: RateDecision | None = None) -> None:
        self.retry_after = retry_after
        self.quota = quota
        super().__init__(f"rate limit exceeded; retry in {retry_after} s")


class InvalidCredentials(DomainError):
    """Sign-in failed: unknown e-mail or wrong password (one answer for both)."""

    def __init__(self, quota: RateDecision | None = None) -> None:
        self.quota = quota
        super().__init__("invalid e-mail or password")


class EmailTaken(ValidationError):
    """Sign-up with an e-mail that already has an account."""

    def __init__(self, quota: RateDecision | None = None) -> None:
        self.quota = quota
        super().__init__(FieldError("email", "an account with this e-mail already exists"))


class NotSignedIn(DomainError):
    """No valid session (missing, unknown, expired or revoked)."""

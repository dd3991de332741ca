"""Errors of the application layer (the domain's errors are re-exported for one import)."""

from __future__ import annotations

from domain.errors import (
    Conflict,
    ConversationNotFound,
    DomainError,
    FieldError,
    NotFound,
    TaskNotFound,
    ValidationError,
)

__all__ = [
    "AgentUnavailable",
    "AuthUnavailable",
    "Conflict",
    "ConversationNotFound",
    "DomainError",
    "FieldError",
    "InvalidToken",
    "NotFound",
    "RateLimited",
    "StorageUnavailable",
    "TaskNotFound",
    "Unavailable",
    "ValidationError",
]


class Unavailable(DomainError):
    """A dependency is down; the request may succeed later."""

    def __init__(self, message: str, retry_after: int = 5) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class StorageUnavailable(Unavailable):
    """The database cannot be reached."""


class AuthUnavailable(Unavailable):
    """Signing keys needed to verify a token cannot be fetched (e.g. the JWKS is down)."""


class AgentUnavailable(Unavailable):
    """The model cannot be reached, is failing, or its circuit breaker is open."""

    def __init__(self, message: str, retry_after: int = 30, conversation_id: int | None = None) -> None:
        super().__init__(message, retry_after)
        self.conversation_id = conversation_id


class InvalidToken(DomainError):
    """The bearer token is missing, malformed, expired or not signed by a trusted key."""


class RateLimited(DomainError):
    """Too many requests in the current window."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"rate limit exceeded; retry in {retry_after} s")

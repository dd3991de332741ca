"""Ports: who the caller is, tokens and passwords."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller."""

    user_id: str


class TokenVerifier(Protocol):
    """Turns a bearer token into the caller it names."""

    async def verify(self, token: str) -> Principal:
        """The principal, or ``InvalidToken``; ``AuthUnavailable`` when keys can't be fetched."""
        ...


class TokenIssuer(Protocol):
    """The server's own issuer of tokens."""

    def issue(self, user_id: str, ttl_seconds: int) -> str:
        """A signed token for ``user_id`` valid for ``ttl_seconds``."""
        ...

    def public_jwks(self) -> dict[str, object]:
        """The issuer's public keys as a JWKS document."""
        ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing (argon2id). Runs off the event loop, a bounded number at once."""

    async def hash(self, password: str) -> str:
        """A self-describing hash of ``password`` (algorithm, parameters, salt)."""
        ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches. With ``None`` (no such account) a dummy hash is
        checked instead and the answer is False, so both cases take the same time."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than the current ones."""
        ...

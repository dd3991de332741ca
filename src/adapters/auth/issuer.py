"""The server's own token issuer: EdDSA (Ed25519) JWTs signed with the key from
``AUTH_SIGNING_KEY_FILE``, ``iss`` and ``aud`` = ``PUBLIC_URL``."""

from __future__ import annotations

from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from adapters.auth.claims import MAX_USER_ID_LENGTH
from adapters.auth.keys import jwk_thumbprint, public_jwk
from application.ports import Clock


@dataclass(frozen=True, slots=True)
class OwnKey:
    """What the verifier needs to accept the built-in issuer's tokens."""

    kid: str
    public_key: Ed25519PublicKey
    issuer: str
    audience: str


class Ed25519TokenIssuer:
    """Signs tokens for a user id with the server's Ed25519 key (``TokenIssuer`` port).

    Tokens carry ``kid`` (the RFC 7638 thumbprint of the public key) in the header and
    ``iss``, ``aud``, ``sub``, ``iat``, ``nbf`` and ``exp`` in the payload.
    """

    def __init__(self, private_key: Ed25519PrivateKey, *, issuer: str, audience: str, clock: Clock) -> None:
        self._private_key = private_key
        self._public_key = private_key.public_key()
        self._kid = jwk_thumbprint(self._public_key)
        self._issuer = issuer
        self._audience = audience
        self._clock = clock

    @property
    def kid(self) -> str:
        """The key id written into every token's header."""
        return self._kid

    def verification_key(self) -> OwnKey:
        """The public side of this issuer, for ``JwtTokenVerifier(own_key=...)``."""
        return OwnKey(self._kid, self._public_key, self._issuer, self._audience)

    def issue(self, user_id: str, ttl_seconds: int) -> str:
        """A token for ``user_id`` valid from now for ``ttl_seconds`` seconds."""
        if not user_id or len(user_id) > MAX_USER_ID_LENGTH:
            raise ValueError(f"user id must be 1 to {MAX_USER_ID_LENGTH} characters")
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        now = int(self._clock.now().timestamp())
        payload = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": user_id,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_seconds,
        }
        return jwt.encode(payload, self._private_key, algorithm="EdDSA", headers={"kid": self._kid, "typ": "JWT"})

    def public_jwks(self) -> dict[str, object]:
        """``{"keys": [the public JWK]}``, served at ``GET /api/auth/jwks``."""
        return {"keys": [public_jwk(self._public_key)]}

"""Bearer token verification for every configured source at once (``TokenVerifier`` port).

The header's ``alg`` picks the source; nothing else is trusted before the signature:

- ``EdDSA`` without ``kid`` or with the built-in key's ``kid``: the server's own issuer,
  ``iss`` and ``aud`` = ``PUBLIC_URL``.
- ``EdDSA`` with another ``kid``: Better Auth (only when ``BETTER_AUTH_URL`` is set), key
  from ``{BETTER_AUTH_URL}/api/auth/jwks``; ``iss`` and ``aud`` must be
  ``BETTER_AUTH_ISSUER`` / ``BETTER_AUTH_AUDIENCE`` when set, else ``BETTER_AUTH_URL``.
- ``HS256`` (only when ``BETTER_AUTH_SECRET`` is set), for the Phase II backends, which
  sign with just ``sub`` (or ``user_id``) and ``exp``. Chosen rule: ``iss`` and ``aud``
  are not required and not checked, *unless* ``BETTER_AUTH_ISSUER`` /
  ``BETTER_AUTH_AUDIENCE`` are set: then the token must carry exactly that value.
  ``BETTER_AUTH_URL`` alone does not constrain HS256 tokens.
- Any other ``alg`` (``none``, ``RS256``, ``HS512``, ...) is refused. Each source's key
  is passed with that one algorithm only, so a token claiming ``HS256`` is checked
  against the shared secret alone: one MAC'd with the public key fails (no algorithm
  confusion).

Every token needs ``exp`` (no leeway); ``nbf`` / ``iat`` may be up to 30 s ahead (clock
skew). The user is ``sub``, else ``user_id``: a non-empty string of at most 255
characters. Verified tokens are cached (bounded LRU, keyed by the exact string) until
their ``exp``. Verification runs on the event loop: Ed25519 costs ~170 us, HS256 ~75 us.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from adapters.auth.cache import VerifiedTokenCache
from adapters.auth.claims import ClaimRules, check_claims
from adapters.auth.issuer import OwnKey
from adapters.auth.jwks import RemoteJwks
from adapters.auth.keys import b64url_decode
from application.errors import InvalidToken
from application.ports import Clock, Principal

MAX_TOKEN_LENGTH = 8192
BETTER_AUTH_JWKS_PATH = "/api/auth/jwks"

# Signature only: the claims are checked by ``check_claims`` against the injected clock.
_SIGNATURE_ONLY = jwt.PyJWT(
    options={
        "verify_exp": False,
        "verify_nbf": False,
        "verify_iat": False,
        "verify_aud": False,
        "verify_iss": False,
        "verify_sub": False,
        "verify_jti": False,
    }
)

_Key = Ed25519PublicKey | bytes


class JwtTokenVerifier:
    """Verifies bearer JWTs of the built-in issuer, Better Auth (EdDSA via JWKS) and
    HS256 with a shared secret, yielding the ``Principal`` they name.

    Raises ``InvalidToken`` (a short reason, never the token) for anything not accepted,
    ``AuthUnavailable`` when Better Auth's keys are needed but cannot be fetched.
    Call ``aclose()`` on shutdown.
    """

    def __init__(
        self,
        *,
        own_key: OwnKey,
        clock: Clock,
        hs256_secret: str | None = None,
        better_auth_url: str | None = None,
        better_auth_issuer: str | None = None,
        better_auth_audience: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        cache_size: int = 10_000,
        leeway_seconds: float = 30.0,
        jwks_timeout_seconds: float = 2.0,
        jwks_refetch_seconds: float = 60.0,
    ) -> None:
        self._own = own_key
        self._own_rules = ClaimRules.exact(own_key.issuer, own_key.audience)
        self._clock = clock
        self._leeway = leeway_seconds
        self._cache = VerifiedTokenCache(cache_size)
        self._secret = hs256_secret.encode() if hs256_secret else None
        self._hs_rules = ClaimRules.exact(better_auth_issuer, better_auth_audience)
        self._remote: RemoteJwks | None = None
        self._remote_rules = ClaimRules()
        if better_auth_url:
            self._remote = RemoteJwks(
                better_auth_url.rstrip("/") + BETTER_AUTH_JWKS_PATH,
                clock=clock,
                http_client=http_client,
                timeout_seconds=jwks_timeout_seconds,
                refetch_seconds=jwks_refetch_seconds,
            )
            self._remote_rules = ClaimRules.for_url(better_auth_url, better_auth_issuer, better_auth_audience)

    async def verify(self, token: str) -> Principal:
        """The caller the token names; ``InvalidToken`` / ``AuthUnavailable`` otherwise."""
        if not isinstance(token, str) or not token.strip():
            raise InvalidToken("missing token")
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("token too long")
        now = self._clock.now().timestamp()
        cached = self._cache.get(token, now)
        if cached is not None:
            return cached
        alg, key, rules = await self._select(_header(token))
        payload = _signed_payload(token, key, alg)
        user_id, exp = check_claims(payload, rules, now, self._leeway)
        principal = Principal(user_id)
        self._cache.put(token, principal, exp)
        return principal

    async def _select(self, header: dict[str, Any]) -> tuple[str, _Key, ClaimRules]:
        alg = header.get("alg")
        if alg == "HS256":
            if self._secret is None:
                raise InvalidToken("HS256 tokens are not accepted")
            return alg, self._secret, self._hs_rules
        if alg != "EdDSA":
            raise InvalidToken("algorithm not accepted")
        kid = header.get("kid")
        if kid is None or kid == self._own.kid:
            return alg, self._own.public_key, self._own_rules
        if self._remote is None:
            raise InvalidToken("unknown key id")
        return alg, await self._remote.key_for(kid), self._remote_rules

    async def aclose(self) -> None:
        """Release the JWKS HTTP client (if this verifier created it)."""
        if self._remote is not None:
            await self._remote.aclose()


def _header(token: str) -> dict[str, Any]:
    """The unverified JOSE header, decoded alone (PyJWT decodes it again with the rest)."""
    segment, dot, _ = token.partition(".")
    try:
        header = json.loads(b64url_decode(segment)) if dot else None
    except (ValueError, RecursionError):
        header = None
    if not isinstance(header, dict):
        raise InvalidToken("malformed token")
    if not isinstance(header.get("kid", ""), str):
        raise InvalidToken("malformed token")
    if "crit" in header:
        raise InvalidToken("critical header extensions are not accepted")
    return header


def _signed_payload(token: str, key: _Key, alg: str) -> dict[str, Any]:
    try:
        return _SIGNATURE_ONLY.decode(token, key, algorithms=[alg])
    except jwt.InvalidSignatureError:
        raise InvalidToken("signature does not match") from None
    except jwt.PyJWTError:
        raise InvalidToken("malformed token") from None

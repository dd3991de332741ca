"""Better Auth's public keys, fetched from its JWKS URL on first need and cached.

Only Ed25519 (``kty`` OKP, ``crv`` Ed25519) signing keys with a ``kid`` are kept; an
entry without ``alg`` is accepted (Better Auth publishes none). A ``kid`` not in the cache
triggers a refetch (the first one at once: a key was rotated), then at most one refetch
per ``refetch_seconds``; after a failed fetch the next try waits ``retry_seconds``.
Concurrent callers share one fetch.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from adapters.auth.keys import b64url_decode
from application.errors import AuthUnavailable, InvalidToken
from application.ports import Clock

logger = logging.getLogger(__name__)

MAX_JWKS_BYTES = 64 * 1024
_ACCEPTED_ALGS = {None, "EdDSA", "Ed25519"}


class JwksFetchError(Exception):
    """The JWKS could not be fetched or read."""


def _ed25519_key(entry: Any) -> tuple[str, Ed25519PublicKey] | None:
    if not isinstance(entry, dict) or entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
        return None
    kid, x = entry.get("kid"), entry.get("x")
    if not isinstance(kid, str) or not kid or not isinstance(x, str):
        return None
    if entry.get("use", "sig") != "sig" or entry.get("alg") not in _ACCEPTED_ALGS:
        return None
    try:
        return kid, Ed25519PublicKey.from_public_bytes(b64url_decode(x))
    except ValueError:
        return None


def parse_jwks(document: Any) -> dict[str, Ed25519PublicKey]:
    """The usable Ed25519 keys of a JWKS document by ``kid``; ``JwksFetchError`` if malformed."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise JwksFetchError("not a JWKS document")
    found = (_ed25519_key(entry) for entry in document["keys"])
    return dict(item for item in found if item is not None)


class RemoteJwks:
    """The keys published at a JWKS URL, by ``kid``, refetched (rate-limited) on rotation.

    Uses ``http_client`` when given (the caller closes it), else its own
    ``httpx.AsyncClient``, closed by ``aclose()``.
    """

    def __init__(
        self,
        url: str,
        *,
        clock: Clock,
        http_client: httpx.AsyncClient | None = None,
        timeout_seconds: float = 2.0,
        refetch_seconds: float = 60.0,
        retry_seconds: float = 5.0,
    ) -> None:
        self._url = url
        self._clock = clock
        self._owns_client = http_client is None
        self._client = http_client or httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False)
        self._timeout = timeout_seconds
        self._refetch = refetch_seconds
        self._retry = retry_seconds
        self._keys: dict[str, Ed25519PublicKey] | None = None
        self._last_attempt: float | None = None
        self._last_refetch: float | None = None
        self._last_failed = False
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str) -> Ed25519PublicKey:
        """The key with this id; ``InvalidToken`` when the (refreshed) set lacks it,
        ``AuthUnavailable`` when the set cannot be fetched and the key is not cached."""
        key = self._keys.get(kid) if self._keys is not None else None
        if key is not None:
            return key
        async with self._lock:
            if self._keys is None or kid not in self._keys:
                await self._maybe_refresh()
        if self._keys is not None and kid in self._keys:
            return self._keys[kid]
        if self._last_failed:
            raise AuthUnavailable("the Better Auth JWKS cannot be fetched", retry_after=int(self._retry))
        raise InvalidToken("unknown key id")

    def _may_fetch(self, now: float) -> bool:
        if self._last_attempt is None:
            return True
        if self._last_failed:
            return now - self._last_attempt >= self._retry
        return self._last_refetch is None or now - self._last_refetch >= self._refetch

    async def _maybe_refresh(self) -> None:
        now = self._clock.now().timestamp()
        if not self._may_fetch(now):
            return
        self._last_attempt = now
        if self._keys is not None:
            self._last_refetch = now
        try:
            keys = await self._fetch()
        except JwksFetchError as exc:
            self._last_failed = True
            logger.warning("JWKS fetch from %s failed: %s", self._url, exc)
            return
        self._keys, self._last_failed = keys, False
        logger.info("JWKS fetched from %s: %d Ed25519 key(s)", self._url, len(keys))

    async def _fetch(self) -> dict[str, Ed25519PublicKey]:
        try:
            async with asyncio.timeout(self._timeout):
                body = await self._get_body()
        except (httpx.HTTPError, TimeoutError) as exc:
            raise JwksFetchError(type(exc).__name__) from exc
        try:
            document = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise JwksFetchError("response is not JSON") from exc
        return parse_jwks(document)

    async def _get_body(self) -> bytes:
        async with self._client.stream("GET", self._url, headers={"Accept": "application/json"}) as response:
            if response.status_code != httpx.codes.OK:
                raise JwksFetchError(f"HTTP {response.status_code}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_JWKS_BYTES:
                    raise JwksFetchError("response too large")
            return bytes(body)

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_client:
            await self._client.aclose()

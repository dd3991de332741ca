"""Cross-origin requests from the pages of ``FRONTEND_URL``.

Litestar's CORS middleware answers an origin it does not allow with
``Access-Control-Allow-Credentials`` anyway and without ``Vary: Origin``, so a shared cache
could hand one origin's answer to another: this one gives an allowed origin the credentials
headers and every other origin nothing but ``Vary: Origin``.
"""

from __future__ import annotations

from typing import Any

from entrypoints.asgi_headers import header
from entrypoints.http.security_headers import Header
from entrypoints.origins import OriginRules

VARY_ORIGIN: Header = (b"vary", b"Origin")
_METHODS = b"GET, HEAD, POST, PUT, PATCH, DELETE"
_EXPOSED = (
    b"X-Request-ID, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, "
    b"set-auth-jwt, Mcp-Session-Id"
)
_MAX_AGE = b"600"
_EXPOSE: Header = (b"access-control-expose-headers", _EXPOSED)


class CorsPolicy:
    """Which origins may read answers and send credentials (``FRONTEND_URL``)."""

    def __init__(self, origins: OriginRules) -> None:
        self._origins = origins

    def _grants(self, origin: str) -> list[Header]:
        if self._origins.any:  # "*": readable by any page, never with credentials
            return [(b"access-control-allow-origin", b"*")]
        if not self._origins.allows(origin):
            return []
        return [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-credentials", b"true"),
        ]

    def response_headers(self, origin: str | None) -> list[Header]:
        """What an answer to a request from ``origin`` carries."""
        grants = self._grants(origin) if origin is not None else []
        return [VARY_ORIGIN, *grants, _EXPOSE] if grants else [VARY_ORIGIN]

    @staticmethod
    def is_preflight(scope: Any) -> bool:
        return scope["method"] == "OPTIONS" and header(scope, b"access-control-request-method") is not None

    def preflight_headers(self, scope: Any) -> tuple[int, list[Header]]:
        """The status and headers of the answer to a preflight (``OPTIONS``) request."""
        origin = header(scope, b"origin") or ""
        grants = self._grants(origin)
        if not grants:
            return 403, [VARY_ORIGIN]
        requested = header(scope, b"access-control-request-headers")
        allowed = [(b"access-control-allow-methods", _METHODS), (b"access-control-max-age", _MAX_AGE)]
        if requested:
            allowed.append((b"access-control-allow-headers", requested.encode("latin-1")))
        return 204, [VARY_ORIGIN, *grants, *allowed]


__all__ = ["VARY_ORIGIN", "CorsPolicy"]

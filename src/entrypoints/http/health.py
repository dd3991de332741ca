"""Liveness, readiness and database health (no auth), and the built-in issuer's JWKS."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, Response, get
from litestar.datastructures import State

from application.errors import StorageUnavailable
from application.ports import HealthProbe, TokenIssuer
from entrypoints.http.deps import resolve

DB_CHECK_SECONDS = 2.0


async def _database_problem(state: State) -> str | None:
    """None when the database answered within the deadline, else a short reason."""
    probe = await resolve(state, HealthProbe)  # type: ignore[type-abstract]
    try:
        async with asyncio.timeout(DB_CHECK_SECONDS):
            await probe.ping()
    except TimeoutError:
        return "timeout"
    except StorageUnavailable:
        return "unreachable"
    return None


class HealthController(Controller):
    path = "/"
    tags = ["operations"]  # noqa: RUF012
    include_in_schema = True

    @get("/health", cache=False)
    async def health(self) -> dict[str, str]:
        """The process is up (checks nothing else)."""
        return {"status": "healthy"}

    @get("/health/db", cache=False)
    async def health_db(self, state: State) -> Response[dict[str, str]]:
        """Whether the database answers, within 2 seconds."""
        reason = await _database_problem(state)
        if reason is None:
            return Response({"status": "healthy", "database": "ok"})
        return Response({"status": "unhealthy", "database": reason}, status_code=503, headers={"Retry-After": "5"})

    @get("/ready", cache=False)
    async def ready(self, state: State) -> Response[dict[str, Any]]:
        """Ready to serve: the database answers and its schema is at the latest migration."""
        reason = await _database_problem(state)
        if reason is None:
            probe = await resolve(state, HealthProbe)  # type: ignore[type-abstract]
            try:
                async with asyncio.timeout(DB_CHECK_SECONDS):
                    current = await probe.schema_is_current()
            except (TimeoutError, StorageUnavailable):
                current, reason = False, "unreachable"
            if not current and reason is None:
                reason = "schema is not at the latest migration"
        if reason is None:
            return Response({"status": "ready"})
        return Response({"status": "not ready", "reason": reason}, status_code=503, headers={"Retry-After": "5"})

    @get("/api/auth/jwks", cache=False)
    async def jwks(self, state: State) -> dict[str, object]:
        """The built-in issuer's public keys (JWKS)."""
        issuer = await resolve(state, TokenIssuer)  # type: ignore[type-abstract]
        return issuer.public_jwks()

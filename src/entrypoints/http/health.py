"""Liveness, readiness and database health (no auth), and the built-in issuer's JWKS."""

from __future__ import annotations

import asyncio

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec

from application.errors import StorageUnavailable
from application.ports import HealthProbe, TokenIssuer
from entrypoints.http.deps import resolve
from entrypoints.http.openapi import documented

DB_CHECK_SECONDS = 2.0
PUBLIC = documented(public=True)


class Liveness(msgspec.Struct, kw_only=True):
    status: str


class DatabaseHealth(msgspec.Struct, kw_only=True):
    """``healthy`` / ``ok``, or ``unhealthy`` with the reason (``timeout``, ``unreachable``)."""

    status: str
    database: str


class Readiness(msgspec.Struct, kw_only=True, omit_defaults=True):
    """``ready``, or ``not ready`` with the reason."""

    status: str
    reason: str | None = None


def _down(kind: type) -> dict[int, ResponseSpec]:
    return {503: ResponseSpec(data_container=kind, description="Not ready; `Retry-After` says when to look again.")}


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

    @get("/health", cache=False, opt=PUBLIC)
    async def health(self) -> Liveness:
        """The process is up (checks nothing else)."""
        return Liveness(status="healthy")

    @get("/health/db", cache=False, opt=PUBLIC, responses=_down(DatabaseHealth))
    async def health_db(self, state: State) -> Response[DatabaseHealth]:
        """Whether the database answers, within 2 seconds."""
        reason = await _database_problem(state)
        if reason is None:
            return Response(DatabaseHealth(status="healthy", database="ok"))
        down = DatabaseHealth(status="unhealthy", database=reason)
        return Response(down, status_code=503, headers={"Retry-After": "5"})

    @get("/ready", cache=False, opt=PUBLIC, responses=_down(Readiness))
    async def ready(self, state: State) -> Response[Readiness]:
        """Ready to serve: the database answers and its schema is at the latest migration."""
        reason = await _database_problem(state)
        if reason is None:
            probe = await resolve(state, HealthProbe)  # type: ignore[type-abstract]
            try:
                async with asyncio.timeout(DB_CHECK_SECONDS):
                    current = await probe.schema_is_ready()
            except (TimeoutError, StorageUnavailable):
                current, reason = False, "unreachable"
            if not current and reason is None:
                reason = "schema is not at the latest migration"
        if reason is None:
            return Response(Readiness(status="ready"))
        return Response(Readiness(status="not ready", reason=reason), status_code=503, headers={"Retry-After": "5"})

    @get("/api/auth/jwks", cache=False, opt=PUBLIC)
    async def jwks(self, state: State) -> dict[str, object]:
        """The built-in issuer's public keys (JWKS)."""
        issuer = await resolve(state, TokenIssuer)  # type: ignore[type-abstract]
        return issuer.public_jwks()

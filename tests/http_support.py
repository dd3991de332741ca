"""In-process app with in-memory adapters, and token helpers, for HTTP tests."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import jwt
from dishka import Provider, Scope, provide

from application.ports import Clock, HealthProbe, UnitOfWork
from entrypoints.config import Settings
from tests.fakes import InMemoryHealthProbe, InMemoryUnitOfWork

PUBLIC_URL = "http://testserver.local"


class InMemoryProvider(Provider):
    """Replaces the database with dicts; everything else stays real."""

    scope = Scope.APP

    def __init__(self, uow: InMemoryUnitOfWork, probe: InMemoryHealthProbe, clock: Clock | None = None) -> None:
        super().__init__()
        self._uow, self._probe, self._clock = uow, probe, clock
        if clock is not None:
            self.provide(lambda: clock, provides=Clock)

    @provide
    def unit_of_work(self) -> UnitOfWork:
        return self._uow

    @provide
    def health(self) -> HealthProbe:
        return self._probe


def make_settings(tmp: Path, **overrides: Any) -> Settings:
    base = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp / 'unused.db'}",
        public_url=PUBLIC_URL,
        signing_key_file=tmp / "signing-key.pem",
        allowed_hosts=("testserver.local", "localhost", "127.0.0.1"),
        rate_limit_per_ip=0,  # test servers run with the limits off, but the tests of the limits
    )
    return replace(base, **overrides)


def hs256_token(secret: str, sub: str, ttl: int = 300, **claims: Any) -> str:
    payload = {"sub": sub, "exp": int(time.time()) + ttl, **claims}
    return jwt.encode(payload, secret, algorithm="HS256")

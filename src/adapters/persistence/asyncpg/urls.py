"""Database URLs as operators write them, turned into what the drivers take.

Managed PostgreSQL services (Neon, Supabase, RDS...) hand out libpq URLs:
``postgresql://user:pw@host/db?sslmode=require`` or ``sslmode=verify-full&sslrootcert=ca.pem``.
asyncpg does not read libpq's TLS parameters from every path (SQLAlchemy forwards query
items as keyword arguments, asyncpg's DSN parser takes unknown ones for server settings), so
they are taken out of the URL once here and become one ``ssl`` argument, for the migration
engine and the request pool alike.
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy.engine import URL, make_url

from application.errors import UnsupportedDatabaseUrl

_TLS_PARAMETERS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword", "channel_binding")
_CLIENT_ONLY = ("connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count")
"""libpq client options asyncpg would send to the server as settings (it has its own)."""
_NO_TLS_MODES = {"disable", "allow", "prefer"}  # asyncpg's own default (prefer) stands
_TLS_MODES = {"require", "verify-ca", "verify-full"}


def async_database_url(url: str) -> str:
    """``postgresql://`` / ``postgres://`` spelled with the async driver (``postgresql+asyncpg://``)."""
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            return "postgresql+asyncpg://" + url[len(plain) :]
    return url


@dataclass(frozen=True, slots=True)
class Target:
    """Where to connect: a SQLAlchemy URL without libpq's TLS parameters, and the ``ssl``
    connect argument they stand for (absent: the driver's default)."""

    url: URL
    connect_args: dict[str, Any] = field(default_factory=dict)

    @property
    def asyncpg_dsn(self) -> str:
        """The same server as a ``postgresql://`` DSN for asyncpg (which reads the rest of
        the query itself: ``application_name``, ``target_session_attrs``, ...)."""
        return self.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def asyncpg_connector(self, timeout: float) -> Callable[[], Awaitable[Any]]:
        """What SQLAlchemy calls for a new connection (``async_creator``): asyncpg's own
        connect with the DSN, so the migration engine connects exactly as the pool does."""
        dsn, options = self.asyncpg_dsn, {**self.connect_args, "timeout": timeout}

        async def connect() -> Any:
            return await asyncpg.connect(dsn, **options)

        return connect


def database_target(raw: str) -> Target:
    """The connection target of any accepted spelling of a PostgreSQL URL."""
    url = make_url(async_database_url(raw.strip()))
    query = dict(url.query)
    tls = {name: str(query.pop(name)) for name in _TLS_PARAMETERS if name in query}
    for name in _CLIENT_ONLY:
        query.pop(name, None)
    if tls.get("channel_binding") == "require":
        raise UnsupportedDatabaseUrl(
            "DATABASE_URL asks for channel_binding=require, which asyncpg cannot do; remove it "
            "(sslmode=verify-full still authenticates the server)"
        )
    context = _ssl_context(tls)
    connect_args: dict[str, Any] = {} if context is None else {"ssl": context}
    return Target(url.set(query=query), connect_args)


def _ssl_context(tls: dict[str, str]) -> ssl.SSLContext | None:
    mode = tls.get("sslmode", "verify-ca" if "sslrootcert" in tls else "prefer")
    if mode in _NO_TLS_MODES:
        return None
    if mode not in _TLS_MODES:
        choices = "disable, prefer, require, verify-ca or verify-full"
        raise UnsupportedDatabaseUrl(f"DATABASE_URL has sslmode={mode}; use {choices}")
    root = tls.get("sslrootcert")
    try:
        context = ssl.create_default_context(cafile=root if root and root != "system" else None)
        if "sslcert" in tls:
            context.load_cert_chain(tls["sslcert"], tls.get("sslkey"), tls.get("sslpassword"))
    except (OSError, ssl.SSLError) as exc:
        raise UnsupportedDatabaseUrl(f"DATABASE_URL's TLS files cannot be read: {exc.strerror or exc}") from None
    # libpq: "require" encrypts without checking the certificate (unless a root is given,
    # then it acts as verify-ca); "verify-ca" checks the chain; "verify-full" also the name.
    context.check_hostname = mode == "verify-full"
    if mode == "require" and root is None:
        context.verify_mode = ssl.CERT_NONE
    return context


__all__ = ["Target", "UnsupportedDatabaseUrl", "async_database_url", "database_target"]

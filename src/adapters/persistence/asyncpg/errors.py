"""asyncpg's errors (and SQLAlchemy's, which runs the migrations) as the core's error types."""

from __future__ import annotations

import asyncpg
from sqlalchemy import exc as sa_exc

from adapters.persistence.errors import ErrorTable

ERRORS = ErrorTable(
    unavailable=(
        OSError,  # includes ConnectionRefusedError
        TimeoutError,
        sa_exc.OperationalError,
        sa_exc.InterfaceError,
        asyncpg.PostgresConnectionError,
        asyncpg.InterfaceError,
        asyncpg.CannotConnectNowError,
        asyncpg.TooManyConnectionsError,
        asyncpg.AdminShutdownError,
        asyncpg.InternalClientError,  # e.g. a connection whose server went away mid-protocol
    ),
    conflict=(sa_exc.IntegrityError, asyncpg.IntegrityConstraintViolationError),
    driver_errors=(sa_exc.SQLAlchemyError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError),
)
translate = ERRORS.translate
is_database_failure = ERRORS.is_database_failure
translated_errors = ERRORS.translated_errors

__all__ = ["ERRORS", "is_database_failure", "translate", "translated_errors"]

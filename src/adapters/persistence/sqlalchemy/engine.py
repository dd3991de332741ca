"""SQLAlchemy's errors as the core's error types, for every database it runs on."""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc as sa_exc

from adapters.persistence.errors import ErrorTable

CONNECT_TIMEOUT_SECONDS = 2.0

ERRORS = ErrorTable(
    unavailable=(
        OSError,  # includes ConnectionRefusedError
        TimeoutError,
        sa_exc.TimeoutError,  # waiting for a pooled connection
        sa_exc.OperationalError,
        sa_exc.InterfaceError,
    ),
    conflict=(sa_exc.IntegrityError,),
    driver_errors=(sa_exc.SQLAlchemyError, sqlite3.Error),
)
translate = ERRORS.translate
is_database_failure = ERRORS.is_database_failure
translated_errors = ERRORS.translated_errors


__all__ = ["CONNECT_TIMEOUT_SECONDS", "ERRORS", "is_database_failure", "translate", "translated_errors"]

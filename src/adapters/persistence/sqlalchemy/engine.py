"""SQLAlchemy's errors as the core's error types, for every database it runs on."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc

from application.errors import Conflict, StorageUnavailable

CONNECT_TIMEOUT_SECONDS = 2.0

_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # includes ConnectionRefusedError
    TimeoutError,
    sa_exc.TimeoutError,  # waiting for a pooled connection
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
)
_CONFLICT: tuple[type[BaseException], ...] = (sa_exc.IntegrityError,)
_DRIVER_ERRORS: tuple[type[BaseException], ...] = (sa_exc.SQLAlchemyError, sqlite3.Error)


def translate(exc: BaseException) -> BaseException | None:
    """The core error a library error stands for, or None when it is not ours to translate."""
    if isinstance(exc, _CONFLICT):
        return Conflict("the change clashes with data stored concurrently")
    if isinstance(exc, _UNAVAILABLE) or (isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated):
        return StorageUnavailable("database unavailable")
    return None


def is_database_failure(exc: BaseException) -> bool:
    """Whether ``exc`` is the database failing (what ``todo_db_errors_total`` counts): it is
    unreachable, or a library error that is not a conflict between concurrent writes."""
    if isinstance(exc, StorageUnavailable):
        return True
    return isinstance(exc, _DRIVER_ERRORS) and not isinstance(translate(exc), Conflict)


@contextmanager
def translated_errors() -> Iterator[None]:
    """Re-raise library errors as ``Conflict`` or ``StorageUnavailable``."""
    try:
        yield
    except Exception as exc:
        core = translate(exc)
        if core is None:
            raise
        raise core from exc


__all__ = ["CONNECT_TIMEOUT_SECONDS", "is_database_failure", "translate", "translated_errors"]

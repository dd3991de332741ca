"""Database library errors as the core's error types: one table per storage technology."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import exc as sa_exc

from application.errors import Conflict, StorageUnavailable

ErrorTypes = tuple[type[BaseException], ...]


@dataclass(frozen=True, slots=True)
class ErrorTable:
    """Which library errors mean the database is unavailable, which a clash between
    concurrent writes, and which come from the database at all (what is counted as its
    failure). SQLAlchemy's invalidated connections are unavailability for every table."""

    unavailable: ErrorTypes
    conflict: ErrorTypes
    driver_errors: ErrorTypes

    def translate(self, exc: BaseException) -> BaseException | None:
        """The core error a library error stands for, or None when it is not ours to translate."""
        if isinstance(exc, self.conflict):
            return Conflict("the change clashes with data stored concurrently")
        if isinstance(exc, self.unavailable) or (isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated):
            return StorageUnavailable("database unavailable")
        return None

    def is_database_failure(self, exc: BaseException) -> bool:
        """Whether ``exc`` is the database failing (what ``todo_db_errors_total`` counts): it is
        unreachable, or a library error that is not a conflict between concurrent writes."""
        if isinstance(exc, StorageUnavailable):
            return True
        return isinstance(exc, self.driver_errors) and not isinstance(self.translate(exc), Conflict)

    @contextmanager
    def translated_errors(self) -> Iterator[None]:
        """Re-raise library errors as ``Conflict`` or ``StorageUnavailable``."""
        try:
            yield
        except Exception as exc:
            core = self.translate(exc)
            if core is None:
                raise
            raise core from exc

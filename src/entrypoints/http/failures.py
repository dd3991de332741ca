"""One log line per request answered with a 5xx: the request id, the exception's type and
its stack frames (with the exceptions it chains), for an APM or a log store to ingest.

The message of a database driver's exception is never logged: a unique violation's detail
holds the key's value (an e-mail, a title). Its type and frames say where it happened.
"""

from __future__ import annotations

import logging
import traceback

log = logging.getLogger("todo_chatbot.http")

_DRIVER_MODULES = ("asyncpg", "sqlalchemy", "aiosqlite", "sqlite3", "psycopg", "advanced_alchemy")
_MAX_CHAIN = 8


def _is_driver_error(exc: BaseException) -> bool:
    return type(exc).__module__.split(".", 1)[0] in _DRIVER_MODULES


def _headline(exc: BaseException) -> str:
    kind = type(exc)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    if _is_driver_error(exc):
        return f"{name} (database driver message withheld)"
    message = str(exc)
    return f"{name}: {message}" if message else name


def describe(exc: BaseException) -> str:
    """The traceback of ``exc`` and of the exceptions it was raised from (innermost cause
    first, as Python prints them), with database drivers' messages left out."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain) and len(chain) < _MAX_CHAIN:
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    parts = []
    for item in reversed(chain):
        frames = "".join(traceback.format_tb(item.__traceback__))
        parts.append(f"Traceback (most recent call last):\n{frames}{_headline(item)}\n")
    return "\nThe above exception led to the following:\n\n".join(parts)


def log_failure(exc: BaseException, request_id: object, status: int = 500) -> None:
    """Log a request that failed with ``status`` because of ``exc``: ERROR for a 500 (a bug),
    WARNING for a 503 (a dependency down)."""
    level = logging.ERROR if status == 500 else logging.WARNING
    fields = {"request_id": request_id, "status": status, "error": type(exc).__name__, "traceback": describe(exc)}
    log.log(level, "request failed", extra=fields)


__all__ = ["describe", "log_failure"]

"""What the SQLAlchemy repositories do differently from one SQL database to another.

The repositories use portable SQLAlchemy Core for everything else; a backend for another SQL
database subclasses ``SqlDialect`` (see examples/mariadb: ``INSERT ... ON DUPLICATE KEY``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.schema.models import users

COUNTERS = ("last_task_number", "last_conversation_number")
"""The per-owner counters of ``users`` that number tasks and conversations."""


class SqlDialect:
    """The statements that differ between SQL databases. Each method runs inside the caller's
    transaction on ``connection``; library errors are translated by the caller."""

    locks_rows: bool = True
    """Whether ``SELECT ... FOR UPDATE`` exists. Without it the database must serialise
    writing transactions some other way (SQLite: ``BEGIN IMMEDIATE``)."""

    async def next_number(self, connection: AsyncConnection, owner_id: str, counter: str, now: datetime) -> int:
        """Create the owner's ``users`` row with ``counter`` at 1, or add one to ``counter``,
        and return the new value. Two transactions of one owner must never get the same
        value: the second waits for the first (a row lock) or fails with a conflict."""
        raise NotImplementedError

    async def add_owner(self, connection: AsyncConnection, owner_id: str, now: datetime) -> None:
        """Create the owner's ``users`` row (counters at 0) unless it exists."""
        raise NotImplementedError


class OnConflictDialect(SqlDialect):
    """``INSERT ... ON CONFLICT ... RETURNING`` (SQLite 3.35+, PostgreSQL): one statement each."""

    def __init__(self, insert: Callable[..., Any], *, locks_rows: bool) -> None:
        self.locks_rows = locks_rows
        self._allocate = {counter: _allocate(insert, counter) for counter in COUNTERS}
        owner = insert(users).values(
            id=bindparam("owner_id"), last_task_number=0, last_conversation_number=0, created_at=bindparam("now")
        )
        self._add_owner = owner.on_conflict_do_nothing(index_elements=[users.c.id])

    async def next_number(self, connection: AsyncConnection, owner_id: str, counter: str, now: datetime) -> int:
        result = await connection.execute(self._allocate[counter], {"owner_id": owner_id, "now": now})
        return int(result.scalar_one())

    async def add_owner(self, connection: AsyncConnection, owner_id: str, now: datetime) -> None:
        await connection.execute(self._add_owner, {"owner_id": owner_id, "now": now})


def _allocate(insert: Callable[..., Any], counter: str) -> Any:
    column = users.c[counter]
    stmt = insert(users).values(id=bindparam("owner_id"), created_at=bindparam("now"), **{counter: 1})
    return stmt.on_conflict_do_update(index_elements=[users.c.id], set_={counter: column + 1}).returning(column)


COUNTER_OF = {counter: select(users.c[counter]).where(users.c.id == bindparam("owner_id")) for counter in COUNTERS}
"""``SELECT counter FROM users WHERE id = :owner_id``, for dialects that bump the counter in
one statement and read it back in a second (no ``RETURNING`` on an upsert)."""

SQLITE = OnConflictDialect(sqlite.insert, locks_rows=False)
"""SQLite: writers queue at ``BEGIN IMMEDIATE``, so there is no row lock to take."""

__all__ = ["COUNTERS", "COUNTER_OF", "SQLITE", "OnConflictDialect", "SqlDialect"]

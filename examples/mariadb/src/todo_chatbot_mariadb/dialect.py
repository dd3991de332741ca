"""What MariaDB does differently from the SQL the shared repositories write: no
``INSERT ... ON CONFLICT`` and no ``UPDATE ... RETURNING``, so a number is allocated with
``INSERT ... ON DUPLICATE KEY UPDATE`` (which takes the owner's row lock) and read back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy.dialects import mysql
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.schema.models import users
from adapters.persistence.sqlalchemy.dialect import COUNTER_OF, COUNTERS, SqlDialect


def _bump(counter: str) -> mysql.Insert:
    insert = mysql.insert(users).values(id=bindparam("owner_id"), created_at=bindparam("now"), **{counter: 1})
    return insert.on_duplicate_key_update({counter: users.c[counter] + 1})


_BUMP = {counter: _bump(counter) for counter in COUNTERS}
_ADD_OWNER = (
    mysql.insert(users)
    .values(id=bindparam("owner_id"), last_task_number=0, last_conversation_number=0, created_at=bindparam("now"))
    .on_duplicate_key_update(id=users.c.id)
)


class MariaDbDialect(SqlDialect):
    """InnoDB row locks (``SELECT ... FOR UPDATE``), upserts with ``ON DUPLICATE KEY``."""

    locks_rows = True

    async def next_number(self, connection: AsyncConnection, owner_id: str, counter: str, now: datetime) -> int:
        # The upsert holds the owner's row lock until the transaction ends, so the value read
        # back is this transaction's own: a concurrent one waits at its upsert.
        await connection.execute(_BUMP[counter], {"owner_id": owner_id, "now": now})
        result = await connection.execute(COUNTER_OF[counter], {"owner_id": owner_id})
        return int(result.scalar_one())

    async def add_owner(self, connection: AsyncConnection, owner_id: str, now: datetime) -> None:
        await connection.execute(_ADD_OWNER, {"owner_id": owner_id, "now": now})

"""Title order by the case-folded title: ``title_key`` becomes ``str.casefold`` of the title
(it was ``str.lower``; they differ for a few letters such as ß), so every backend sorts titles
the same way.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:40:00.000000

"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_tasks = sa.table(
    "tasks", sa.column("owner_id", sa.Text), sa.column("number", sa.Integer), sa.column("title", sa.Text),
    sa.column("title_key", sa.Text),
)  # fmt: skip
_BATCH = 1000


def _rekey(key: Callable[[str], str]) -> None:
    """Rewrite ``title_key`` where ``key(title)`` differs from it (titles are few and short: one
    pass in Python, written back in batches, changes only the rows that need it)."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(_tasks.c.owner_id, _tasks.c.number, _tasks.c.title, _tasks.c.title_key))
    changed = [
        {"o": owner, "n": number, "k": key(title)} for owner, number, title, stored in rows if key(title) != stored
    ]
    update = (
        _tasks.update()
        .where(_tasks.c.owner_id == sa.bindparam("o"), _tasks.c.number == sa.bindparam("n"))
        .values(title_key=sa.bindparam("k"))
    )
    for start in range(0, len(changed), _BATCH):
        connection.execute(update, changed[start : start + _BATCH])


def upgrade() -> None:
    _rekey(str.casefold)


def downgrade() -> None:
    _rekey(str.lower)

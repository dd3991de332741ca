"""Ports: what a page of tasks asks of storage (filters, order, keyset position) and which
numbers name a stored task or conversation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.tasks import Priority


class TaskStatus(StrEnum):
    ALL = "all"
    PENDING = "pending"
    COMPLETED = "completed"


class TaskSort(StrEnum):
    CREATED_AT = "created_at"
    DUE = "due"
    PRIORITY = "priority"
    TITLE = "title"


SortKey = int | str | None
"""The value a task sorts by (due epoch seconds, priority rank, case-folded title, or none
for creation order, where the task number alone orders)."""


@dataclass(frozen=True, slots=True)
class TaskQuery:
    """One page of a user's live tasks, filtered and ordered; everything precomputed.

    Due bounds are epoch seconds compared with a task's *effective due*: an instant's own
    epoch, or for an all-day date the end of that day shifted by ``zone_offset`` seconds
    (see ``application.due_keys``). ``after`` is the keyset position ``(sort key, number)``
    of the last task of the previous page.
    """

    owner_id: str
    limit: int
    status: TaskStatus = TaskStatus.ALL
    priority: Priority | None = None
    tag: str | None = None
    text: str | None = None
    due_before: int | None = None
    due_after: int | None = None
    zone_offset: int = 0
    sort: TaskSort = TaskSort.CREATED_AT
    descending: bool = False
    after: tuple[SortKey, int] | None = None


ID_MAX = 2**31 - 1
"""The largest task or conversation number a store keeps (a 32-bit signed integer column).
Numbers start at 1, so a number outside ``1..ID_MAX`` names nothing: not found, not an error."""


def storable_number(number: int) -> bool:
    """Whether ``number`` can name a stored task or conversation at all."""
    return 0 < number <= ID_MAX

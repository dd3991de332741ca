"""Effective due keys: how due dates compare and sort, as integers every store can index.

A task's *effective due* is epoch seconds: an instant's own, or for an all-day date the
last second of that day in the request's time zone. Stores keep ``utc_due_key`` (the
all-day date's end of day in UTC) and subtract the zone's offset for all-day rows, so one
indexable column serves every time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from domain.due import Due

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = date(1970, 1, 1).toordinal()
_DAY = 86_400
NO_DUE_KEY = 2**62
"""Sorts tasks without a due date after every dated one (ascending)."""


def utc_due_key(due: Due) -> int:
    """The stored key: an instant's epoch seconds; an all-day date's end of day in UTC."""
    if isinstance(due, datetime):
        return int((due - _EPOCH).total_seconds())
    # Day arithmetic, not datetimes: the end of 9999-12-31 is not a representable datetime.
    return (due.toordinal() - _EPOCH_DAY + 1) * _DAY - 1


def zone_offset(zone: tzinfo, now: datetime) -> int:
    """The zone's UTC offset in seconds at ``now`` (applied to all-day dates)."""
    offset = now.astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def effective_due_key(due: Due | None, offset: int) -> int:
    """The key a task sorts and filters by in a zone with ``offset``."""
    if due is None:
        return NO_DUE_KEY
    key = utc_due_key(due)
    return key if isinstance(due, datetime) else key - offset


def bound_key(bound: Due, offset: int) -> int:
    """A filter bound: a date counts as its end of day in the zone, like a task's due."""
    return effective_due_key(bound, offset)


def epoch_key(moment: datetime) -> int:
    return int((moment - _EPOCH).total_seconds())


__all__ = ["NO_DUE_KEY", "bound_key", "effective_due_key", "epoch_key", "utc_due_key", "zone_offset"]

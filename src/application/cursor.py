"""Opaque keyset cursors for task and conversation pages."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

import msgspec

from application.due_keys import NO_DUE_KEY
from application.ports import SortKey, TaskSort, storable_number
from domain.errors import ValidationError
from domain.tasks import TITLE_MAX

_MALFORMED = "malformed cursor; pass next_cursor from the previous page"
MESSAGE_ID_MAX = 2**63 - 1
_PRIORITY_RANKS = range(3)


class _TaskCursor(msgspec.Struct, array_like=True):
    sort: str
    descending: bool
    key: int | str | None
    number: int


def encode_task_cursor(sort: str, descending: bool, key: SortKey, number: int) -> str:
    raw = msgspec.json.encode(_TaskCursor(sort, descending, key, number))
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_task_cursor(cursor: str, sort: str, descending: bool, field: str = "cursor") -> tuple[SortKey, int]:
    """The keyset position; a cursor that is malformed or from another ordering is invalid."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = msgspec.json.decode(base64.urlsafe_b64decode(padded), type=_TaskCursor)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise ValidationError.single(field, _MALFORMED) from None
    if decoded.sort != sort or decoded.descending != descending:
        raise ValidationError.single(field, "this cursor belongs to another sort order")
    if not (storable_number(decoded.number) and _plausible_key(sort, decoded.key)):
        raise ValidationError.single(field, _MALFORMED)  # forged: no page could have ended there
    return decoded.key, decoded.number


def _plausible_key(sort: str, key: SortKey) -> bool:
    """Whether ``key`` is a value a task can sort by in ``sort`` (cursors are not signed, so
    a forged one is checked before it reaches a query)."""
    if sort == TaskSort.CREATED_AT:
        return key is None
    if sort == TaskSort.DUE:
        return type(key) is int and -NO_DUE_KEY <= key <= NO_DUE_KEY
    if sort == TaskSort.PRIORITY:
        return type(key) is int and key in _PRIORITY_RANKS
    # A case-folded title can be longer than the title (one letter folds to at most three).
    return type(key) is str and len(key) <= 3 * TITLE_MAX and "\x00" not in key


def encode_message_cursor(message_id: int) -> str:
    return _encode_parts(message_id)


def _encode_parts(*parts: int | str) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(list(parts))).rstrip(b"=").decode()


def _id_parts(cursor: str, field: str) -> list[int | str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return msgspec.json.decode(base64.urlsafe_b64decode(padded), type=list[int | str])
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise ValidationError.single(field, _MALFORMED) from None


def encode_conversation_cursor(updated_at: datetime, number: int) -> str:
    return _encode_parts(updated_at.isoformat(), number)


def decode_conversation_cursor(cursor: str, field: str = "cursor") -> tuple[datetime, int]:
    """The keyset position ``(updated_at, number)`` of the last conversation of a page."""
    parts = _id_parts(cursor, field)
    if len(parts) == 2 and isinstance(parts[0], str) and type(parts[1]) is int and storable_number(parts[1]):
        try:
            stamp = datetime.fromisoformat(parts[0])
        except ValueError:
            stamp = None
        if stamp is not None and stamp.tzinfo is not None:
            return stamp, parts[1]
    raise ValidationError.single(field, _MALFORMED)


def decode_message_cursor(cursor: str, field: str = "cursor") -> int:
    """The id of the last message of a page."""
    parts = _id_parts(cursor, field)
    if len(parts) == 1 and type(parts[0]) is int and 0 < parts[0] <= MESSAGE_ID_MAX:
        return parts[0]
    raise ValidationError.single(field, _MALFORMED)

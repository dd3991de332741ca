"""Opaque keyset cursors for task and conversation pages."""

from __future__ import annotations

import base64
import binascii

import msgspec

from application.ports import SortKey
from domain.errors import ValidationError


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
        raise ValidationError.single(field, "malformed cursor; pass next_cursor from the previous page") from None
    if decoded.sort != sort or decoded.descending != descending:
        raise ValidationError.single(field, "this cursor belongs to another sort order")
    return decoded.key, decoded.number


def encode_id_cursor(*parts: int | str) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(list(parts))).rstrip(b"=").decode()


def decode_id_cursor(cursor: str, field: str = "cursor") -> list[int | str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = msgspec.json.decode(base64.urlsafe_b64decode(padded), type=list[int | str])
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise ValidationError.single(field, "malformed cursor; pass next_cursor from the previous page") from None
    return parts

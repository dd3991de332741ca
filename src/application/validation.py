"""Turning raw input into commands, with errors that name the field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from domain.errors import ValidationError

T = TypeVar("T")

_AT_PATH = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<name>[^`]+)`")
_MISSING = re.compile(r"Object missing required field `(?P<name>[^`]+)`")


def _dotted(path: str) -> str:
    """``.tags[3]`` -> ``tags.3``."""
    return re.sub(r"\[(\d+)\]", r".\1", path).lstrip(".")


def validation_error_from(exc: msgspec.ValidationError, prefix: str = "") -> ValidationError:
    """A domain ValidationError naming the field msgspec complained about."""
    match = _AT_PATH.match(str(exc))
    message, path = (match.group("message"), match.group("path") or "") if match else (str(exc), "")
    field = _dotted(path)
    for pattern, text in ((_UNKNOWN, "unknown field"), (_MISSING, "required field is missing")):
        named = pattern.search(message)
        if named:
            field = f"{field}.{named.group('name')}" if field else named.group("name")
            message = text
    if prefix:
        field = f"{prefix}.{field}" if field else prefix
    return ValidationError.single(field or "body", message)


_NUL = "\x00"
_ESCAPED_NUL = b"\\u0000"


def _nul_path(value: Any) -> list[str] | None:
    """The path to the first string (or key) holding a NUL character, or None."""
    if isinstance(value, str):
        return [] if _NUL in value else None
    items = value.items() if isinstance(value, Mapping) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and _NUL in key:
            return [key]
        inner = _nul_path(item)
        if inner is not None:
            return [str(key), *inner]
    return None


def refuse_nul(data: Any, prefix: str = "") -> None:
    """Text with a NUL character can't be stored (PostgreSQL refuses it): a validation error
    naming the field, before anything is stored."""
    if type(data) is dict and all(type(v) is str and _NUL not in v for v in data.values()):
        return  # flat string parameters without a NUL (a query string): the common case, fast
    path = _nul_path(data)
    if path is not None:
        field = ".".join([prefix, *path] if prefix else path) or "body"
        raise ValidationError.single(field, "must not contain the NUL character (\\u0000)")


def decode_json(raw: bytes, into: type[T]) -> T:
    """Decode a JSON body; invalid JSON raises ``ValueError`` (the caller answers 400)."""
    try:
        if _ESCAPED_NUL in raw:  # the only way JSON text can carry a NUL character
            refuse_nul(msgspec.json.decode(raw))
        return msgspec.json.decode(raw, type=into)
    except msgspec.ValidationError as exc:
        raise validation_error_from(exc) from None
    except msgspec.DecodeError as exc:
        raise ValueError(f"body is not valid JSON: {exc}") from None


def convert(data: Mapping[str, Any], into: type[T], *, prefix: str = "", from_strings: bool = False) -> T:
    """Convert already-parsed input (tool arguments, query parameters) into a command."""
    refuse_nul(data, prefix)
    try:
        return msgspec.convert(data, into, strict=not from_strings)
    except msgspec.ValidationError as exc:
        raise validation_error_from(exc, prefix) from None

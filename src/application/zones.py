"""Time zones named by clients (``X-Timezone``, a chat's ``timezone``): the one parser."""

from __future__ import annotations

from datetime import UTC, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import ValidationError

ZONE_NAME_MAX = 64
"""Longer than any IANA name (the longest is about 30 characters)."""


@lru_cache(maxsize=512)
def _zone(name: str) -> tzinfo | None:
    if len(name) > ZONE_NAME_MAX or "\x00" in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a directory
        return None


def time_zone(name: str | None, field: str) -> tzinfo:
    """The IANA time zone ``name`` (UTC when absent or blank); anything else is a validation
    error on ``field``."""
    if name is None or not name.strip():
        return UTC
    zone = _zone(name.strip())
    if zone is None:
        raise ValidationError.single(field, "unknown time zone; use an IANA name such as Europe/Paris")
    return zone


__all__ = ["ZONE_NAME_MAX", "time_zone"]

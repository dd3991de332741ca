"""Checks of a verified token's payload against the clock and one source's expectations."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from application.errors import InvalidToken

MAX_USER_ID_LENGTH = 255


@dataclass(frozen=True, slots=True)
class ClaimRules:
    """The ``iss`` / ``aud`` values one token source must carry (``None``: not checked)."""

    issuers: frozenset[str] | None = None
    audiences: frozenset[str] | None = None

    @classmethod
    def exact(cls, issuer: str | None, audience: str | None) -> ClaimRules:
        """Require exactly these values when given."""
        return cls(_one(issuer), _one(audience))

    @classmethod
    def for_url(cls, url: str, issuer: str | None, audience: str | None) -> ClaimRules:
        """Overrides when given, else the base URL (with or without a trailing slash)."""
        base = url.rstrip("/")
        default = frozenset({base, base + "/"})
        return cls(_one(issuer) or default, _one(audience) or default)


def _one(value: str | None) -> frozenset[str] | None:
    return frozenset({value}) if value else None


def _number(payload: Mapping[str, Any], name: str) -> float | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidToken(f"'{name}' must be a number")
    return float(value)


def _check_times(payload: Mapping[str, Any], now: float, leeway: float) -> float:
    exp = _number(payload, "exp")
    if exp is None:
        raise InvalidToken("token has no expiry")
    if now >= exp:
        raise InvalidToken("token expired")
    nbf = _number(payload, "nbf")
    if nbf is not None and nbf > now + leeway:
        raise InvalidToken("token not yet valid")
    iat = _number(payload, "iat")
    if iat is not None and iat > now + leeway:
        raise InvalidToken("token issued in the future")
    return exp


def _check_origin(payload: Mapping[str, Any], rules: ClaimRules) -> None:
    if rules.issuers is not None:
        iss = payload.get("iss")
        if not isinstance(iss, str) or iss not in rules.issuers:
            raise InvalidToken("wrong issuer")
    if rules.audiences is not None:
        aud = payload.get("aud")
        values = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        if not any(isinstance(value, str) and value in rules.audiences for value in values):
            raise InvalidToken("wrong audience")


def _user_id(payload: Mapping[str, Any]) -> str:
    value = payload.get("sub")
    if value is None:
        value = payload.get("user_id")
    if not isinstance(value, str) or not value.strip():
        raise InvalidToken("token names no user")
    if len(value) > MAX_USER_ID_LENGTH:
        raise InvalidToken("user id too long")
    return value


def check_claims(payload: Mapping[str, Any], rules: ClaimRules, now: float, leeway: float) -> tuple[str, float]:
    """The user id and expiry of a signature-checked payload; ``InvalidToken`` otherwise.

    ``exp`` is required and has no leeway; ``nbf`` / ``iat`` may lie up to ``leeway``
    seconds in the future (clock skew). The user is ``sub``, else ``user_id``.
    """
    exp = _check_times(payload, now, leeway)
    _check_origin(payload, rules)
    return _user_id(payload), exp

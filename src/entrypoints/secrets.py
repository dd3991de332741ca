"""Secrets from files (``NAME_FILE``), as Docker and Kubernetes secrets are mounted.

For each secret api.md lists, ``NAME_FILE=/run/secrets/name`` reads the value from that file
(one trailing newline stripped). Setting both ``NAME`` and ``NAME_FILE`` is an error naming
the variable; a message never holds a secret's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

SECRETS = ("BETTER_AUTH_SECRET", "OPENAI_API_KEY", "DATABASE_URL", "METRICS_TOKEN", "REDIS_URL")


class SecretFileError(ValueError):
    """A ``NAME_FILE`` that cannot be used; the message names the variable."""


def _read(name: str, path: str) -> str:
    try:
        value = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not readable text"
        raise SecretFileError(f"{name}_FILE={path} cannot be read: {reason}") from None
    return value.removesuffix("\n").removesuffix("\r")


def with_secret_files(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with every ``NAME_FILE`` of a secret read into ``NAME``."""
    resolved = dict(env)
    for name in SECRETS:
        path = (env.get(f"{name}_FILE") or "").strip()
        if not path:
            continue
        if env.get(name):
            raise SecretFileError(f"set {name} or {name}_FILE, not both")
        resolved[name] = _read(name, path)
    return resolved


__all__ = ["SECRETS", "SecretFileError", "with_secret_files"]

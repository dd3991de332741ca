"""The one host and origin policy of the whole server: which ``Host`` headers it answers
(``ALLOWED_HOSTS``) and which browser origins it trusts (``FRONTEND_URL``), used by the
outer HTTP layer, CORS and the MCP endpoint's DNS-rebinding checks alike.

Hosts are compared by name, whatever the port, so ``localhost`` allows ``localhost:8000``
(the MCP SDK's own ``localhost:*`` patterns refuse a Host without a port with a 421).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from entrypoints.config import Settings

_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_name(value: str) -> str:
    """The host name of a ``Host`` header or an allowed-host entry, without port, lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1] if "]" in value else value
    name, colon, port = value.rpartition(":")
    return name if colon and (port.isdigit() or port == "*") else value


class HostRules:
    """Allowed ``Host`` names: exact names, ``*.example.com`` suffixes, or ``*`` for any."""

    def __init__(self, hosts: Iterable[str]) -> None:
        names = {host_name(h) for h in hosts if h.strip()}
        self.any = "*" in names
        self.exact = frozenset(n for n in names if not n.startswith("*."))
        self.suffixes = tuple(n[1:] for n in names if n.startswith("*."))

    def allows(self, value: str | None) -> bool:
        """Whether a request with this ``Host`` header may be served."""
        if self.any:
            return True
        if not value:
            return False
        name = host_name(value)
        return name in self.exact or (bool(self.suffixes) and name.endswith(self.suffixes))


def normalize_origin(value: str) -> str:
    """``scheme://host[:port]`` in lower case, without a default port or trailing slash."""
    parts = urlsplit(value.strip().rstrip("/").lower())
    if not parts.scheme or not parts.hostname:
        return value.strip().lower()
    try:
        port = parts.port
    except ValueError:
        return value.strip().lower()
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme):
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


class OriginRules:
    """Allowed browser origins; a request without ``Origin`` (not from a browser) passes."""

    def __init__(self, origins: Iterable[str]) -> None:
        listed = [o for o in origins if o.strip()]
        self.any = "*" in listed
        self.allowed = frozenset(normalize_origin(o) for o in listed if o != "*")

    def allows(self, value: str | None) -> bool:
        """Whether a request with this ``Origin`` header may be served."""
        if not value or self.any:
            return True
        return normalize_origin(value) in self.allowed


def host_rules(settings: Settings) -> HostRules:
    """``ALLOWED_HOSTS`` plus the host of ``PUBLIC_URL`` (the server answers to its own URL)."""
    return HostRules([*settings.allowed_hosts, urlsplit(settings.public_url).netloc])


def own_origin(settings: Settings) -> str:
    """The origin of ``PUBLIC_URL`` (the server's own pages)."""
    return normalize_origin(settings.public_url)


def frontend_origins(settings: Settings) -> OriginRules:
    """``FRONTEND_URL``: the other origins whose pages may call the API (CORS)."""
    return OriginRules(settings.frontend_origins)


@lru_cache(maxsize=8)
def browser_origins(settings: Settings) -> OriginRules:
    """``FRONTEND_URL`` origins plus the server's own: who may send a browser request that
    acts (the MCP endpoint, cookie-bearing account requests)."""
    return OriginRules([*settings.frontend_origins, own_origin(settings)])


__all__ = [
    "HostRules",
    "OriginRules",
    "browser_origins",
    "frontend_origins",
    "host_name",
    "host_rules",
    "normalize_origin",
    "own_origin",
]

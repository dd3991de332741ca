"""DNS-rebinding rules and bearer parsing of the /mcp endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from entrypoints.asgi_headers import bearer_token
from entrypoints.origins import HostRules, OriginRules, host_name, normalize_origin


def scope_with(*headers: tuple[str, str]) -> dict[str, Any]:
    return {"headers": [(k.lower().encode(), v.encode()) for k, v in headers]}


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("LocalHost:8000", "localhost"),
        ("localhost", "localhost"),
        ("localhost:*", "localhost"),
        ("[::1]:8000", "[::1]"),
        ("[::1]", "[::1]"),
        ("example.com:", "example.com:"),
    ],
)
def test_host_name_drops_the_port(value: str, name: str) -> None:
    assert host_name(value) == name


def test_plain_host_names_allow_any_port_and_no_port() -> None:
    rules = HostRules(["localhost", "127.0.0.1", "todo.example.com:8443"])
    for host in ["localhost", "localhost:8000", "127.0.0.1:9", "TODO.example.com", "todo.example.com:443"]:
        assert rules.allows(host), host
    for host in [None, "", "evil.com", "localhost.evil.com", "127.0.0.2"]:
        assert not rules.allows(host), host


def test_wildcards() -> None:
    rules = HostRules(["*.example.com"])
    assert rules.allows("api.example.com:8000") and rules.allows("a.b.example.com")
    assert not rules.allows("example.com") and not rules.allows("evilexample.com")
    assert HostRules(["*"]).allows("anything") and HostRules(["*"]).allows(None)


def test_origins() -> None:
    rules = OriginRules(["https://app.example.com/", "http://localhost:3000"])
    assert rules.allows(None) and rules.allows(""), "requests not from a browser carry no Origin"
    assert rules.allows("https://app.example.com") and rules.allows("https://APP.example.com:443")
    assert rules.allows("http://localhost:3000")
    for origin in ["http://app.example.com", "http://localhost:3001", "https://evil.com", "null"]:
        assert not rules.allows(origin), origin
    assert OriginRules(["*"]).allows("https://evil.com")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.com:443/", "https://example.com"),
        ("HTTP://Example.com:80", "http://example.com"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("http://host:notaport", "http://host:notaport"),
        ("null", "null"),
    ],
)
def test_normalize_origin(value: str, expected: str) -> None:
    assert normalize_origin(value) == expected


@pytest.mark.parametrize(
    ("headers", "token"),
    [
        ((("Authorization", "Bearer abc.def"),), "abc.def"),
        ((("Authorization", "bearer   abc "),), "abc"),
        ((("Authorization", "Basic abc"),), None),
        ((("Authorization", "Bearer "),), None),
        ((("X-Token", "abc"),), None),
        ((), None),
    ],
)
def test_bearer_token(headers: tuple[tuple[str, str], ...], token: str | None) -> None:
    assert bearer_token(scope_with(*headers)) == token


def test_browser_origins_are_the_public_url_and_the_frontends() -> None:
    from entrypoints.config import load_settings
    from entrypoints.origins import browser_origins

    settings = load_settings(
        {"PUBLIC_URL": "http://127.0.0.1:8000", "FRONTEND_URL": "https://App.example/, http://x.test:3000"}
    )
    rules = browser_origins(settings)
    for trusted in ["http://127.0.0.1:8000", "https://app.example", "https://APP.example:443", "http://x.test:3000"]:
        assert rules.allows(trusted), trusted
    for foreign in ["http://localhost:8000", "https://app.example:8443", "http://x.test", "https://evil.example"]:
        assert not rules.allows(foreign), foreign

"""Security headers and the Content-Security-Policy of every response, by path: the one
table (the outer HTTP layer reads it; new pages add a row here)."""

from __future__ import annotations

from dataclasses import dataclass

Header = tuple[bytes, bytes]

COMMON: tuple[Header, ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    # "0" is current advice: the legacy XSS auditors this header turned on could be abused to
    # leak data, and the CSP below is the real protection (docs/api.md names the older value).
    (b"x-xss-protection", b"0"),
)
HSTS: Header = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
NO_STORE: Header = (b"cache-control", b"no-store")

API_CSP = b"default-src 'none'; frame-ancestors 'none'"
"""JSON answers load nothing and are framed by nobody."""

DOCS_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The API docs: Swagger UI's own files served by this server, nothing from elsewhere."""

PAGE_CSP = b"default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
"""The web page at ``/`` and its files: same-origin scripts, styles, images and API calls."""


@dataclass(frozen=True, slots=True)
class PathPolicy:
    """The headers of every response under ``prefix`` (the first matching row wins)."""

    prefix: str
    csp: bytes
    no_store: bool = True
    """``Cache-Control: no-store`` on every answer (API answers are per user and current);
    rows of static files leave caching to their handler."""

    def headers(self) -> tuple[Header, ...]:
        csp = (b"content-security-policy", self.csp)
        return (*COMMON, csp, NO_STORE) if self.no_store else (*COMMON, csp)


PAGE = PathPolicy("/", PAGE_CSP, no_store=False)
"""The page itself: exactly ``/`` (every other path under ``/`` is the API's)."""
TABLE: tuple[PathPolicy, ...] = (
    PathPolicy("/docs", DOCS_CSP, no_store=False),
    PathPolicy("/assets/", PAGE_CSP, no_store=False),
    PathPolicy("/", API_CSP),
)


def policy_for(path: str, table: tuple[PathPolicy, ...] = TABLE) -> PathPolicy:
    """The row that applies to ``path``."""
    if path == "/":
        return PAGE
    for row in table:
        if path.startswith(row.prefix):
            return row
    return table[-1]


__all__ = ["HSTS", "NO_STORE", "PAGE", "TABLE", "PathPolicy", "policy_for"]

"""ASGI middleware: request ids, security headers and one access log line per request."""

from __future__ import annotations

import os
import random
import re
import time
from typing import Any

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Message, Receive, Scope, Send

from entrypoints.asgi_headers import header
from entrypoints.http.problems import PROBLEM_JSON, problem_body
from entrypoints.logs import hash_user, log_access

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_API_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
_API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
_DOCS_PREFIXES = ("/docs",)
ANY_HOST_PATHS = frozenset({"/metrics"})  # issue 12: scrapers send the pod's IP as Host
# Request ids correlate log lines; they are not secrets. A generator seeded from os.urandom
# once avoids a getrandom system call per request (measurable on the hot path).
_ids = random.Random()  # noqa: S311
os.register_at_fork(after_in_child=_ids.seed)  # forked workers must not share a sequence


def _request_id(scope: Scope) -> str:
    candidate = header(scope, b"x-request-id")
    if candidate is not None and _SAFE_ID.match(candidate):
        return candidate
    return f"{_ids.getrandbits(128):032x}"


def host_name(scope: Scope) -> str | None:
    """The Host header without its port, lower-cased (``[::1]:8000`` -> ``::1``)."""
    host = header(scope, b"host")
    if host is None:
        return None
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else None
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class AllowedHostsMiddleware:
    """Answer 400 to a request whose Host (port ignored) is not in ``ALLOWED_HOSTS``."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = {host.lower() for host in allowed}
        self.any_host = "*" in self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != ScopeType.HTTP
            or self.any_host
            or scope["path"] in ANY_HOST_PATHS
            or host_name(scope) in self.allowed
        ):
            await self.app(scope, receive, send)
            return
        body = msgspec.json.encode(problem_body(400, "invalid host header"))
        headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
        start: HTTPResponseStartEvent = {"type": "http.response.start", "status": 400, "headers": headers}
        await send(start)
        end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
        await send(end)


class RequestContextMiddleware:
    """Echo or assign ``X-Request-ID``, add security headers, log the request without PII."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope["request_id"] = request_id  # type: ignore[typeddict-unknown-key]
        started = time.perf_counter()
        status = 500
        extra_headers = [(b"x-request-id", request_id.encode()), *_API_HEADERS]
        if not scope["path"].startswith(_DOCS_PREFIXES):
            extra_headers.append(_API_CSP)
        if scope.get("scheme") == "https":
            extra_headers.append(_HSTS)

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *extra_headers]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            _log_access(scope, status, time.perf_counter() - started, request_id)


def _log_access(scope: Any, status: int, elapsed: float, request_id: str) -> None:
    user = scope.get("user_id")
    log_access(
        {
            "method": scope.get("method"),
            "route": scope.get("path_template") or "-",
            "status": status,
            "ms": round(elapsed * 1000, 2),
            "request_id": request_id,
            "user": hash_user(user) if user else None,
        }
    )

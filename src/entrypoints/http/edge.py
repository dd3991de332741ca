"""The outermost HTTP layer: every response passes here, a matched route's or not (404, 405,
a refused host), so every one carries the request id and the security headers, is checked
against the host policy and is logged once.

It wraps Litestar's whole ASGI handler (exception handling and routing included); Litestar's
own app middleware runs only for matched routes.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from litestar.exceptions import MethodNotAllowedException, NotFoundException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils import normalize_path

from application.limits import RequestRateLimit
from application.ports import RateDecision
from entrypoints.asgi_headers import header
from entrypoints.http.cors import CorsPolicy
from entrypoints.http.problems import send_problem
from entrypoints.http.security_headers import HSTS, PAGE, TABLE, Header, PathPolicy, policy_for
from entrypoints.origins import HostRules

ANY_HOST_PATHS = frozenset({"/health", "/health/db", "/ready", "/mcp/health", "/metrics"})
"""Probes and scrapers call these by the pod's IP: they answer whatever the ``Host``."""

MAX_REMEMBERED_HOSTS = 256
ResponseObserver = Callable[[Scope, int, float], None]
"""Called once per answered request with its scope (after routing), status and seconds."""

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Request ids correlate log lines; they are not secrets. A generator seeded from os.urandom
# once avoids a getrandom system call per request (measurable on the hot path).
_ids = random.Random()  # noqa: S311
os.register_at_fork(after_in_child=_ids.seed)  # forked workers must not share a sequence


def request_id(scope: Scope) -> str:
    """The client's ``X-Request-ID`` when it is a safe token, else a new random one."""
    candidate = header(scope, b"x-request-id")
    if candidate is not None and _SAFE_ID.match(candidate):
        return candidate
    return f"{_ids.getrandbits(128):032x}"


def client_ip(scope: Any) -> str:
    """The client's address: the socket's peer, or what a trusted proxy forwarded (uvicorn
    applies ``X-Forwarded-For`` from ``TRUSTED_PROXIES`` to the scope before we see it)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def quota_headers(quota: RateDecision) -> list[Header]:
    return [
        (b"ratelimit-limit", b"%d" % quota.limit),
        (b"ratelimit-remaining", b"%d" % quota.remaining),
        (b"ratelimit-reset", b"%d" % quota.reset),
    ]


def with_tightest_quota(answer: list[Header], quota: RateDecision) -> list[Header]:
    """The route's answer headers with the ``RateLimit-*`` of the tighter limit: its own
    (chat, sign-in) when it left fewer requests, else the per-IP one. (Litestar writes
    header names in lower case.)"""
    for name, value in answer:
        if name == b"ratelimit-remaining":
            if int(value) <= quota.remaining:
                return answer
            return [h for h in answer if not h[0].startswith(b"ratelimit-")] + quota_headers(quota)
    return answer + quota_headers(quota)


class Edge:
    """Request id, security headers by path, host policy, the per-IP limit, CORS, ``HEAD``
    for every ``GET``, and the response observers (the access log, metrics)."""

    def __init__(
        self,
        app: ASGIApp,
        hosts: HostRules,
        observers: Sequence[ResponseObserver] = (),
        cors: CorsPolicy | None = None,
        table: tuple[PathPolicy, ...] = TABLE,
        router: Any = None,
    ) -> None:
        self.app = app
        self._router = router
        """Litestar's router: names the route of a request refused before routing (metrics)."""
        self._hosts = hosts
        self.observers = tuple(observers)
        self._cors = cors
        self._table = table
        self._headers = {row: row.headers() for row in (*table, PAGE)}
        self._host_verdicts: dict[str | None, bool] = {}
        self.ip_limit: RequestRateLimit | None = None
        """Set at start-up when ``RATE_LIMIT_PER_IP`` is on (the limiter lives in the container)."""

    async def __call__(self, scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        scope["request_id"] = rid
        started = time.perf_counter()
        policy = policy_for(scope["path"], self._table)
        extra: list[Header] = [(b"x-request-id", rid.encode()), *self._headers[policy]]  # CSP, no-store...
        if scope.get("scheme") == "https":
            extra.append(HSTS)
        status = 500
        cors = self._cors
        try:
            exempt = scope["path"] in ANY_HOST_PATHS
            quota = None
            if not (exempt or self._host_allowed(header(scope, b"host"))):
                status = 400
                self._name_route(scope)
                await send_problem(send, 400, "invalid host header", extra)
                return
            if self.ip_limit is not None and not exempt:
                quota = await self.ip_limit.check(client_ip(scope))
                if not quota.allowed:
                    status = 429
                    self._name_route(scope)
                    retry = (b"retry-after", str(quota.retry_after).encode())
                    detail = f"too many requests from your address; retry in {quota.retry_after} s"
                    await send_problem(send, 429, detail, [*extra, retry, *quota_headers(quota)])
                    return
            if cors is not None and cors.is_preflight(scope):
                status, granted = cors.preflight_headers(scope)
                await send_problem(send, status, "this origin may not call the API", [*extra, *granted])
                return
            if cors is not None:
                extra += cors.response_headers(header(scope, b"origin"))
            status = await self._serve(scope, receive, send, extra, quota)
        finally:
            elapsed = time.perf_counter() - started
            for observe in self.observers:
                observe(scope, status, elapsed)

    def _name_route(self, scope: Any) -> None:
        """Put the route a refused request was for into its scope, as routing would have, so
        its metrics carry the route's template (``<unmatched>`` only for unknown paths)."""
        if self._router is None:
            return
        method = "GET" if scope["method"] == "HEAD" else scope["method"]
        try:
            _, handler, _, _, template = self._router.handle_routing(normalize_path(scope["path"]), method)
        except (NotFoundException, MethodNotAllowedException):  # it stays unmatched
            return
        scope["route_handler"] = handler
        scope["path_template"] = template

    def _host_allowed(self, host: str | None) -> bool:
        """The host policy's verdict, remembered for the few Host values a server sees (a
        client cycling through many only refills a bounded table)."""
        verdict = self._host_verdicts.get(host)
        if verdict is None:
            if len(self._host_verdicts) >= MAX_REMEMBERED_HOSTS:
                self._host_verdicts.clear()
            verdict = self._host_verdicts[host] = self._hosts.allows(host)
        return verdict

    async def _serve(
        self, scope: Any, receive: Receive, send: Send, extra: list[Header], quota: RateDecision | None
    ) -> int:
        status = 500
        head = scope["method"] == "HEAD"

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                answer = list(message.get("headers", ()))
                if status == 405:
                    answer = with_head_allowed(answer)
                message["headers"] = (answer if quota is None else with_tightest_quota(answer, quota)) + extra
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        if not head:
            await self.app(scope, receive, send_with_headers)
            return status
        inner: Any = {**scope, "method": "GET"}  # HEAD is GET without the body
        await self.app(inner, receive, send_with_headers)
        scope.update({key: value for key, value in inner.items() if key != "method"})
        return status


def with_head_allowed(headers: list[Header]) -> list[Header]:
    """A 405's ``Allow`` with ``HEAD`` wherever ``GET`` is allowed (this layer answers HEAD
    for every GET route)."""
    result = []
    for name, value in headers:
        methods = [m.strip() for m in value.split(b",")] if name.lower() == b"allow" else []
        if b"GET" in methods and b"HEAD" not in methods:
            result.append((name, b", ".join([*methods, b"HEAD"])))
        else:
            result.append((name, value))
    return result


__all__ = [
    "ANY_HOST_PATHS",
    "Edge",
    "ResponseObserver",
    "client_ip",
    "request_id",
    "with_head_allowed",
    "with_tightest_quota",
]

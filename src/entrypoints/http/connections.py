"""Connection limits uvicorn does not give: a deadline for the request head, and a cap on
open connections that answers the ones over it with a 503 instead of letting them queue.

uvicorn sets no timer on a connection that never completes its request head (a slow
client holds a socket forever), and its ``limit_concurrency`` counts idle keep-alive
connections too, so idle sockets would turn ``/health`` into a 503. This is uvicorn's
httptools protocol with both rules added, at no cost per request (the timer is one per
connection and reads uvicorn's own state).
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from entrypoints.http.edge import request_id
from entrypoints.http.problems import PROBLEM_JSON, problem_body
from entrypoints.http.security_headers import policy_for

RETRY_AFTER_SECONDS = 1
HEAD_CHECKS = 3
"""Looks (half a timeout apart) that see one unfinished head before it is closed."""


HEAD_READ_MAX = 16 * 1024
"""How much of an over-capacity connection's head is kept to answer it (its request line
and headers; the answer goes out at the end of the head or past this size)."""

_OVER_CAPACITY_BODY = msgspec.json.encode(problem_body(503, "the server has too many open connections; retry shortly"))


def over_capacity_answer(head: bytes) -> bytes:
    """The 503 for a connection over the cap: like every answer, with the request id (the
    client's, when it sent a safe one) and the security headers of the path asked for."""
    lines = head.split(b"\r\n")
    request_line = lines[0].split(b" ")
    path = request_line[1].decode("latin-1") if len(request_line) > 1 else ""  # no path: the API's row
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if colon:
            headers.append((name.strip().lower(), value.strip()))
    scope: Any = {"headers": headers}
    rid = request_id(scope)
    extra = b"".join(b"%s: %s\r\n" % pair for pair in policy_for(path).headers())
    return (
        b"HTTP/1.1 503 Service Unavailable\r\n"
        b"content-type: %s\r\ncontent-length: %d\r\nretry-after: %d\r\nx-request-id: %s\r\n%s"
        b"connection: close\r\n\r\n%s"
    ) % (PROBLEM_JSON.encode(), len(_OVER_CAPACITY_BODY), RETRY_AFTER_SECONDS, rid.encode(), extra, _OVER_CAPACITY_BODY)


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a request-head deadline and a connection cap.

    The deadline costs nothing per request: a timer per connection looks, every half
    timeout, whether a request head has begun (uvicorn made its scope) without being
    complete (no request cycle for that scope yet); the same unfinished head seen three
    looks running is closed (between one and one and a half timeouts after it began)."""

    header_timeout: float = 10.0
    max_connections: int = 1000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._timer: asyncio.TimerHandle | None = None
        self._watched: object = None
        self._strikes = 0
        self._over_capacity = False
        self._head = bytearray()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._over_capacity = len(self.connections) > self.max_connections
        self._timer = self.loop.call_later(self.header_timeout / 2, self._check_head)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self._over_capacity:
            super().data_received(data)
            return
        # Over the cap: the head is read and answered with the 503, so the client sees the
        # answer rather than a reset of a socket holding unread data.
        self._head += data
        end = self._head.find(b"\r\n\r\n")
        if end >= 0 or len(self._head) > HEAD_READ_MAX:
            self.transport.write(over_capacity_answer(bytes(self._head[: end if end >= 0 else HEAD_READ_MAX])))
            self.transport.close()

    def _unfinished_head(self) -> object:
        """What identifies the head being received now, or None when none is."""
        scope = self.scope
        if scope is None:
            return self  # nothing received yet: the first head has not even begun
        cycle = self.cycle
        return None if cycle is not None and cycle.scope is scope else scope

    def _check_head(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        head = self._unfinished_head()
        if head is None:
            self._strikes = 0
        elif head is self._watched:
            self._strikes += 1
        else:
            self._watched, self._strikes = head, 1
        if self._strikes >= HEAD_CHECKS:
            self.transport.close()
            return
        self._timer = self.loop.call_later(self.header_timeout / 2, self._check_head)


def guarded_protocol(header_timeout: float, max_connections: int) -> type[GuardedProtocol]:
    """The protocol class for uvicorn's ``http=`` with these limits."""
    return type("Guarded", (GuardedProtocol,), {"header_timeout": header_timeout, "max_connections": max_connections})


__all__ = ["GuardedProtocol", "guarded_protocol", "over_capacity_answer"]

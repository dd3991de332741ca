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

from entrypoints.http.problems import PROBLEM_JSON, problem_body

RETRY_AFTER_SECONDS = 1
HEAD_CHECKS = 3
"""Looks (half a timeout apart) that see one unfinished head before it is closed."""


def _over_capacity_answer() -> bytes:
    body = msgspec.json.encode(problem_body(503, "the server has too many open connections; retry shortly"))
    head = (
        "HTTP/1.1 503 Service Unavailable\r\n"
        f"content-type: {PROBLEM_JSON}\r\ncontent-length: {len(body)}\r\n"
        f"retry-after: {RETRY_AFTER_SECONDS}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


OVER_CAPACITY = _over_capacity_answer()


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
        self._tail = b""

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
        # Over the cap: the head is read (not parsed) and answered with the 503, so the
        # client sees the answer rather than a reset of a socket holding unread data.
        seen = self._tail + data
        if b"\r\n\r\n" in seen:
            self.transport.write(OVER_CAPACITY)
            self.transport.close()
        self._tail = seen[-3:]

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


__all__ = ["OVER_CAPACITY", "GuardedProtocol", "guarded_protocol"]

"""The 503 a connection over MAX_CONNECTIONS gets, written before any ASGI app runs."""

from __future__ import annotations

import json
import re

from entrypoints.http.connections import over_capacity_answer
from entrypoints.http.security_headers import DOCS_CSP


def _split(answer: bytes) -> tuple[dict[str, str], dict[str, object]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 503 Service Unavailable"
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert int(headers["content-length"]) == len(body)
    return headers, json.loads(body)


def test_it_echoes_a_safe_request_id_and_carries_the_paths_security_headers() -> None:
    headers, body = _split(over_capacity_answer(b"GET /docs HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-123"))
    assert headers["x-request-id"] == "abc-123"
    assert headers["content-security-policy"] == DOCS_CSP.decode()
    assert headers["x-frame-options"] == "DENY"
    assert (headers["retry-after"], headers["connection"]) == ("1", "close")
    assert headers["content-type"] == "application/problem+json"
    assert body["status"] == 503


def test_without_a_usable_id_or_request_line_it_makes_one_and_uses_the_api_policy() -> None:
    for head in (b"", b"garbage", b"GET /api/a/tasks HTTP/1.1\r\nX-Request-ID: bad id\r\n"):
        headers, _ = _split(over_capacity_answer(head))
        assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])
        assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert headers["cache-control"] == "no-store"

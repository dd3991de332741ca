"""Request ids: echoed when safe, otherwise generated, and never repeated across workers."""

from __future__ import annotations

import os
import re
from typing import Any

from entrypoints.http.edge import request_id as _request_id

HEX_ID = re.compile(r"[0-9a-f]{32}")


def _scope(*headers: tuple[bytes, bytes]) -> Any:
    return {"type": "http", "headers": list(headers)}


def test_a_safe_client_id_is_echoed_and_an_unsafe_one_replaced() -> None:
    assert _request_id(_scope((b"x-request-id", b"req-42"))) == "req-42"
    assert HEX_ID.fullmatch(_request_id(_scope((b"x-request-id", b"bad id\r\nx: y"))))


def test_forked_workers_do_not_repeat_the_parents_ids() -> None:
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write, _request_id(_scope()).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    from_child = os.read(read, 64).decode()
    os.close(read)
    assert HEX_ID.fullmatch(from_child)
    assert from_child != _request_id(_scope())

from __future__ import annotations

import json
import logging

from entrypoints.logs import JsonFormatter, hash_user


def test_json_lines_with_extra_fields_and_errors() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom %s", ("now",), None)
    record.route = "/api/{user_id}/tasks"
    try:
        raise ValueError("inner")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "boom now"
    assert entry["route"] == "/api/{user_id}/tasks"
    assert entry["error"] == "ValueError"
    assert entry["time"].endswith("Z")


def test_user_ids_are_pseudonymised_stably() -> None:
    assert hash_user("alice@example.com") == hash_user("alice@example.com")
    assert hash_user("alice@example.com") != hash_user("bob@example.com")
    assert "alice" not in hash_user("alice@example.com")
    assert len(hash_user("alice")) == 16

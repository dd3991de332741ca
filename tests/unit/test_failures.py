"""The log line of a 5xx: request id, type and frames; a database driver's message never."""

from __future__ import annotations

import json
import logging

import pytest

from application.errors import StorageUnavailable
from entrypoints.http.failures import describe, log_failure
from entrypoints.logs import JsonFormatter


class UniqueViolationError(Exception):
    """Stands for a driver's error (its module is what marks it)."""


UniqueViolationError.__module__ = "asyncpg.exceptions"
DETAIL = 'duplicate key value violates "ix_email": Key (email)=(ann@example.com)'


def _raise_chained() -> None:
    try:
        raise UniqueViolationError(DETAIL)
    except UniqueViolationError as exc:
        raise StorageUnavailable("database unavailable") from exc


def _caught() -> BaseException:
    try:
        _raise_chained()
    except StorageUnavailable as exc:
        return exc
    raise AssertionError("unreachable")


def test_the_chain_is_described_cause_first_with_frames_and_no_driver_message() -> None:
    text = describe(_caught())
    assert "ann@example.com" not in text and "duplicate key" not in text
    assert text.index("asyncpg.exceptions.UniqueViolationError (database driver message withheld)") < text.index(
        "application.errors.StorageUnavailable: database unavailable"
    )
    assert text.count("Traceback (most recent call last):") == 2
    assert "in _raise_chained" in text


def test_a_plain_bug_keeps_its_message() -> None:
    with pytest.raises(KeyError) as caught:
        {}["missing"]
    assert describe(caught.value).rstrip().endswith("KeyError: 'missing'")


def test_a_500_is_one_error_line_and_a_503_one_warning_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="todo_chatbot.http"):
        log_failure(_caught(), "req-1")
        log_failure(StorageUnavailable("down"), "req-2", 503)
    error, warning = caplog.records
    assert (error.levelno, warning.levelno) == (logging.ERROR, logging.WARNING)
    line = json.loads(JsonFormatter().format(error))
    assert (line["request_id"], line["status"], line["error"]) == ("req-1", 500, "StorageUnavailable")
    assert "in _raise_chained" in line["traceback"]
    assert "ann@example.com" not in json.dumps(line)

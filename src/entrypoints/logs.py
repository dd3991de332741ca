"""Structured logs: one JSON object a line, with no personal data.

User ids are hashed (``user`` field); task text, message text, e-mail addresses and
tokens are never passed to a logger in the first place. Request paths are logged as the
route template (``/api/{user_id}/tasks``), never with the raw user id.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from typing import Any

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def hash_user(user_id: str) -> str:
    """A short, stable pseudonym of a user id for logs."""
    return hashlib.sha256(f"todo-chatbot:{user_id}".encode()).hexdigest()[:16]


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object (extra fields included)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """Send every log line to stderr as JSON (idempotent)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access", "httpx", "httpcore", "mcp", "openai"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

"""METRICS_TOKEN: read from the environment, never shown, and missed in production."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from entrypoints.config import load_settings


def test_the_metrics_token_is_read_trimmed_and_kept_out_of_the_repr() -> None:
    settings = load_settings({"METRICS_TOKEN": "  scrape-me-0123456789  "})
    assert settings.metrics_token == "scrape-me-0123456789"
    assert "scrape-me" not in repr(settings)
    assert load_settings({"METRICS_TOKEN": "  "}).metrics_token is None
    assert load_settings({}).metrics_token is None


def test_production_without_a_metrics_token_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    key = tmp_path / "key.pem"
    key.write_text("-")
    env = {"APP_ENV": "production", "AUTH_SIGNING_KEY_FILE": str(key), "PUBLIC_URL": "https://todo.example.com"}
    with caplog.at_level(logging.WARNING, logger="todo_chatbot.config"):
        load_settings(env)
        assert [r.getMessage() for r in caplog.records if "METRICS_TOKEN" in r.getMessage()]
        caplog.clear()
        load_settings({**env, "METRICS_TOKEN": "a-long-enough-scrape-token"})
        load_settings({"METRICS_TOKEN": ""})  # development: no warning
        assert not [r for r in caplog.records if "METRICS_TOKEN" in r.getMessage()]

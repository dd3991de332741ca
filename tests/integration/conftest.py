"""Fixtures of the integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fake_model import FakeModelServer


@pytest.fixture
async def model() -> AsyncIterator[FakeModelServer]:
    """A fake model server on 127.0.0.1 speaking the OpenAI wire formats."""
    server = FakeModelServer()
    await server.start()
    yield server
    await server.stop()

"""SIGTERM lets in-flight requests finish before the process exits."""

from __future__ import annotations

import signal
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import run_server
from tests.fake_model import Hang, model_in_thread

pytestmark = pytest.mark.e2e


def test_sigterm_finishes_the_request_in_flight() -> None:
    with model_in_thread() as model:
        model.default = Hang(1.0)  # the model answers after a second
        workdir = Path(tempfile.mkdtemp(prefix="todo-e2e-term-"))
        env = {"OPENAI_BASE_URL": model.url, "OPENAI_MODEL": "slow", "OPENAI_TIMEOUT": "10"}
        with run_server(workdir, f"sqlite+aiosqlite:///{workdir / 'todo.db'}", **env) as server:
            answers: list[httpx.Response] = []
            auth = server.auth("ivan")

            def chat() -> None:
                url = f"{server.url}/api/ivan/chat"
                answers.append(httpx.post(url, json={"message": "hi"}, headers=auth, timeout=15))

            request = threading.Thread(target=chat)
            request.start()
            deadline = time.monotonic() + 10
            while not model.requests and time.monotonic() < deadline:
                time.sleep(0.02)  # polling interval, bounded by the deadline
            assert model.requests, "the chat turn reached the model"

            server.process.send_signal(signal.SIGTERM)
            request.join(15)
            assert answers, "the in-flight request got an answer"
            assert answers[0].status_code == 200
            assert answers[0].json()["response"] == "too late"
            server.process.wait(15)
            assert server.process.poll() is not None, "the server exited after finishing"
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"{server.url}/health", timeout=2)

"""Chat against the real server process: every corpus line through the real endpoint
(offline agent, PostgreSQL), streaming, and a model-backed server on a fake model."""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.chat_corpus import Conversation, corpus_seed, load_conversations, play
from tests.e2e.server import RunningServer, run_server
from tests.fake_model import Fail, FakeModelServer, Hang, Reply, model_in_thread
from tests.nl_judge import Case, SeedTask, judge, load_cases, seed_tasks

pytestmark = pytest.mark.e2e


def _user(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _live(client: httpx.Client, user: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/{user}/tasks", params={"limit": 100})
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _events(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in (b for b in text.split("\n\n") if b.strip()):
        event, data = block.split("\n")
        events.append((event.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return events


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        yield http


def _seed(client: httpx.Client, user: str, tasks: list[SeedTask]) -> None:
    for task in tasks:
        created = client.post(f"/api/{user}/tasks", json=task.body)
        assert created.status_code == 201
        if task.completed:
            assert client.patch(f"/api/{user}/tasks/{created.json()['id']}/complete").json()["completed"]


@pytest.mark.postgres
@pytest.mark.parametrize("case", load_cases(), ids=str)
def test_corpus_line_through_the_real_endpoint(server: RunningServer, client: httpx.Client, case: Case) -> None:
    user = _user(f"nl{case.line}")
    headers = server.auth(user)
    client.headers.update(headers)
    today = datetime.now(UTC).date()
    _seed(client, user, seed_tasks(today))
    before = _live(client, user)

    response = client.post(f"/api/{user}/chat", json={"message": case.message, "timezone": "UTC"})

    assert response.status_code == 200, response.text
    answer = response.json()
    assert judge(case.outcome, before, _live(client, user), answer, today) == [], answer["response"]


def _conversations() -> list[Any]:
    return [pytest.param(case, id=str(case)) for case in load_conversations()]


@pytest.mark.postgres
@pytest.mark.parametrize("case", _conversations())
async def test_chat_corpus_conversation_through_the_real_endpoint(
    server: RunningServer, client: httpx.Client, case: Conversation
) -> None:
    user = _user(f"cc{case.line}")
    client.headers.update(server.auth(user))
    today = datetime.now(UTC).date()
    _seed(client, user, corpus_seed(today))

    async def send(message: str, conversation: int | None) -> dict[str, Any]:
        body = {"message": message, "timezone": "UTC", "conversation_id": conversation}
        response = client.post(f"/api/{user}/chat", json=body)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def live() -> list[dict[str, Any]]:
        return _live(client, user)

    problems, answer = await play(case, send, live, today)
    assert problems == [], answer["response"]


@pytest.mark.postgres
def test_streaming_conversations_and_privacy(server: RunningServer) -> None:
    alice, bob = _user("alice"), _user("bob")
    with httpx.Client(base_url=server.url, timeout=10, headers=server.auth(alice)) as http:
        streamed = http.post(f"/api/{alice}/chat", json={"message": "add call mom tomorrow"},
                             headers={"Accept": "text/event-stream"})  # fmt: skip
        assert streamed.headers["content-type"].startswith("text/event-stream")
        events = _events(streamed.text)
        assert [name for name, _ in events] == ["tool_call", "tool_result", "delta", "done"]
        done = events[-1][1]
        assert done["tool_calls"][0]["result"]["title"] == "Call mom"
        number = done["conversation_id"]
        assert http.get(f"/api/{alice}/conversations").json()["items"][0]["id"] == number
        messages = http.get(f"/api/{alice}/conversations/{number}").json()["messages"]
        assert [m["role"] for m in messages] == ["user", "assistant"]
    with httpx.Client(base_url=server.url, timeout=10, headers=server.auth(bob)) as http:
        assert http.get(f"/api/{bob}/conversations/{number}").status_code == 404
        assert http.post(f"/api/{bob}/chat", json={"message": "hi", "conversation_id": number}).status_code == 404
        assert http.get(f"/api/{alice}/conversations").status_code == 403
        assert http.get(f"/api/{bob}/tasks").json()["items"] == []


@pytest.fixture(scope="module")
def model() -> Iterator[FakeModelServer]:
    with model_in_thread() as fake:
        yield fake


@pytest.fixture(scope="module")
def model_server(model: FakeModelServer) -> Iterator[RunningServer]:
    """A server whose chat goes to the fake model (Chat Completions, as a local server)."""
    workdir = Path(tempfile.mkdtemp(prefix="todo-e2e-model-"))
    env = {"OPENAI_BASE_URL": model.url, "OPENAI_MODEL": "local-test", "OPENAI_TIMEOUT": "5"}
    with run_server(workdir, f"sqlite+aiosqlite:///{workdir / 'todo.db'}", **env) as running:
        yield running


def _wait_for(condition: Any, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)  # polling interval, bounded by the deadline
    assert condition()


def test_a_model_backed_turn_stores_what_the_tools_did(model_server: RunningServer, model: FakeModelServer) -> None:
    user = _user("m")
    model.play(Reply(calls=[("c1", "add_task", {"title": "Model made this"})]), Reply("Added it."))
    with httpx.Client(base_url=model_server.url, timeout=10, headers=model_server.auth(user)) as http:
        answer = http.post(f"/api/{user}/chat", json={"message": "add a task"}).json()
        assert answer["response"] == "Added it."
        assert [t["title"] for t in http.get(f"/api/{user}/tasks").json()["items"]] == ["Model made this"]
    sent = model.requests[-2].body
    assert sent["model"] == "local-test" and "user_id" not in json.dumps(sent["tools"])


def test_a_failing_model_is_503_with_retry_after_and_keeps_the_message(
    model_server: RunningServer, model: FakeModelServer
) -> None:
    user = _user("m")
    model.play(Fail(401))
    with httpx.Client(base_url=model_server.url, timeout=10, headers=model_server.auth(user)) as http:
        failed = http.post(f"/api/{user}/chat", json={"message": "remember this"})
        assert failed.status_code == 503 and int(failed.headers["Retry-After"]) > 0
        number = failed.json()["conversation_id"]
        messages = http.get(f"/api/{user}/conversations/{number}").json()["messages"]
        assert [m["content"] for m in messages] == ["remember this"]
        assert http.get(f"/api/{user}/tasks").status_code == 200


def test_a_client_that_disconnects_mid_stream_cancels_the_model_call(
    model_server: RunningServer, model: FakeModelServer
) -> None:
    user = _user("m")
    asked = len(model.requests)
    gone = model.disconnects
    model.play(Hang(30))
    with (
        httpx.Client(base_url=model_server.url, timeout=10, headers=model_server.auth(user)) as http,
        http.stream("POST", f"/api/{user}/chat", json={"message": "slow"}, headers={"Accept": "text/event-stream"}),
    ):
        _wait_for(lambda: len(model.requests) > asked)
    _wait_for(lambda: model.disconnects > gone)
    model.play(Reply("still here"))
    with httpx.Client(base_url=model_server.url, timeout=10, headers=model_server.auth(user)) as http:
        assert http.post(f"/api/{user}/chat", json={"message": "hello?"}).json()["response"] == "still here"

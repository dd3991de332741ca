"""The chat endpoints in-process: real app and auth, in-memory storage, offline or scripted agents."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from dishka import Provider, Scope, provide
from litestar.testing import AsyncTestClient

from application.errors import AgentUnavailable
from application.ports import ChatAgent, TokenIssuer
from entrypoints.config import ApiStyle, ModelSettings
from entrypoints.http.app import create_app
from entrypoints.http.deps import resolve
from tests.fake_model import Fail, Reply, model_in_thread
from tests.fakes import FixedClock, InMemoryHealthProbe, InMemoryUnitOfWork, ScriptedChatAgent
from tests.http_support import PUBLIC_URL, InMemoryProvider, make_settings

Client = AsyncTestClient[Any]


class AgentProvider(Provider):
    scope = Scope.APP

    def __init__(self, agent: ChatAgent) -> None:
        super().__init__()
        self._agent = agent

    @provide
    def agent(self) -> ChatAgent:
        return self._agent


@pytest.fixture
def store() -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork()


async def _client(tmp_path: Path, store: InMemoryUnitOfWork, *extra: Provider, **settings: Any) -> Client:
    app = create_app(
        make_settings(tmp_path, **settings), InMemoryProvider(store, InMemoryHealthProbe(), FixedClock()), *extra
    )
    return AsyncTestClient(app=app, base_url=PUBLIC_URL)


@pytest.fixture
async def client(tmp_path: Path, store: InMemoryUnitOfWork) -> AsyncIterator[Client]:
    async with await _client(tmp_path, store) as test_client:
        yield test_client


async def auth(client: Client, user: str) -> dict[str, str]:
    issuer = await resolve(client.app.state, TokenIssuer)  # type: ignore[type-abstract]
    return {"Authorization": f"Bearer {issuer.issue(user, 600)}"}


def parse_sse(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events


async def test_chatting_with_the_offline_agent_adds_lists_and_keeps_the_conversation(client: Client) -> None:
    headers = await auth(client, "alice")
    first = await client.post("/api/alice/chat", json={"message": "add buy milk tomorrow"}, headers=headers)
    assert first.status_code == 200
    body = first.json()
    assert body["conversation_id"] == 1 and "Buy milk" in body["response"]
    assert body["tool_calls"][0]["name"] == "add_task" and body["tool_calls"][0]["is_error"] is False
    assert set(body["tool_calls"][0]) == {"name", "arguments", "result", "is_error"}
    second = await client.post("/api/alice/chat", json={"message": "show my tasks", "conversation_id": 1},
                               headers=headers)  # fmt: skip
    assert second.json()["conversation_id"] == 1 and "#1 Buy milk" in second.json()["response"]

    listed = (await client.get("/api/alice/conversations", headers=headers)).json()
    assert [(c["id"], c["title"]) for c in listed["items"]] == [(1, "add buy milk tomorrow")]
    assert listed["next_cursor"] is None
    page = (await client.get("/api/alice/conversations/1?limit=3", headers=headers)).json()
    assert [m["role"] for m in page["messages"]] == ["user", "assistant", "user"]
    assert page["messages"][1]["tool_calls"][0]["name"] == "add_task"
    rest = (await client.get(f"/api/alice/conversations/1?cursor={page['next_cursor']}", headers=headers)).json()
    assert [m["role"] for m in rest["messages"]] == ["assistant"] and rest["next_cursor"] is None
    assert (await client.delete("/api/alice/conversations/1", headers=headers)).status_code == 204
    assert (await client.get("/api/alice/conversations/1", headers=headers)).status_code == 404
    assert (await client.get("/api/alice/tasks/1", headers=headers)).status_code == 200


async def test_streaming_sends_calls_results_deltas_and_the_answer(client: Client) -> None:
    headers = {**await auth(client, "alice"), "Accept": "text/event-stream"}
    response = await client.post("/api/alice/chat", json={"message": "add call mom"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    assert [name for name, _ in events] == ["tool_call", "tool_result", "delta", "done"]
    (_, call), (_, result), (_, delta), (_, done) = events
    assert call == {"call_id": "call_1", "name": "add_task", "arguments": {"title": "Call mom"}}
    assert result["call_id"] == "call_1" and result["result"]["title"] == "Call mom" and not result["is_error"]
    assert delta["text"] == done["response"]
    assert done["conversation_id"] == 1 and done["tool_calls"][0]["result"]["id"] == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"message": "hi", "user_id": "bob"}, 422, "user_id"),
        ({"message": ""}, 422, "message"),
        ({"message": "x" * 4001}, 422, "message"),
        ({"message": "hi", "timezone": "Nowhere/Land"}, 422, "timezone"),
        ({"message": "hi", "conversation_id": 0}, 422, "conversation_id"),
        ({"message": "hi", "conversation_id": 7}, 404, None),
    ],
)
@pytest.mark.parametrize("accept", ["application/json", "text/event-stream"])
async def test_bad_requests_are_problems_even_when_streaming_was_asked(
    client: Client, store: InMemoryUnitOfWork, body: dict[str, Any], status: int, field: str | None, accept: str
) -> None:
    headers = {**await auth(client, "alice"), "Accept": accept}
    response = await client.post("/api/alice/chat", json=body, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    if field:
        assert response.json()["errors"][0]["field"] == field
    assert store.state.conversations == {}


async def test_a_body_that_is_not_json_is_400(client: Client) -> None:
    headers = {**await auth(client, "alice"), "Content-Type": "application/json"}
    response = await client.post("/api/alice/chat", content=b"{nope", headers=headers)
    assert response.status_code == 400


async def test_other_users_cannot_use_a_path_or_a_conversation(client: Client) -> None:
    bob = await auth(client, "bob")
    await client.post("/api/bob/chat", json={"message": "bob's plans"}, headers=bob)
    alice = await auth(client, "alice")
    assert (await client.post("/api/bob/chat", json={"message": "hi"}, headers=alice)).status_code == 403
    assert (await client.post("/api/alice/chat", json={"message": "hi", "conversation_id": 1},
                              headers=alice)).status_code == 404  # fmt: skip
    assert (await client.get("/api/alice/conversations/1", headers=alice)).status_code == 404
    assert (await client.delete("/api/alice/conversations/1", headers=alice)).status_code == 404
    assert (await client.get("/api/alice/conversations", headers=alice)).json()["items"] == []
    assert (await client.get("/api/bob/conversations/1", headers=bob)).status_code == 200
    assert (await client.post("/api/alice/chat", json={"message": "hi"})).status_code == 401


@pytest.mark.parametrize(("query", "field"), [("limit=0", "query.limit"), ("limit=x", "query.limit"),
                                              ("cursor=%25%25", "query.cursor")])  # fmt: skip
async def test_bad_pages_name_the_query_field(client: Client, query: str, field: str) -> None:
    response = await client.get(f"/api/alice/conversations?{query}", headers=await auth(client, "alice"))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == field


async def test_the_rate_limit_answers_429_with_retry_after(tmp_path: Path, store: InMemoryUnitOfWork) -> None:
    async with await _client(tmp_path, store, chat_rate_limit=2) as client:
        headers = await auth(client, "alice")
        first = await client.post("/api/alice/chat", json={"message": "hi"}, headers=headers)
        assert (first.headers["RateLimit-Limit"], first.headers["RateLimit-Remaining"]) == ("2", "1")
        streamed = await client.post(
            "/api/alice/chat", json={"message": "hi"}, headers={**headers, "Accept": "text/event-stream"}
        )
        assert streamed.headers["RateLimit-Remaining"] == "0"
        limited = await client.post("/api/alice/chat", json={"message": "hi"}, headers=headers)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) == 60
        assert limited.headers["RateLimit-Remaining"] == "0"
        other = await client.post("/api/bob/chat", json={"message": "hi"}, headers=await auth(client, "bob"))
        assert other.status_code == 200


async def test_an_unavailable_model_is_503_with_the_conversation_or_an_error_event(
    tmp_path: Path, store: InMemoryUnitOfWork
) -> None:
    agent = ScriptedChatAgent(AgentUnavailable("model down", retry_after=12), AgentUnavailable("still down", 9))
    async with await _client(tmp_path, store, AgentProvider(agent)) as client:
        headers = await auth(client, "alice")
        plain = await client.post("/api/alice/chat", json={"message": "add milk"}, headers=headers)
        assert plain.status_code == 503 and plain.headers["Retry-After"] == "12"
        assert plain.json()["conversation_id"] == 1
        streamed = await client.post("/api/alice/chat", json={"message": "again", "conversation_id": 1},
                                     headers={**headers, "Accept": "text/event-stream"})  # fmt: skip
        ((name, problem),) = parse_sse(streamed.text)
        assert name == "error" and problem["status"] == 503 and problem["conversation_id"] == 1
        assert problem["retry_after"] == 9
        messages = (await client.get("/api/alice/conversations/1", headers=headers)).json()["messages"]
        assert [m["content"] for m in messages] == ["add milk", "again"]


async def test_an_unexpected_failure_mid_stream_is_an_error_event(tmp_path: Path, store: InMemoryUnitOfWork) -> None:
    agent = ScriptedChatAgent(RuntimeError("boom"))
    async with await _client(tmp_path, store, AgentProvider(agent)) as client:
        headers = {**await auth(client, "alice"), "Accept": "text/event-stream"}
        response = await client.post("/api/alice/chat", json={"message": "hi"}, headers=headers)
        ((name, problem),) = parse_sse(response.text)
        assert name == "error" and problem["status"] == 500 and "boom" not in json.dumps(problem)


@pytest.mark.parametrize("stream", [False, True])
async def test_a_configured_model_answers_through_the_openai_agent(
    tmp_path: Path, store: InMemoryUnitOfWork, stream: bool
) -> None:
    with model_in_thread() as model:
        model.play(Reply(calls=[("c1", "add_task", {"title": "From the model"})]), Reply("Added it."), Fail(401))
        settings = ModelSettings(None, model.url, "local-model", ApiStyle.CHAT_COMPLETIONS, timeout_seconds=5)
        async with await _client(tmp_path, store, model=settings) as client:
            accept = "text/event-stream" if stream else "application/json"
            headers = {**await auth(client, "alice"), "Accept": accept}
            response = await client.post("/api/alice/chat", json={"message": "add it"}, headers=headers)
            done = parse_sse(response.text)[-1][1] if stream else response.json()
            assert done["response"] == "Added it." and done["tool_calls"][0]["result"]["title"] == "From the model"
            assert model.requests[0].body["model"] == "local-model"
            assert bool(model.requests[0].body.get("stream")) is stream
            failed = await client.post("/api/alice/chat", json={"message": "again"}, headers=headers)
            assert failed.status_code == (200 if stream else 503)
            if stream:
                assert parse_sse(failed.text)[-1][1]["status"] == 503

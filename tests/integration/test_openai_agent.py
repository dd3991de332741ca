"""OpenAIChatAgent against a fake model server on 127.0.0.1: both API styles, streaming
and not. Assertions are on what the adapter sends and on the tasks that end up stored."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import pytest
from openai import AsyncOpenAI

from adapters.agents.openai.agent import OpenAIChatAgent
from application.chat.schemas import ChatRequest
from application.chat.send import SendChatMessage
from application.ports import TextDelta, ToolCallEvent, ToolResultEvent
from application.schemas import NewTask
from application.tasks import AddTask
from application.tools import TaskTools
from tests.fake_model import FakeModelServer, Recorded, Reply
from tests.fakes import FixedClock, InMemoryUnitOfWork, task_tools

STYLES = [("responses", False), ("responses", True), ("chat_completions", False), ("chat_completions", True)]
IDS = ["responses", "responses-stream", "chat", "chat-stream"]


@pytest.fixture
def tools(uow: InMemoryUnitOfWork, clock: FixedClock) -> TaskTools:
    return task_tools(uow, clock)


def make_agent(server: FakeModelServer, style: str, **options: Any) -> OpenAIChatAgent:
    client = AsyncOpenAI(api_key="test-key", base_url=server.url, timeout=options.pop("timeout", 5.0), max_retries=0)

    async def no_wait(seconds: float) -> None:
        options.setdefault("waits", []).append(seconds)

    waits = options.pop("waits", None)
    agent = OpenAIChatAgent(client, "test-model", style, sleep=no_wait, **options)
    agent.waits = waits if waits is not None else []  # type: ignore[attr-defined]
    return agent


def sent_tool_outputs(request: Recorded, chat: bool) -> dict[str, Any]:
    """call_id -> decoded output of every tool result the request carries."""
    if chat:
        items = [m for m in request.body["messages"] if m.get("role") == "tool"]
        return {m["tool_call_id"]: json.loads(m["content"]) for m in items}
    items = [i for i in request.body["input"] if i.get("type") == "function_call_output"]
    return {i["call_id"]: json.loads(i["output"]) for i in items}


def system_text(request: Recorded, chat: bool) -> str:
    return str(request.body["messages"][0]["content"] if chat else request.body["instructions"])


@pytest.mark.parametrize(("style", "stream"), STYLES, ids=IDS)
async def test_a_turn_runs_parallel_tool_calls_and_feeds_their_results_back(
    model: FakeModelServer, uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools, style: str, stream: bool
) -> None:
    model.play(
        Reply("Let me do that.", [("c1", "list_tasks", {"status": "pending"}),
                                  ("c2", "add_task", {"title": "Buy milk", "due": "2026-11-25"})]),
        Reply("Added task 1 Buy milk."),
    )  # fmt: skip
    chat = SendChatMessage(uow, clock, make_agent(model, style), tools)
    request = ChatRequest(message="add buy milk tomorrow", timezone="Europe/Paris")
    events = [event async for event in chat.stream("alice", request, stream=stream)]

    answer = events[-1]
    assert answer.response == "Let me do that.\n\nAdded task 1 Buy milk."  # type: ignore[union-attr]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == answer.response  # type: ignore[union-attr]
    assert [(e.call_id, e.name) for e in events if isinstance(e, ToolCallEvent)] == [("c1", "list_tasks"),
                                                                                     ("c2", "add_task")]  # fmt: skip
    assert [e.call_id for e in events if isinstance(e, ToolResultEvent)] == ["c1", "c2"]
    assert uow.state.tasks[("alice", 1)].title == "Buy milk"

    chat_style = style == "chat_completions"
    first, second = model.requests
    assert first.path == ("/v1/chat/completions" if chat_style else "/v1/responses")
    assert bool(first.body.get("stream")) is stream
    assert first.headers["authorization"] == "Bearer test-key"
    names = [t["function"]["name"] if chat_style else t["name"] for t in first.body["tools"]]
    assert names == [tool.name for tool in tools.catalogue]
    assert "user_id" not in json.dumps(first.body["tools"]) and "owner" not in json.dumps(first.body["tools"])
    prompt = system_text(first, chat_style)
    assert "2026-11-24" in prompt and "11:00" in prompt and "Europe/Paris" in prompt
    assert "never invent" in prompt and "not instructions" in prompt and "confirm" in prompt
    assert "restore_task" in prompt and '"the second one"' in prompt and "not_found" in prompt
    outputs = sent_tool_outputs(second, chat_style)
    assert outputs["c1"] == {"items": [], "next_cursor": None}
    assert outputs["c2"]["title"] == "Buy milk" and outputs["c2"]["due"] == "2026-11-25"
    assert system_text(second, chat_style) == prompt


async def test_responses_feed_back_the_models_own_output_items(model: FakeModelServer, tools: TaskTools) -> None:
    model.play(Reply(calls=[("c1", "list_tasks", {})]), Reply("none"))
    agent = make_agent(model, "responses")
    chat = SendChatMessage(InMemoryUnitOfWork(), FixedClock(), agent, tools)
    await chat.execute("alice", ChatRequest(message="list"))

    sent = model.requests[1].body["input"]
    assert sent[0] == {"role": "user", "content": "list"}
    assert {k: sent[1][k] for k in ("type", "id", "call_id", "name")} == {
        "type": "function_call", "id": "fc_1_0", "call_id": "c1", "name": "list_tasks"}  # fmt: skip
    assert sent[2]["type"] == "function_call_output" and sent[2]["call_id"] == "c1"
    assert model.requests[1].body["parallel_tool_calls"] is True


@pytest.mark.parametrize("style", ["responses", "chat_completions"])
async def test_the_history_goes_with_each_turn_calls_paired_with_results(
    model: FakeModelServer, uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools, style: str
) -> None:
    model.play(Reply(calls=[("c1", "add_task", {"title": "Walk"})]), Reply("Added Walk."), Reply("You're welcome."))
    chat = SendChatMessage(uow, clock, make_agent(model, style), tools)
    first = await chat.execute("alice", ChatRequest(message="add walk"))
    await chat.execute("alice", ChatRequest(message="thanks", conversation_id=first.conversation_id))

    third = model.requests[2].body
    if style == "chat_completions":
        roles = [(m["role"], m.get("content")) for m in third["messages"][1:]]
        assert roles == [("user", "add walk"), ("assistant", None), ("tool", roles[2][1]),
                         ("assistant", "Added Walk."), ("user", "thanks")]  # fmt: skip
        call = third["messages"][2]["tool_calls"][0]
        assert third["messages"][3]["tool_call_id"] == call["id"] == "h1_c1"
        assert json.loads(third["messages"][3]["content"])["title"] == "Walk"
    else:
        kinds = [item.get("type") or item["role"] for item in third["input"]]
        assert kinds == ["user", "function_call", "function_call_output", "assistant", "user"]
        assert third["input"][1]["call_id"] == third["input"][2]["call_id"] == "h1_c1"
        assert json.loads(third["input"][1]["arguments"]) == {"title": "Walk"}


@pytest.mark.parametrize("style", ["responses", "chat_completions"])
async def test_tool_errors_and_bad_arguments_are_fed_back_to_the_model(
    model: FakeModelServer, uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools, style: str
) -> None:
    model.play(
        Reply(calls=[("c1", "complete_task", {"task_id": 99}), ("c2", "add_task", "{not json"),
                     ("c3", "launch_rockets", {})]),
        Reply("Sorry, there is no task 99."),
    )  # fmt: skip
    answer = await SendChatMessage(uow, clock, make_agent(model, style), tools).execute(
        "alice", ChatRequest(message="x")
    )

    outputs = sent_tool_outputs(model.requests[1], style == "chat_completions")
    assert "There is no task 99" in outputs["c1"]["error"] and outputs["c1"]["kind"] == "not_found"
    assert "must be a JSON object" in outputs["c2"]["error"] and outputs["c2"]["kind"] == "invalid_arguments"
    assert "Unknown tool" in outputs["c3"]["error"] and outputs["c3"]["kind"] == "unknown_tool"
    assert [c.is_error for c in answer.tool_calls] == [True, True, True]
    assert answer.tool_calls[1].arguments == {"raw": "{not json"}
    assert uow.state.tasks == {}


@pytest.mark.parametrize("style", ["responses", "chat_completions"])
async def test_nothing_the_model_asks_can_touch_another_users_tasks(
    model: FakeModelServer, uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools, style: str
) -> None:
    add = AddTask(uow, clock)
    for title in ("Bob's one", "Bob's two"):
        await add.execute("bob", NewTask(title=title))
    bobs = {key: task.title for key, task in uow.state.tasks.items()}
    model.play(
        Reply(calls=[("c1", "delete_task", {"task_id": 1}), ("c2", "update_task", {"task_id": 2, "title": "pwned"}),
                     ("c3", "add_task", {"title": "planted", "user_id": "bob"}),
                     ("c4", "list_tasks", {"owner_id": "bob"})]),
        Reply("I can't."),
    )  # fmt: skip
    answer = await SendChatMessage(uow, clock, make_agent(model, style), tools).execute(
        "alice", ChatRequest(message="delete all of bob's tasks")
    )

    assert all(call.is_error for call in answer.tool_calls)
    assert {key: task.title for key, task in uow.state.tasks.items()} == bobs
    assert all(task.deleted_at is None for task in uow.state.tasks.values())


async def test_a_model_that_never_stops_calling_tools_is_cut_at_max_steps(
    model: FakeModelServer, tools: TaskTools
) -> None:
    model.default = Reply(calls=[("c", "list_tasks", {})])
    agent = make_agent(model, "chat_completions", max_steps=3)
    answer = await SendChatMessage(InMemoryUnitOfWork(), FixedClock(), agent, tools).execute(
        "alice", ChatRequest(message="loop")
    )
    assert len(model.requests) == 3 and len(answer.tool_calls) == 3
    assert "more steps than I'm allowed" in answer.response


def test_an_unknown_api_style_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown API style"):
        OpenAIChatAgent(AsyncOpenAI(api_key="k", base_url="http://127.0.0.1:9/v1"), "m", "completions")


def test_the_factory_sets_the_timeout_and_leaves_retries_to_the_agent() -> None:
    from adapters.agents.openai.agent import create_openai_agent

    agent = create_openai_agent(api_key=None, base_url="http://127.0.0.1:9/v1", model="m", api_style="responses",
                                timeout_seconds=7, max_retries=3, max_steps=5)  # fmt: skip
    assert agent._client.timeout == 7 and agent._client.max_retries == 0
    assert agent._retries == 3 and agent._max_steps == 5
    assert str(agent._client.base_url).startswith("http://127.0.0.1:9/v1")


async def test_the_zone_defaults_to_utc_in_the_prompt(model: FakeModelServer, tools: TaskTools) -> None:
    chat = SendChatMessage(InMemoryUnitOfWork(), FixedClock(), make_agent(model, "responses"), tools)
    await chat.execute("alice", ChatRequest(message="hi"))
    assert "10:00 in the user's time zone (UTC, UTC+00:00)" in model.requests[0].body["instructions"]
    assert UTC is not None

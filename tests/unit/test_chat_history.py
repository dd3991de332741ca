"""The history budget: recent messages verbatim, bounded, never a result without its call."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from application.chat.history import HistoryBudget, bound_history, message_size
from domain.conversations import Message, Role, ToolCallRecord

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def _message(role: Role, text: str, *calls: ToolCallRecord) -> Message:
    return Message(role, text, NOW, tool_calls=calls)


def _call(number: int, result: Any) -> ToolCallRecord:
    return ToolCallRecord(f"c{number}", "list_tasks", {"status": "all"}, result)


def _conversation(turns: int, reply: str = "ok") -> list[Message]:
    messages = []
    for number in range(turns):
        messages += [_message(Role.USER, f"q{number}"), _message(Role.ASSISTANT, reply)]
    return messages


def test_short_histories_pass_verbatim() -> None:
    messages = _conversation(3)
    assert bound_history(messages, HistoryBudget()) == tuple(messages)


def test_the_newest_messages_are_kept_up_to_the_message_count() -> None:
    kept = bound_history(_conversation(50), HistoryBudget(messages=6))
    assert [m.content for m in kept] == ["q47", "ok", "q48", "ok", "q49", "ok"]


def test_the_size_stays_within_the_budget_and_starts_with_the_user() -> None:
    budget = HistoryBudget(messages=100, chars=3_000, message_chars=1_000)
    kept = bound_history(_conversation(200, reply="r" * 5_000), budget)
    assert sum(message_size(m) for m in kept) <= 3_000
    assert kept[0].role is Role.USER
    assert kept[-1].content == "r" * 999 + "…"


def test_a_message_that_alone_exceeds_the_budget_leaves_no_history() -> None:
    budget = HistoryBudget(chars=100, message_chars=4_000)
    assert bound_history([_message(Role.USER, "x" * 500)], budget) == ()


def test_long_tool_results_are_compacted_but_stay_with_their_call() -> None:
    items = [{"id": n, "title": f"task {n}", "completed": False, "description": "d" * 200} for n in range(30)]
    huge = _call(1, {"items": items, "next_cursor": None})
    budget = HistoryBudget(tool_result_chars=2_000)
    kept = bound_history([_message(Role.USER, "list"), _message(Role.ASSISTANT, "here", huge)], budget)

    (call,) = kept[1].tool_calls
    assert call.call_id == "c1" and call.name == "list_tasks" and call.arguments == {"status": "all"}
    assert call.result["items"][0] == {"id": 0, "title": "task 0", "completed": False}
    assert len(call.result["items"]) == 30


def test_a_long_list_keeps_its_ids_in_order_and_then_short_titles() -> None:
    items = [{"id": n, "title": f"A rather long title for task number {n}", "completed": False} for n in range(1, 101)]
    listed = _call(1, {"items": items, "next_cursor": "c"})
    medium = HistoryBudget(tool_result_chars=4_000)
    short = HistoryBudget(tool_result_chars=1_500)
    conversation = [_message(Role.USER, "list"), _message(Role.ASSISTANT, "here", listed)]

    sixty = [conversation[0], _message(Role.ASSISTANT, "x", _call(1, {"items": items[:60]}))]
    (with_titles,) = bound_history(sixty, medium)[1].tool_calls
    (ids_only,) = bound_history(conversation, short)[1].tool_calls

    assert with_titles.result["items"][0] == {"id": 1, "title": "A rather long title for…"}
    assert ids_only.result["items"] == [{"id": n} for n in range(1, 101)]
    assert "id" in ids_only.result["note"]


def test_results_too_big_even_when_compacted_are_replaced_by_a_note() -> None:
    budget = HistoryBudget(tool_result_chars=300)
    big = _call(1, {"text": "z" * 1_000})
    big_args = ToolCallRecord("c2", "add_task", {"title": "t", "description": "d" * 1_000}, {"id": 1})
    kept = bound_history([_message(Role.USER, "go"), _message(Role.ASSISTANT, "done", big, big_args)], budget)

    first, second = kept[1].tool_calls
    assert "omitted" in first.result["note"]
    assert "omitted" in second.arguments["note"] and second.result == {"id": 1}


def test_only_the_last_tool_calls_of_a_message_are_kept() -> None:
    calls = [_call(n, {"ok": n}) for n in range(12)]
    kept = bound_history([_message(Role.USER, "go"), _message(Role.ASSISTANT, "done", *calls)], HistoryBudget())
    assert [c.call_id for c in kept[1].tool_calls] == [f"c{n}" for n in range(4, 12)]

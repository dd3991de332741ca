"""The slice of a conversation an agent gets: recent messages verbatim, bounded in size.

A message and its tool calls (each call with its own result) are kept or dropped as one
unit, so the model never sees a tool result without the call that produced it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from domain.conversations import Message, Role, ToolCallRecord


@dataclass(frozen=True, slots=True)
class HistoryBudget:
    """How much history a turn loads and passes on, whatever the conversation's length."""

    messages: int = 20
    chars: int = 16_000
    message_chars: int = 4_000
    tool_calls_per_message: int = 8
    tool_result_chars: int = 1_500


_OMITTED = "omitted from the history to save space; call the tool again if you need it"


def _encoded_size(value: Any) -> int:
    return len(msgspec.json.encode(value))


def _shorten(title: Any, limit: int) -> Any:
    if not isinstance(title, str) or len(title) <= limit:
        return title
    return title[: limit - 1] + "…"


def _compact_list(items: list[Any], limit: int) -> dict[str, Any] | None:
    """A task list that fits: ids, titles and done flags; then shorter titles; then the ids
    alone. The ids (in the order listed) are what later turns refer to ("the second one")."""
    tasks = [item for item in items if isinstance(item, dict)]
    shapes = [
        ([{key: item.get(key) for key in ("id", "title", "completed")} for item in tasks], "id, title and completed"),
        ([{"id": item.get("id"), "title": _shorten(item.get("title"), 24)} for item in tasks], "id and short title"),
        ([{"id": item.get("id")} for item in tasks], "id"),
    ]
    for compact_items, kept in shapes:
        compact = {"items": compact_items, "note": f"fields other than {kept} omitted"}
        if _encoded_size(compact) <= limit:
            return compact
    return None


def _compact_result(result: Any, limit: int) -> Any:
    if _encoded_size(result) <= limit:
        return result
    if isinstance(result, dict) and isinstance(result.get("items"), list):
        compact = _compact_list(result["items"], limit)
        if compact is not None:
            return compact
    return {"note": _OMITTED}


def _compact_call(call: ToolCallRecord, budget: HistoryBudget) -> ToolCallRecord:
    arguments = call.arguments
    if _encoded_size(arguments) > budget.tool_result_chars:
        arguments = {"note": _OMITTED}
    result = _compact_result(call.result, budget.tool_result_chars)
    if arguments is call.arguments and result is call.result:
        return call
    return dataclasses.replace(call, arguments=arguments, result=result)


def _compact(message: Message, budget: HistoryBudget) -> Message:
    content = message.content
    if len(content) > budget.message_chars:
        content = content[: budget.message_chars - 1] + "…"
    calls = message.tool_calls[-budget.tool_calls_per_message :] if budget.tool_calls_per_message else ()
    compact_calls = tuple(_compact_call(call, budget) for call in calls)
    return dataclasses.replace(message, content=content, tool_calls=compact_calls)


def message_size(message: Message) -> int:
    """Characters a message costs in the budget: its text plus its tool calls as JSON."""
    calls = sum(
        _encoded_size(call.arguments) + _encoded_size(call.result) + len(call.name) for call in message.tool_calls
    )
    return len(message.content) + calls


def bound_history(messages: Sequence[Message], budget: HistoryBudget) -> tuple[Message, ...]:
    """The newest messages (oldest first) whose total size fits the budget, starting with a
    user message; long texts and tool results are shortened, never split from their call."""
    kept: list[Message] = []
    total = 0
    for message in reversed(messages[-budget.messages :] if budget.messages else ()):
        compact = _compact(message, budget)
        size = message_size(compact)
        if total + size > budget.chars:
            break
        kept.append(compact)
        total += size
    kept.reverse()
    while kept and kept[0].role is not Role.USER:
        kept.pop(0)
    return tuple(kept)

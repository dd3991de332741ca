"""What the offline agent remembers of a conversation, read back from the stored messages.

The server keeps no state between turns, so everything a later turn refers to is read from
the history: the agent's own replies name every task as ``#id`` at a fixed place of a line
(before any text a user wrote), and its questions have fixed shapes. When the history
budget cut a long reply short, the ids of its list come from the stored ``list_tasks``
result instead (the budget keeps a list's ids, in order, whatever it drops).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.conversations import Message, Role, ToolCallRecord

CONFIRM = 'Say "yes" to go ahead, or "no" to leave them as they are.'
WHICH = 'Which task do you mean? Say its number (e.g. "task 3") or words from its title.'
_LINE_ID = re.compile(r'^[^"#\n]*#(\d+)\b', re.M)
_LISTED = re.compile(r"^\[[ x]\] #\d+\b", re.M)
_MORE = re.compile(r"^…and \d+ more: ((?:#\d+, )*#\d+)\.$", re.M)
_MEAN = re.compile(r'^For "(?P<words>.*)", do you mean #(?P<id>\d+) ', re.M)
_SEVERAL = re.compile(r'^Several tasks match "(?P<words>.*)":$', re.M)
_CHANGES = frozenset({"add_task", "update_task", "complete_task", "toggle_task_status", "delete_task", "restore_task"})


@dataclass(frozen=True, slots=True)
class Pending:
    """A question the last reply asked: ``confirm`` (several tasks), ``mean`` (one weak
    match), ``which`` (several matches) or ``target`` (which task at all); the ids it named;
    the words it was about; and the user's message that led to it."""

    kind: str
    ids: tuple[int, ...]
    words: str
    request: str


@dataclass(slots=True)
class Memory:
    """The tasks a new message may refer to: ``shown`` (the last list, in order), ``focus``
    (the tasks the last reply named), the pending question and the last changes made."""

    shown: list[int] = field(default_factory=list)
    focus: list[int] = field(default_factory=list)
    pending: Pending | None = None
    changes: tuple[ToolCallRecord, ...] = ()
    last_request: str = ""

    def saw(self, ids: list[int], *, listed: bool = False) -> None:
        """Tasks named by this turn: later parts of the message refer to them."""
        if ids:
            self.focus = list(ids)
            if listed or len(ids) > 1:
                self.shown = list(ids)


_BLOCK = re.compile(
    r"^(?:(?:Mark|Reopen|Delete|Change|Bring back) these \d+ tasks? .*\?|Several tasks match .*:)$", re.M
)


def named_ids(message: Message, *, block: bool = False) -> tuple[list[int], bool]:
    """The ids a reply named, in order, and whether the reply was read in full; with
    ``block``, only those after its question's first line (a question's own list)."""
    text = message.content
    if block and (starts := list(_BLOCK.finditer(text))):
        text = text[starts[-1].end() :]
    complete = not text.endswith("…")
    ids = [int(number) for number in _LINE_ID.findall(text)]
    for more in _MORE.findall(text):
        ids += [int(number) for number in re.findall(r"\d+", more)]
    if not complete:
        listed = _listed_ids(message.tool_calls)
        if len(listed) > len(ids):
            return listed, True
    return list(dict.fromkeys(ids)), complete


def _listed_ids(calls: Sequence[ToolCallRecord]) -> list[int]:
    for call in reversed(calls):
        if call.name == "list_tasks" and not call.is_error and isinstance(call.result, dict):
            items = call.result.get("items")
            if isinstance(items, list):
                return [item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), int)]
    return []


def _pending(history: Sequence[Message]) -> Pending | None:
    if len(history) < 2 or history[-1].role is not Role.ASSISTANT or history[-2].role is not Role.USER:
        return None
    reply, request = history[-1], history[-2].content
    if mean := _MEAN.search(reply.content):
        return Pending("mean", (int(mean.group("id")),), mean.group("words"), request)
    ids, complete = named_ids(reply, block=True)
    if several := _SEVERAL.search(reply.content):
        return Pending("which", tuple(ids), several.group("words"), request)
    if reply.content.rstrip().endswith(CONFIRM) and complete and ids:
        return Pending("confirm", tuple(ids), "", request)
    if reply.content.strip() == WHICH:
        return Pending("target", (), "", request)
    return None


def remember(history: Sequence[Message]) -> Memory:
    """What the stored messages (oldest first) say the user may refer to."""
    memory = Memory(pending=_pending(history))
    if len(history) >= 2 and history[-2].role is Role.USER and history[-1].role is Role.ASSISTANT:
        memory.last_request = history[-2].content
    for message in reversed(history):
        if message.role is not Role.ASSISTANT:
            continue
        if not memory.changes:
            memory.changes = tuple(c for c in message.tool_calls if c.name in _CHANGES and not c.is_error)
        ids, _ = named_ids(message)
        if ids and not memory.focus:
            memory.focus = ids
        if ids and not memory.shown and (len(ids) > 1 or _LISTED.search(message.content)):
            memory.shown = ids
        if memory.focus and memory.shown and memory.changes:
            break
    return memory

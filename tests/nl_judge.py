"""The chat command corpus (tests/data/nl-commands.tsv) and its judge.

Reusable by any test that can seed a user's tasks, send one chat message and list the
user's live tasks before and after: unit tests through ``SendChatMessage``, end-to-end
tests through the real HTTP endpoint. Tasks are dicts in the REST/tool wire form.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "data" / "nl-commands.tsv"
COMPARED = ("title", "description", "completed", "priority", "due", "tags", "recurrence")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

Task = dict[str, Any]


@dataclass(frozen=True)
class Case:
    line: int
    message: str
    outcome: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message!r} -> {self.outcome}"


def load_cases(path: Path = CORPUS) -> list[Case]:
    cases = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        message, outcome = raw.split("\t")
        cases.append(Case(number, message, outcome.strip()))
    return cases


@dataclass(frozen=True)
class SeedTask:
    """One task of the corpus's starting state: a create body, then maybe completed."""

    body: dict[str, Any]
    completed: bool = False


def seed_tasks(today: date) -> list[SeedTask]:
    """The six tasks every line starts from (ids 1..6 in this order)."""
    yesterday = (today - timedelta(days=1)).isoformat()
    return [
        SeedTask({"title": "Buy groceries", "priority": "medium"}),
        SeedTask({"title": "Call mom", "priority": "high"}),
        SeedTask({"title": "Finish report", "priority": "medium"}, completed=True),
        SeedTask({"title": "Team meeting notes", "priority": "medium", "tags": ["work"]}),
        SeedTask({"title": "Pay electricity bill", "priority": "medium", "due": yesterday}),
        SeedTask({"title": "Call the plumber", "priority": "low"}),
    ]


def expected_date(value: str, today: date) -> str:
    """``+Nd``, a weekday name (the next such day after today) or an ISO date."""
    if match := re.fullmatch(r"\+(\d+)d", value):
        return (today + timedelta(days=int(match.group(1)))).isoformat()
    if value.lower() in WEEKDAYS:
        days = (WEEKDAYS.index(value.lower()) - today.weekday()) % 7 or 7
        return (today + timedelta(days=days)).isoformat()
    return value


def _norm(field: str, value: Any) -> Any:
    if field == "tags":
        return frozenset(str(tag).strip().casefold() for tag in value or ())
    if field == "due":
        return None if value is None else str(value)[:10]
    if isinstance(value, str):
        return value.strip().casefold()
    return value


def _field_value(field: str, raw: str, today: date) -> Any:
    if field == "tags":
        return _norm("tags", [tag for tag in raw.split(",") if tag.strip()])
    if field == "due":
        return expected_date(raw, today)
    if field == "completed":
        return raw.lower() == "true"
    return _norm(field, raw)


def _view(task: Task) -> dict[str, Any]:
    return {field: _norm(field, task.get(field)) for field in COMPARED}


def _changes(before: dict[int, Task], after: dict[int, Task], ignore: set[int]) -> list[str]:
    problems = []
    for task_id in sorted(set(before) | set(after)):
        if task_id in ignore:
            continue
        if task_id not in after:
            problems.append(f"task {task_id} disappeared")
        elif task_id not in before:
            problems.append(f"task {task_id} appeared: {after[task_id]['title']!r}")
        elif _view(before[task_id]) != _view(after[task_id]):
            problems.append(f"task {task_id} changed: {_view(before[task_id])} -> {_view(after[task_id])}")
    return problems


def _fields(task: Task, pairs: list[str], today: date) -> list[str]:
    problems = []
    for field, raw in (pair.split("=", 1) for pair in pairs):
        want, got = _field_value(field, raw, today), _norm(field, task.get(field))
        if want != got:
            problems.append(f"task {task.get('id')} {field}: expected {want!r}, got {got!r}")
    return problems


def _same_except(before: Task, after: Task, fields: set[str]) -> list[str]:
    old, new = _view(before), _view(after)
    return [
        f"task {before['id']} {field} changed: {old[field]!r} -> {new[field]!r}"
        for field in COMPARED
        if field not in fields and old[field] != new[field]
    ]


def named_in_text(text: str, tasks: list[Task]) -> set[int]:
    """Ids of the tasks whose title the text contains (as whole words, any case)."""
    folded = text.casefold()
    return {
        task["id"] for task in tasks if re.search(r"(?<!\w)" + re.escape(task["title"].casefold()) + r"(?!\w)", folded)
    }


def named_in_results(answer: dict[str, Any]) -> set[int]:
    """Ids of the tasks that successful ``list_tasks`` calls returned."""
    ids: set[int] = set()
    for call in answer.get("tool_calls", []):
        if call["name"] == "list_tasks" and not call.get("is_error"):
            ids |= {item["id"] for item in call["result"].get("items", [])}
    return ids


def judge(outcome: str, before: list[Task], after: list[Task], answer: dict[str, Any], today: date) -> list[str]:
    """What is wrong with a turn (empty when it did what ``outcome`` says). ``before`` and
    ``after`` are the user's live tasks; ``answer`` is the chat JSON answer."""
    kind, *rest = shlex.split(outcome)
    old = {task["id"]: task for task in before}
    new = {task["id"]: task for task in after}
    if kind == "created":
        added = sorted(set(new) - set(old))
        if len(added) != 1:
            return [f"expected exactly one new task, got {len(added)}", *_changes(old, new, set(added))]
        return _fields(new[added[0]], rest, today) + _changes(old, new, set(added))
    if kind in {"completed", "reopened", "deleted", "updated"}:
        return _judge_change(kind, int(rest[0]), rest[1:], old, new, today)
    if kind == "listed":
        expected = {int(number) for number in rest[0].split(",")}
        in_text = named_in_text(answer.get("response", ""), after)
        named = in_text or named_in_results(answer)
        problems = _changes(old, new, set())
        if named != expected:
            problems.append(f"the answer names tasks {sorted(named)}, expected {sorted(expected)}")
        return problems
    if kind == "unchanged":
        return _changes(old, new, set())
    raise ValueError(f"unknown outcome {outcome!r}")


def _judge_change(
    kind: str, task_id: int, pairs: list[str], old: dict[int, Task], new: dict[int, Task], today: date
) -> list[str]:
    problems = _changes(old, new, {task_id})
    if task_id not in old:
        return [f"task {task_id} is not in the seed", *problems]
    if kind == "deleted":
        return problems + ([f"task {task_id} is still live"] if task_id in new else [])
    if task_id not in new:
        return [f"task {task_id} disappeared", *problems]
    if kind in {"completed", "reopened"}:
        want = kind == "completed"
        if new[task_id].get("completed") is not want:
            problems.append(f"task {task_id} completed is {new[task_id].get('completed')}, expected {want}")
        return problems + _same_except(old[task_id], new[task_id], {"completed"})
    names = {pair.split("=", 1)[0] for pair in pairs}
    return problems + _fields(new[task_id], pairs, today) + _same_except(old[task_id], new[task_id], names)

"""The chat command corpus (tests/data/nl-commands.tsv) and its judge.

Reusable by any test that can seed a user's tasks, send one chat message and list the
user's live tasks before and after: unit tests through ``SendChatMessage``, end-to-end
tests through the real HTTP endpoint. Tasks are dicts in the REST/tool wire form.
"""

from __future__ import annotations

import itertools
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


def _next_month_day(today: date, month: int, day: int) -> date:
    """The next such month and day, today included."""
    for year in range(today.year, today.year + 9):
        try:
            found = date(year, month, day)
        except ValueError:  # February 29 in a common year
            continue
        if found >= today:
            return found
    raise ValueError(f"no date {month}-{day}")


def expected_date(value: str, today: date) -> str | None:
    """``+Nd``, a weekday name (the next such day after today), ``dom:N`` (the next day N of a
    month, today included), ``md:MM-DD`` (the next such date, today included), ``eom`` (the
    last day of this month), ``weekend`` (today on a weekend, else the coming Saturday),
    ``none``, or an ISO date."""
    value = value.lower()
    if match := re.fullmatch(r"\+(\d+)d", value):
        return (today + timedelta(days=int(match.group(1)))).isoformat()
    if value in WEEKDAYS:
        days = (WEEKDAYS.index(value) - today.weekday()) % 7 or 7
        return (today + timedelta(days=days)).isoformat()
    if match := re.fullmatch(r"dom:(\d+)", value):
        month, year = today.month, today.year
        while True:
            try:
                found = date(year, month, int(match.group(1)))
            except ValueError:
                found = None
            if found is not None and found >= today:
                return found.isoformat()
            month, year = (1, year + 1) if month == 12 else (month + 1, year)
    if match := re.fullmatch(r"md:(\d+)-(\d+)", value):
        return _next_month_day(today, int(match.group(1)), int(match.group(2))).isoformat()
    if value == "eom":
        first_next = date(today.year + today.month // 12, today.month % 12 + 1, 1)
        return (first_next - timedelta(days=1)).isoformat()
    if value == "weekend":
        return (today + timedelta(days=0 if today.weekday() >= 5 else 5 - today.weekday())).isoformat()
    if value == "none":
        return None
    return value


def expected_instant(value: str, today: date) -> str:
    """``<date>THH:MM`` with a date as ``expected_date`` reads it: the due instant in UTC."""
    day, time = value.split("T")
    return f"{expected_date(day, today)}T{time}"


def _norm(field: str, value: Any) -> Any:
    if field == "tags":
        return frozenset(str(tag).strip().casefold() for tag in value or ())
    if field == "due":
        return None if value is None else str(value)[:10]
    if field == "due_at":
        return None if value is None else str(value)[:16]
    if isinstance(value, str):
        return value.strip().casefold()
    return value


def _field_value(field: str, raw: str, today: date) -> Any:
    if field == "tags":
        return _norm("tags", [tag for tag in raw.split(",") if tag.strip()])
    if field == "due":
        return expected_date(raw, today)
    if field == "due_at":
        return expected_instant(raw, today)
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
        stored = task.get("due" if field == "due_at" else field)
        want, got = _field_value(field, raw, today), _norm(field, stored)
        if want != got:
            problems.append(f"task {task.get('id')} {field}: expected {want!r}, got {got!r}")
    return problems


def _same_except(before: Task, after: Task, fields: set[str]) -> list[str]:
    old, new = _view(before), _view(after)
    fields = fields | ({"due"} if "due_at" in fields else set())
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


def _says(text: str, answer: dict[str, Any]) -> list[str]:
    pattern = r"(?<!\w)" + re.escape(text.casefold()) + r"(?!\w)"
    if re.search(pattern, answer.get("response", "").casefold()):
        return []
    return [f"the answer does not say {text!r}"]


def _created(specs: list[list[str]], new: dict[int, Task], added: list[int], today: date) -> list[str]:
    if len(added) != len(specs):
        return [f"expected exactly {len(specs)} new task(s), got {len(added)}"]
    if len(specs) == 1:
        return _fields(new[added[0]], specs[0], today)
    for order in itertools.permutations(added):
        if all(not _fields(new[task_id], spec, today) for task_id, spec in zip(order, specs, strict=True)):
            return []
    return [f"the new tasks {[new[i]['title'] for i in added]} do not match {specs}"]


def judge(outcome: str, before: list[Task], after: list[Task], answer: dict[str, Any], today: date) -> list[str]:
    """What is wrong with a turn (empty when it did what ``outcome`` says). ``before`` and
    ``after`` are the user's live tasks; ``answer`` is the chat JSON answer. An outcome may
    have several parts separated by ``;`` (each change part may name several ids, ``1,4``);
    every task no part names must be unchanged."""
    old = {task["id"]: task for task in before}
    new = {task["id"]: task for task in after}
    added = sorted(set(new) - set(old))
    problems: list[str] = []
    specs: list[list[str]] = []
    named: set[int] = set()
    for part in (p.strip() for p in outcome.split(";")):
        kind, *rest = shlex.split(part)
        if kind == "created":
            specs.append(rest)
        elif kind in {"completed", "reopened", "deleted", "updated"}:
            ids = [int(number) for number in rest[0].split(",")]
            named |= set(ids)
            for task_id in ids:
                problems += _judge_change(kind, task_id, rest[1:], old, new, today)
        elif kind == "listed":
            problems += _listed(rest[0], answer, after)
        elif kind == "says":
            problems += _says(" ".join(rest), answer)
        elif kind != "unchanged":
            raise ValueError(f"unknown outcome {outcome!r}")
    if specs or added:
        problems += _created(specs, new, added, today)
    return problems + _changes(old, new, named | set(added))


def _listed(raw: str, answer: dict[str, Any], after: list[Task]) -> list[str]:
    expected = {int(number) for number in raw.split(",")}
    named = named_in_text(answer.get("response", ""), after) or named_in_results(answer)
    return [] if named == expected else [f"the answer names tasks {sorted(named)}, expected {sorted(expected)}"]


def _judge_change(
    kind: str, task_id: int, pairs: list[str], old: dict[int, Task], new: dict[int, Task], today: date
) -> list[str]:
    """What is wrong with one named task (the other tasks are checked by the caller)."""
    if task_id not in old:
        return [f"task {task_id} is not in the seed"]
    if kind == "deleted":
        return [f"task {task_id} is still live"] if task_id in new else []
    if task_id not in new:
        return [f"task {task_id} disappeared"]
    if kind in {"completed", "reopened"}:
        want = kind == "completed"
        problems = []
        if new[task_id].get("completed") is not want:
            problems.append(f"task {task_id} completed is {new[task_id].get('completed')}, expected {want}")
        return problems + _same_except(old[task_id], new[task_id], {"completed"})
    names = {pair.split("=", 1)[0] for pair in pairs}
    return _fields(new[task_id], pairs, today) + _same_except(old[task_id], new[task_id], names)

"""The offline grammar, phrase by phrase (dates, adds, lists, updates)."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.agents.offline_dates import describe_date, parse_date
from adapters.agents.offline_parse import Act, AddTask, Help, ListTasks, Refuse, parse

TODAY = date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("today", "2026-11-24"), ("tonight", "2026-11-24"), ("tomorrow", "2026-11-25"),
        ("the day after tomorrow", "2026-11-26"), ("next week", "2026-12-01"), ("in 3 days", "2026-11-27"),
        ("in 2 weeks", "2026-12-08"), ("next month", "2026-12-01"), ("friday", "2026-11-27"),
        ("Tuesday", "2026-12-01"), ("next mon", "2026-11-30"), ("on thurs", "2026-11-26"),
        ("2026-12-15", "2026-12-15"), ("dec 5", "2026-12-05"), ("December 5th, 2027", "2027-12-05"),
        ("5 jan", "2027-01-05"), ("3rd of March", "2027-03-03"), ("nov 30", "2026-11-30"),
        ("2026-02-30", None), ("feb 30", None), ("someday", None), ("smarch 3", None),
    ],
)  # fmt: skip
def test_date_words(words: str, expected: str | None) -> None:
    found = parse_date(words, TODAY)
    assert (found.isoformat() if found else None) == expected


def test_next_month_in_december_is_january() -> None:
    assert parse_date("next month", date(2026, 12, 10)) == date(2027, 1, 1)


def test_dates_are_described_relative_to_today() -> None:
    assert describe_date(TODAY, TODAY) == "today (2026-11-24)"
    assert describe_date(date(2026, 11, 27), TODAY) == "Friday 2026-11-27"
    assert describe_date(date(2027, 1, 1), TODAY) == "2027-01-01"


@pytest.mark.parametrize(
    ("message", "arguments"),
    [
        ("add buy milk tomorrow tagged home", {"title": "Buy milk", "tags": ["home"], "due": "2026-11-25"}),
        ("add call mom on friday, high priority", {"title": "Call mom", "priority": "high", "due": "2026-11-27"}),
        ("Add task pay rent every month", {"title": "Pay rent", "recurrence": "monthly"}),
        ("add #work finish slides", {"title": "Finish slides", "tags": ["work"]}),
        ("add urgent task: fix the roof", {"title": "Fix the roof", "priority": "high"}),
        ("add weekly task water plants", {"title": "Water plants", "recurrence": "weekly"}),
        ("add daily standup notes", {"title": "Daily standup notes"}),
        ("add buy eggs due dec 5 tagged food and home", {"title": "Buy eggs", "due": "2026-12-05",
                                                         "tags": ["food", "home"]}),
        ("add read book on 2026-13-45", {"title": "Read book on 2026-13-45"}),
        ("don't forget to call Ann", {"title": "Call Ann"}),
        ("add 'lowercase title' with notes: bring the receipt", {"title": "lowercase title",
                                                                 "description": "bring the receipt"}),
    ],
)  # fmt: skip
def test_adds(message: str, arguments: dict[str, object]) -> None:
    assert parse(message, TODAY) == AddTask(arguments)


@pytest.mark.parametrize(
    ("message", "arguments"),
    [
        ("what's due today?", {"due_after": "2026-11-23", "due_before": "2026-11-25"}),
        ("find tasks about milk", {"q": "milk"}),
        ("search for 'oat milk'", {"q": "oat milk"}),
        ("show my urgent tasks", {"priority": "high"}),
        ("list tasks #home", {"tag": "home"}),
        ("what is done", {"status": "completed"}),
        ("what do I have left", {"status": "pending"}),
        ("tomorrow", {"due_after": "2026-11-24", "due_before": "2026-11-26"}),
    ],
)
def test_lists(message: str, arguments: dict[str, object]) -> None:
    command = parse(message, TODAY)
    assert isinstance(command, ListTasks) and command.arguments == arguments


@pytest.mark.parametrize(
    ("message", "action", "ids", "words", "changes"),
    [
        ("set task 4 due date to none", "update", (4,), "", {"due": None}),
        ("clear the tags of task 2", "update", (2,), "", {"tags": []}),
        ("remove the description from task 2", "update", (2,), "", {"description": None}),
        ("set task 3 to low", "update", (3,), "", {"priority": "low"}),
        ("change task 3 to daily", "update", (3,), "", {"recurrence": "daily"}),
        ("make task 3 repeat never", "update", (3,), "", {"recurrence": "none"}),
        ("set the tags of task 1 to a, b", "update", (1,), "", {"tags": ["a", "b"]}),
        ("change task 1 to friday", "update", (1,), "", {"due": "2026-11-27"}),
        ("task 2 is done", "complete", (2,), "", {}),
        ("I finished the report", "complete", (), "report", {}),
        ("mark #2 done", "complete", (), "", {}),
        ("uncheck task number 7", "reopen", (7,), "", {}),
        ("delete the task called buy milk", "delete", (), "buy milk", {}),
    ],
)
def test_acts(message: str, action: str, ids: tuple[int, ...], words: str, changes: dict[str, object]) -> None:
    command = parse(message, TODAY)
    assert isinstance(command, Act), command
    assert (command.action, command.target.words, command.changes) == (action, words, changes)
    assert command.target.ids == (ids or command.target.ids)


@pytest.mark.parametrize(
    "message",
    ["set the priority of task 1 to extreme", "move task 4 to someday", "rename task", "set it", "change the tags"],
)
def test_updates_that_make_no_sense_get_help(message: str) -> None:
    assert isinstance(parse(message, TODAY), Help)


def test_refusals_and_help() -> None:
    assert parse("wipe everything", TODAY) == Help()
    assert parse("delete everything", TODAY) == Refuse("everything")
    assert parse("Good morning!", TODAY) == Help("greeting")
    assert parse("please, could you help", TODAY) == Help()
    assert parse("", TODAY) == Help()

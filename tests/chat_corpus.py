"""The chat corpus (tests/data/chat-corpus.tsv): conversations of everyday requests, the
tasks they start from, and a runner that plays one through any chat endpoint.

``python -m tests.chat_corpus`` plays every conversation through ``SendChatMessage`` with the
offline agent and prints the pass rate per category (the table in docs/chat.md).
"""

from __future__ import annotations

import asyncio
import collections
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.nl_judge import SeedTask, judge

CORPUS = Path(__file__).parent / "data" / "chat-corpus.tsv"
TURNS = " || "

Task = dict[str, Any]


@dataclass(frozen=True)
class Conversation:
    line: int
    category: str
    turns: tuple[str, ...]
    outcome: str

    def __str__(self) -> str:
        return f"line {self.line} [{self.category}]: {' / '.join(self.turns)!r} -> {self.outcome}"


def load_conversations(path: Path = CORPUS) -> list[Conversation]:
    cases = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        category, messages, outcome = raw.split("\t")
        cases.append(Conversation(number, category, tuple(messages.split(TURNS)), outcome.strip()))
    return cases


def corpus_seed(today: date) -> list[SeedTask]:
    """The twelve tasks every conversation starts from (ids 1..12 in this order)."""
    day = today.isoformat()
    yesterday = (today - timedelta(days=1)).isoformat()
    tomorrow = (today + timedelta(days=1)).isoformat()
    in_two = (today + timedelta(days=2)).isoformat()
    return [
        SeedTask({"title": "Buy groceries", "tags": ["home"]}),
        SeedTask({"title": "Call mom", "priority": "high"}),
        SeedTask({"title": "Finish report", "tags": ["work"]}, completed=True),
        SeedTask({"title": "Team meeting notes", "tags": ["work"]}),
        SeedTask({"title": "Pay electricity bill", "due": yesterday}),
        SeedTask({"title": "Call the plumber", "priority": "low", "tags": ["home"]}),
        SeedTask({"title": "Submit taxes", "priority": "high", "due": in_two}),
        SeedTask({"title": "Edit video", "tags": ["work"]}),
        SeedTask({"title": "Water the plants", "due": day, "recurrence": "weekly", "tags": ["home"]}),
        SeedTask({"title": "Dentist appointment", "due": tomorrow}),
        SeedTask({"title": "Buy first aid kit", "priority": "low"}),
        SeedTask({"title": "Book flights"}, completed=True),
    ]


Send = Callable[[str, int | None], Awaitable[dict[str, Any]]]
"""Sends one message (in a conversation, or None for a new one) and returns the JSON answer."""
Live = Callable[[], Awaitable[list[Task]]]
"""The user's live tasks in the REST/tool wire form."""


async def play(case: Conversation, send: Send, live: Live, today: date) -> tuple[list[str], dict[str, Any]]:
    """Play a conversation; what is wrong with the outcome (empty when right) and the last answer."""
    before = await live()
    conversation: int | None = None
    answer: dict[str, Any] = {}
    for message in case.turns:
        answer = await send(message, conversation)
        conversation = answer["conversation_id"]
    return judge(case.outcome, before, await live(), answer, today), answer


async def _report() -> None:
    from tests.unit.corpus_harness import OfflineHarness

    results: dict[str, list[bool]] = collections.defaultdict(list)
    failures = []
    for case in load_conversations():
        harness = await OfflineHarness.start()
        problems, answer = await play(case, harness.send, harness.live, harness.today)
        results[case.category].append(not problems)
        if problems:
            failures.append(f"{case}\n    {problems}\n    reply: {answer.get('response', '')!r}")
    print("\n".join(failures))
    print("| category | cases | right | rate |\n|---|---:|---:|---:|")
    for category, outcomes in results.items():
        print(f"| {category} | {len(outcomes)} | {sum(outcomes)} | {100 * sum(outcomes) / len(outcomes):.0f}% |")
    total = [ok for outcomes in results.values() for ok in outcomes]
    print(f"| all | {len(total)} | {sum(total)} | {100 * sum(total) / len(total):.1f}% |")
    sys.exit(0 if all(total) else 1)


if __name__ == "__main__":
    asyncio.run(_report())

"""Every conversation of the chat corpus, through SendChatMessage with the offline agent."""

from __future__ import annotations

import collections

import pytest

from tests.chat_corpus import Conversation, load_conversations, play
from tests.fakes import FixedClock
from tests.nl_judge import named_in_text
from tests.unit.corpus_harness import OfflineHarness


def test_the_corpus_is_big_and_has_conversations_in_every_category() -> None:
    cases = load_conversations()
    categories = collections.Counter(case.category for case in cases)
    assert len(cases) >= 150
    assert sum(1 for case in cases if len(case.turns) > 1) >= 30
    assert set(categories) >= {"add", "details", "list", "question", "complete", "reopen", "delete", "update",
                               "memory", "confirm", "compound", "typo", "safety", "chat"}  # fmt: skip


@pytest.mark.parametrize("case", load_conversations(), ids=str)
async def test_conversation(case: Conversation) -> None:
    harness = await OfflineHarness.start()
    problems, answer = await play(case, harness.send, harness.live, harness.today)
    assert problems == [], answer["response"]


@pytest.mark.parametrize(
    "now",
    [
        "2026-11-28T23:30:00+00:00",
        "2026-11-29T12:00:00+00:00",
        "2026-12-31T08:00:00+00:00",
        "2027-02-28T09:00:00+00:00",
    ],
)
async def test_the_date_cases_hold_on_weekends_and_at_the_ends_of_months_and_years(now: str) -> None:
    from datetime import datetime

    clock = FixedClock(datetime.fromisoformat(now))
    for case in load_conversations():
        if case.category not in {"details", "list", "update"}:
            continue
        harness = await OfflineHarness.start(clock)
        problems, answer = await play(case, harness.send, harness.live, harness.today)
        assert problems == [], f"{case}: {answer['response']}"


async def test_a_reply_names_the_tasks_it_lists_by_their_titles() -> None:
    harness = await OfflineHarness.start()
    answer = await harness.send("what's on my list?", None)
    assert named_in_text(answer["response"], await harness.live()) == set(range(1, 13))

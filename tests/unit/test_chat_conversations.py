"""Listing, reading and deleting conversations."""

from __future__ import annotations

import pytest

from application.chat.conversations import DeleteConversation, GetConversation, ListConversations
from application.chat.schemas import ChatRequest
from application.chat.send import SendChatMessage
from application.errors import ConversationNotFound, ValidationError
from application.tools import TaskTools
from tests.fakes import FixedClock, InMemoryUnitOfWork, ScriptedChatAgent, ScriptedTurn


async def _talk(uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools, owner: str, *messages: str) -> int:
    agent = ScriptedChatAgent(*[ScriptedTurn(f"re: {m}") for m in messages])
    chat = SendChatMessage(uow, clock, agent, tools)
    conversation = None
    for message in messages:
        clock.advance(seconds=1)
        answer = await chat.execute(owner, ChatRequest(message=message, conversation_id=conversation))
        conversation = answer.conversation_id
    assert conversation is not None
    return conversation


async def test_conversations_are_listed_newest_activity_first_in_pages(
    uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools
) -> None:
    for number in range(5):
        await _talk(uow, clock, tools, "alice", f"topic {number}")
    await _talk(uow, clock, tools, "bob", "not alice's")
    chat = SendChatMessage(uow, clock, ScriptedChatAgent(ScriptedTurn("back")), tools)
    clock.advance(seconds=5)
    await chat.execute("alice", ChatRequest(message="more on 2", conversation_id=2))

    use_case = ListConversations(uow)
    first = await use_case.execute("alice", limit=2)
    assert [(c.id, c.title) for c in first.items] == [(2, "topic 1"), (5, "topic 4")]
    assert first.items[0].updated_at > first.items[0].created_at
    second = await use_case.execute("alice", limit=2, cursor=first.next_cursor)
    third = await use_case.execute("alice", limit=2, cursor=second.next_cursor)
    assert [c.id for c in second.items + third.items] == [4, 3, 1]
    assert third.next_cursor is None


BAD_PAGES = [
    (0, None, "query.limit"),
    (101, None, "query.limit"),
    (10, "%%%", "query.cursor"),
    (10, "WzFd", "query.cursor"),
    (10, "WyJ4IiwxXQ", "query.cursor"),
]


@pytest.mark.parametrize(("limit", "cursor", "field"), BAD_PAGES)
async def test_bad_list_pages_name_the_field(
    uow: InMemoryUnitOfWork, limit: int, cursor: str | None, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await ListConversations(uow).execute("alice", limit=limit, cursor=cursor, field_prefix="query")
    assert caught.value.errors[0].field == field


async def test_a_conversation_pages_its_messages_oldest_first(
    uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools
) -> None:
    number = await _talk(uow, clock, tools, "alice", "a", "b", "c")
    use_case = GetConversation(uow)
    first = await use_case.execute("alice", number, limit=4)
    assert [m.content for m in first.messages] == ["a", "re: a", "b", "re: b"]
    assert [m.role for m in first.messages[:2]] == ["user", "assistant"]
    rest = await use_case.execute("alice", number, limit=4, cursor=first.next_cursor)
    assert [m.content for m in rest.messages] == ["c", "re: c"]
    assert rest.next_cursor is None and rest.title == "a"
    with pytest.raises(ValidationError):
        await use_case.execute("alice", number, cursor="WyJ4Il0")


async def test_another_users_conversation_cannot_be_read_or_deleted(
    uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools
) -> None:
    number = await _talk(uow, clock, tools, "bob", "private")
    with pytest.raises(ConversationNotFound):
        await GetConversation(uow).execute("alice", number)
    with pytest.raises(ConversationNotFound):
        await DeleteConversation(uow).execute("alice", number)
    assert (await GetConversation(uow).execute("bob", number)).messages


async def test_deleting_removes_the_conversation_and_its_messages(
    uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools
) -> None:
    number = await _talk(uow, clock, tools, "alice", "bye")
    await DeleteConversation(uow).execute("alice", number)
    with pytest.raises(ConversationNotFound):
        await GetConversation(uow).execute("alice", number)
    assert (await ListConversations(uow).execute("alice")).items == []
    with pytest.raises(ConversationNotFound):
        await DeleteConversation(uow).execute("alice", number)

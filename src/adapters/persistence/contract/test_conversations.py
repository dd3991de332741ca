"""Repository contract: conversations, their messages, and idempotency records."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.persistence.contract.builders import T0
from application.ports import IdempotencyRecord, UnitOfWork
from domain.conversations import Conversation, Message, Role, ToolCallRecord

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _conversation(owner: str, title: str = "chat", minutes: int = 0) -> Conversation:
    at = T0 + timedelta(minutes=minutes)
    return Conversation(owner_id=owner, number=0, title=title, created_at=at, updated_at=at)


def _message(text: str, minutes: int, role: Role = Role.USER, *calls: ToolCallRecord) -> Message:
    return Message(role=role, content=text, created_at=T0 + timedelta(minutes=minutes), tool_calls=calls)


async def _create(uow: UnitOfWork, *conversations: Conversation) -> list[Conversation]:
    async with uow.begin() as tx:
        stored = [await tx.conversations.create(c) for c in conversations]
        await tx.commit()
    return stored


async def _say(uow: UnitOfWork, owner: str, number: int, *messages: Message) -> list[Message]:
    async with uow.begin() as tx:
        stored = [await tx.conversations.add_message(owner, number, m) for m in messages]
        await tx.commit()
    return stored


async def test_conversations_are_numbered_per_owner_and_read_back(
    uow: UnitOfWork, owner: str, other_owner: str
) -> None:
    first, second = await _create(uow, _conversation(owner, "one"), _conversation(owner, "two", 1))
    (theirs,) = await _create(uow, _conversation(other_owner, "theirs"))
    assert (first.number, second.number, theirs.number) == (1, 2, 1)
    async with uow.begin() as tx:
        assert await tx.conversations.get(owner, 1) == first
        assert await tx.conversations.get(owner, 3) is None
        assert await tx.conversations.get(other_owner, 2) is None


async def test_task_and_conversation_numbers_are_independent(uow: UnitOfWork, owner: str) -> None:
    from adapters.persistence.contract.builders import add_titled

    await add_titled(uow, owner, "a", "b")
    (conversation,) = await _create(uow, _conversation(owner))
    assert conversation.number == 1
    (task,) = await add_titled(uow, owner, "c")
    assert task.number == 3


async def test_messages_round_trip_with_tool_calls_and_bump_the_conversation(uow: UnitOfWork, owner: str) -> None:
    (conversation,) = await _create(uow, _conversation(owner))
    call = ToolCallRecord(
        call_id="call_1",
        name="add_task",
        arguments={"title": "Milk", "tags": ["home"], "nested": {"n": 1}},
        result={"id": 3, "title": "Milk", "due": None},
        is_error=False,
    )
    failed = ToolCallRecord(
        call_id="call_2", name="get_task", arguments={"task_id": 9}, result="not found", is_error=True
    )
    hello, reply = await _say(
        uow,
        owner,
        conversation.number,
        _message("add milk ☕", 5),
        _message("Added.", 6, Role.ASSISTANT, call, failed),
    )
    assert 0 < hello.id < reply.id
    async with uow.begin() as tx:
        assert await tx.conversations.messages(owner, conversation.number, 10, None) == [hello, reply]
        updated = await tx.conversations.get(owner, conversation.number)
    assert updated is not None
    assert updated.updated_at == T0 + timedelta(minutes=6)
    assert updated.created_at == conversation.created_at
    assert reply.tool_calls == (call, failed)


async def test_an_older_message_does_not_move_updated_at_back(uow: UnitOfWork, owner: str) -> None:
    (conversation,) = await _create(uow, _conversation(owner, minutes=10))
    await _say(uow, owner, conversation.number, _message("late clock", 1))
    async with uow.begin() as tx:
        stored = await tx.conversations.get(owner, conversation.number)
    assert stored is not None
    assert stored.updated_at == conversation.updated_at


async def test_recent_is_newest_first_with_keyset_pages(uow: UnitOfWork, owner: str, other_owner: str) -> None:
    a, b, c, d = await _create(
        uow,
        _conversation(owner, "a", 1),
        _conversation(owner, "b", 2),
        _conversation(owner, "c", 2),
        _conversation(owner, "d", 3),
    )
    await _create(uow, _conversation(other_owner, "x", 9))
    await _say(uow, owner, a.number, _message("bump", 4))
    async with uow.begin() as tx:
        everything = await tx.conversations.recent(owner, 10, None)
        assert [x.number for x in everything] == [a.number, d.number, c.number, b.number]
        first = await tx.conversations.recent(owner, 2, None)
        rest = await tx.conversations.recent(owner, 2, (first[-1].updated_at, first[-1].number))
        tail = await tx.conversations.recent(owner, 2, (rest[-1].updated_at, rest[-1].number))
    assert [x.number for x in first + rest] == [a.number, d.number, c.number, b.number]
    assert tail == []


async def test_delete_removes_the_conversation_and_its_messages(uow: UnitOfWork, owner: str) -> None:
    gone, kept = await _create(uow, _conversation(owner, "gone"), _conversation(owner, "kept"))
    await _say(uow, owner, gone.number, _message("bye", 1))
    (survivor,) = await _say(uow, owner, kept.number, _message("hi", 1))
    async with uow.begin() as tx:
        assert await tx.conversations.delete(owner, gone.number) is True
        assert await tx.conversations.delete(owner, gone.number) is False
        assert await tx.conversations.delete(owner, 99) is False
        await tx.commit()
    async with uow.begin() as tx:
        assert await tx.conversations.get(owner, gone.number) is None
        assert await tx.conversations.messages(owner, gone.number, 10, None) == []
        assert await tx.conversations.messages(owner, kept.number, 10, None) == [survivor]
    (fresh,) = await _create(uow, _conversation(owner, "new"))
    assert fresh.number == 3


async def test_recent_messages_and_message_pages(uow: UnitOfWork, owner: str) -> None:
    (conversation,) = await _create(uow, _conversation(owner))
    said = await _say(uow, owner, conversation.number, *(_message(f"m{i}", i) for i in range(7)))
    async with uow.begin() as tx:
        assert await tx.conversations.recent_messages(owner, conversation.number, 3) == said[-3:]
        assert await tx.conversations.recent_messages(owner, conversation.number, 50) == said
        assert await tx.conversations.recent_messages(owner, conversation.number, 0) == []
        pages, after = [], None
        while page := await tx.conversations.messages(owner, conversation.number, 3, after):
            pages.append(page)
            after = page[-1].id
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [m for p in pages for m in p] == said


async def test_idempotency_records_find_save_and_replace(uow: UnitOfWork, owner: str, other_owner: str) -> None:
    first = IdempotencyRecord(owner, "key-1", "f1", b'{"id": 1}\x00\xff', T0)
    async with uow.begin() as tx:
        assert await tx.idempotency.find(owner, "key-1") is None
        await tx.idempotency.save(first)
        await tx.commit()
    async with uow.begin() as tx:
        assert await tx.idempotency.find(owner, "key-1") == first
        assert await tx.idempotency.find(other_owner, "key-1") is None
        assert await tx.idempotency.find(owner, "key-2") is None
    newer = IdempotencyRecord(owner, "key-1", "f2", b"{}", T0 + timedelta(days=2))
    async with uow.begin() as tx:
        assert await tx.idempotency.find(owner, "key-1") == first
        await tx.idempotency.save(newer)
        await tx.commit()
    async with uow.begin() as tx:
        assert await tx.idempotency.find(owner, "key-1") == newer
        await tx.idempotency.save(IdempotencyRecord(owner, "key-1", "blind", b"", T0))
        await tx.idempotency.save(IdempotencyRecord(owner, "key-3", "rolled back", b"", T0))
    async with uow.begin() as tx:
        assert await tx.idempotency.find(owner, "key-1") == newer
        assert await tx.idempotency.find(owner, "key-3") is None

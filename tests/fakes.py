"""In-memory adapters of every port, for unit tests and as the reference the contract suite
holds the real adapters to."""

from __future__ import annotations

import collections
import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from application.due_keys import effective_due_key
from application.errors import Conflict, InvalidToken
from application.metrics import AgentKind, ChatOutcome, LimitName, PoolUsage, TaskOperation
from application.ports import (
    AgentEvent,
    AgentReply,
    AgentTurn,
    Clock,
    IdempotencyRecord,
    Principal,
    SortKey,
    Storage,
    TaskQuery,
    TaskStatus,
    TextDelta,
    ToolCallEvent,
    ToolResultEvent,
    UnitOfWork,
)
from application.schemas import TaskView
from application.task_list import ListTasks, sort_key
from application.tasks import AddTask, CompleteTask, DeleteTask, GetTask, RestoreTask, ToggleTask, UpdateTask
from application.tools import TaskOperations, TaskTools
from domain.accounts import Account, Session
from domain.conversations import Conversation, Message, ToolCallRecord
from domain.tasks import Task


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass
class _State:
    tasks: dict[tuple[str, int], Task] = field(default_factory=dict)
    task_seq: dict[str, int] = field(default_factory=dict)
    conversations: dict[tuple[str, int], Conversation] = field(default_factory=dict)
    conversation_seq: dict[str, int] = field(default_factory=dict)
    messages: dict[tuple[str, int], list[Message]] = field(default_factory=dict)
    message_seq: int = 0
    idempotency: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)


def _matches(task: Task, query: TaskQuery) -> bool:
    if task.owner_id != query.owner_id or task.in_trash:
        return False
    if query.status is TaskStatus.PENDING and task.completed:
        return False
    if query.status is TaskStatus.COMPLETED and not task.completed:
        return False
    if query.priority is not None and task.priority is not query.priority:
        return False
    if query.tag is not None and query.tag.casefold() not in {t.casefold() for t in task.tags}:
        return False
    if query.text is not None:
        haystack = f"{task.title}\n{task.description or ''}".casefold()
        if query.text.casefold() not in haystack:
            return False
    if query.due_before is not None or query.due_after is not None:
        if task.due is None:
            return False
        key = effective_due_key(task.due, query.zone_offset)
        if query.due_before is not None and not key < query.due_before:
            return False
        if query.due_after is not None and not key > query.due_after:
            return False
    return True


def _position(task: Task, query: TaskQuery) -> tuple[SortKey, int]:
    return sort_key(task, query.sort, query.zone_offset), task.number


def _after(position: tuple[SortKey, int], cursor: tuple[SortKey, int], descending: bool) -> bool:
    key, number = position
    cursor_key, cursor_number = cursor
    if key is None or cursor_key is None:
        return number < cursor_number if descending else number > cursor_number
    pair, cursor_pair = (key, number), (cursor_key, cursor_number)
    return pair < cursor_pair if descending else pair > cursor_pair  # type: ignore[operator]


class InMemoryTaskRepository:
    def __init__(self, state: _State) -> None:
        self._state = state

    async def add(self, task: Task) -> Task:
        number = self._state.task_seq.get(task.owner_id, 0) + 1
        self._state.task_seq[task.owner_id] = number
        stored = replace(task, number=number)
        self._state.tasks[(task.owner_id, number)] = stored
        return replace(stored)

    async def get(self, owner_id: str, number: int, *, lock: bool = False) -> Task | None:
        task = self._state.tasks.get((owner_id, number))
        return replace(task) if task is not None and not task.in_trash else None

    async def get_trashed(self, owner_id: str, number: int, *, lock: bool = False) -> Task | None:
        task = self._state.tasks.get((owner_id, number))
        return replace(task) if task is not None and task.in_trash else None

    async def update(self, task: Task) -> None:
        self._state.tasks[(task.owner_id, task.number)] = replace(task)

    async def page(self, query: TaskQuery) -> list[TaskView]:
        found = [t for t in self._state.tasks.values() if _matches(t, query)]
        found.sort(key=lambda t: _position(t, query), reverse=query.descending)  # type: ignore[arg-type,return-value]
        if query.after is not None:
            found = [t for t in found if _after(_position(t, query), query.after, query.descending)]
        return [TaskView.of(t) for t in found[: query.limit]]

    async def tag_counts(self, owner_id: str) -> list[tuple[str, int]]:
        counts: dict[str, tuple[str, int]] = {}
        for task in self._state.tasks.values():
            if task.owner_id != owner_id or task.in_trash:
                continue
            for tag in task.tags:
                name, count = counts.get(tag.casefold(), (tag, 0))
                counts[tag.casefold()] = (min(name, tag), count + 1)
        return sorted(counts.values(), key=lambda item: item[0].casefold())

    async def purge_trashed(self, trashed_before: datetime) -> int:
        gone = [key for key, task in self._state.tasks.items() if task.deleted_at and task.deleted_at < trashed_before]
        for key in gone:
            del self._state.tasks[key]
        return len(gone)


class InMemoryIdempotencyRecords:
    def __init__(self, state: _State) -> None:
        self._state = state

    async def find(self, owner_id: str, key: str) -> IdempotencyRecord | None:
        return self._state.idempotency.get((owner_id, key))

    async def save(self, record: IdempotencyRecord) -> None:
        self._state.idempotency[(record.owner_id, record.key)] = record


class InMemoryConversationRepository:
    def __init__(self, state: _State) -> None:
        self._state = state

    async def create(self, conversation: Conversation) -> Conversation:
        number = self._state.conversation_seq.get(conversation.owner_id, 0) + 1
        self._state.conversation_seq[conversation.owner_id] = number
        stored = replace(conversation, number=number)
        self._state.conversations[(stored.owner_id, number)] = stored
        self._state.messages[(stored.owner_id, number)] = []
        return replace(stored)

    async def get(self, owner_id: str, number: int) -> Conversation | None:
        found = self._state.conversations.get((owner_id, number))
        return replace(found) if found is not None else None

    async def recent(self, owner_id: str, limit: int, before: tuple[datetime, int] | None) -> list[Conversation]:
        mine = [c for c in self._state.conversations.values() if c.owner_id == owner_id]
        mine.sort(key=lambda c: (c.updated_at, c.number), reverse=True)
        if before is not None:
            mine = [c for c in mine if (c.updated_at, c.number) < before]
        return [replace(c) for c in mine[:limit]]

    async def delete(self, owner_id: str, number: int) -> bool:
        self._state.messages.pop((owner_id, number), None)
        return self._state.conversations.pop((owner_id, number), None) is not None

    async def add_message(self, owner_id: str, number: int, message: Message) -> Message:
        self._state.message_seq += 1
        stored = replace(message, id=self._state.message_seq)
        self._state.messages[(owner_id, number)].append(stored)
        conversation = self._state.conversations[(owner_id, number)]
        conversation.updated_at = max(conversation.updated_at, message.created_at)
        return replace(stored)

    async def recent_messages(self, owner_id: str, number: int, limit: int) -> list[Message]:
        return list(self._state.messages.get((owner_id, number), [])[-limit:]) if limit > 0 else []

    async def messages(self, owner_id: str, number: int, limit: int, after_id: int | None) -> list[Message]:
        found = [m for m in self._state.messages.get((owner_id, number), []) if after_id is None or m.id > after_id]
        return found[:limit]


class InMemoryAccountRepository:
    """Accounts by user id; e-mails unique, as the database's constraint keeps them."""

    def __init__(self, state: _State) -> None:
        self._state = state

    async def add(self, account: Account) -> None:
        if account.user_id in self._state.accounts or await self.by_email(account.email) is not None:
            raise Conflict("account exists")
        self._state.accounts[account.user_id] = account

    async def by_email(self, email: str) -> Account | None:
        return next((a for a in self._state.accounts.values() if a.email == email), None)

    async def by_id(self, user_id: str) -> Account | None:
        return self._state.accounts.get(user_id)

    async def set_password_hash(self, user_id: str, password_hash: str, at: datetime) -> None:
        account = self._state.accounts[user_id]
        self._state.accounts[user_id] = replace(account, password_hash=password_hash, updated_at=at)


class InMemorySessionRepository:
    """Sessions by token hash; a session goes with its account (as the foreign key says)."""

    def __init__(self, state: _State) -> None:
        self._state = state

    async def add(self, session: Session) -> None:
        if session.user_id not in self._state.accounts or session.token_hash in self._state.sessions:
            raise Conflict("no such account, or the token is taken")
        self._state.sessions[session.token_hash] = session

    async def by_token_hash(self, token_hash: str) -> Session | None:
        return self._state.sessions.get(token_hash)

    async def extend(self, session_id: str, expires_at: datetime, at: datetime) -> None:
        for key, session in self._state.sessions.items():
            if session.id == session_id:
                self._state.sessions[key] = replace(session, expires_at=expires_at, updated_at=at)

    async def delete(self, token_hash: str) -> bool:
        return self._state.sessions.pop(token_hash, None) is not None

    async def delete_expired(self, user_id: str, now: datetime) -> int:
        gone = [k for k, s in self._state.sessions.items() if s.user_id == user_id and s.expires_at < now]
        for key in gone:
            del self._state.sessions[key]
        return len(gone)


class _InMemoryTransaction:
    def __init__(self, state: _State) -> None:
        self.tasks = InMemoryTaskRepository(state)
        self.conversations = InMemoryConversationRepository(state)
        self.idempotency = InMemoryIdempotencyRecords(state)
        self.accounts = InMemoryAccountRepository(state)
        self.sessions = InMemorySessionRepository(state)
        self.committed = False

    async def commit(self) -> None:
        self.committed = True


class InMemoryUnitOfWork:
    """Transactions over dicts: work is applied to a copy and swapped in on commit, so
    leaving a block without committing loses it, as with a real database."""

    def __init__(self) -> None:
        self.state = _State()
        self.commits = 0

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[_InMemoryTransaction]:
        working = copy.deepcopy(self.state)
        tx = _InMemoryTransaction(working)
        yield tx
        if tx.committed:
            self.state = working
            self.commits += 1


class InMemoryHealthProbe:
    def __init__(self) -> None:
        self.up = True
        self.current = True

    async def ping(self) -> None:
        from application.errors import StorageUnavailable

        if not self.up:
            raise StorageUnavailable("database unreachable")

    async def schema_is_ready(self) -> bool:
        return self.current


class InMemorySchema:
    """``SchemaManager`` of the in-memory store: it has no schema to migrate."""

    def upgrade(self, revision: str = "head") -> None:
        return None

    def downgrade(self, revision: str) -> None:
        return None

    def current(self) -> str | None:
        return "memory"


class InMemoryBackend:
    """``StorageBackend`` of the in-memory store (``memory://``): every ``open`` is empty."""

    name = "in-memory fake"
    schemes = ("memory",)

    def check_url(self, url: str) -> None:
        return None

    @asynccontextmanager
    async def open(self, url: str, *, pool_size: int, metrics: object) -> AsyncIterator[Storage]:
        yield Storage(InMemoryUnitOfWork(), InMemoryHealthProbe(), lambda: PoolUsage(in_use=0, idle=0, waiting=0))

    def schema(self, url: str) -> InMemorySchema:
        return InMemorySchema()


class StaticTokenVerifier:
    """Accepts tokens of the form ``user:<id>``."""

    async def verify(self, token: str) -> Principal:
        if not token.startswith("user:") or len(token) <= 5:
            raise InvalidToken("unknown token")
        return Principal(token[5:])


__all__ = [
    "Conflict",
    "FixedClock",
    "InMemoryAccountRepository",
    "InMemoryConversationRepository",
    "InMemoryHealthProbe",
    "InMemoryIdempotencyRecords",
    "InMemorySessionRepository",
    "InMemoryTaskRepository",
    "InMemoryUnitOfWork",
    "StaticTokenVerifier",
]


@dataclass
class ScriptedTurn:
    """One scripted agent turn: tool calls to make (through the turn's tools), then a reply."""

    reply: str
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


class ScriptedChatAgent:
    """A ``ChatAgent`` that plays scripted turns in order (an exception is raised instead of
    answering) and remembers every ``AgentTurn`` it was given."""

    def __init__(self, *turns: ScriptedTurn | Exception) -> None:
        self._turns = list(turns)
        self.seen: list[AgentTurn] = []

    async def run(self, turn: AgentTurn) -> AsyncIterator[AgentEvent]:
        self.seen.append(turn)
        script = self._turns.pop(0)
        if isinstance(script, Exception):
            raise script
        records: list[ToolCallRecord] = []
        for index, (name, arguments) in enumerate(script.calls, start=1):
            call_id = f"scripted_{index}"
            yield ToolCallEvent(call_id, name, arguments)
            outcome = await turn.tools.call(name, arguments)
            yield ToolResultEvent(call_id, name, outcome.result, outcome.is_error)
            records.append(ToolCallRecord(call_id, name, outcome.arguments, outcome.result, outcome.is_error))
        yield TextDelta(script.reply)
        yield AgentReply(script.reply, tuple(records))


__all__ += ["ScriptedChatAgent", "ScriptedTurn"]


def task_operations(uow: UnitOfWork, clock: Clock) -> TaskOperations:
    """Every task use case the tools run, over ``uow`` and ``clock``."""
    return TaskOperations(
        add=AddTask(uow, clock),
        list=ListTasks(uow, clock),
        get=GetTask(uow, clock),
        update=UpdateTask(uow, clock),
        complete=CompleteTask(uow, clock),
        toggle=ToggleTask(uow, clock),
        delete=DeleteTask(uow, clock),
        restore=RestoreTask(uow, clock),
    )


def task_tools(uow: UnitOfWork, clock: Clock | None = None) -> TaskTools:
    """The tool catalogue over ``uow`` (and a fixed clock unless one is given)."""
    return TaskTools(task_operations(uow, clock or FixedClock()))


class FastPasswordHasher:
    """A ``PasswordHasher`` without the cost, for unit tests: ``version`` plays the part of
    argon2's parameters (a hash of another version needs a rehash); every check is recorded
    (``None``: the dummy check made for an unknown e-mail)."""

    def __init__(self, version: str = "v1") -> None:
        self.version = version
        self.checked: list[str | None] = []

    async def hash(self, password: str) -> str:
        import hashlib

        return f"fast-{self.version}${hashlib.sha256(password.encode()).hexdigest()}"

    async def verify(self, password_hash: str | None, password: str) -> bool:
        self.checked.append(password_hash)
        if password_hash is None:
            return False
        digest = password_hash.partition("$")[2]
        return digest == (await self.hash(password)).partition("$")[2]

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"fast-{self.version}$")


__all__ += ["FastPasswordHasher"]


@dataclass
class InMemoryMetrics:
    """A ``Metrics`` that keeps what it is told, for tests that assert counts."""

    operations: collections.Counter[str] = field(default_factory=collections.Counter)
    turns: collections.Counter[tuple[str, str]] = field(default_factory=collections.Counter)
    model_calls: list[tuple[float, bool]] = field(default_factory=list)
    breaker: list[bool] = field(default_factory=list)
    limited: collections.Counter[str] = field(default_factory=collections.Counter)
    store_errors: int = 0
    db_errors: int = 0

    def task_changed(self, operation: TaskOperation) -> None:
        self.operations[operation] += 1

    def chat_turn(self, agent: AgentKind, outcome: ChatOutcome) -> None:
        self.turns[(agent, outcome)] += 1

    def model_call(self, seconds: float, *, failed: bool) -> None:
        self.model_calls.append((seconds, failed))

    def circuit_breaker(self, is_open: bool) -> None:
        self.breaker.append(is_open)

    def rate_limited(self, limit: LimitName) -> None:
        self.limited[limit] += 1

    def rate_limit_store_error(self) -> None:
        self.store_errors += 1

    def database_error(self) -> None:
        self.db_errors += 1


__all__ += ["InMemoryMetrics"]

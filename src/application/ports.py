"""Ports: what the core needs from the outside world, as Protocols the adapters fill."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from domain.conversations import Conversation, Message, ToolCallRecord
from domain.tasks import Priority, Task

if TYPE_CHECKING:
    from application.schemas import TaskView
    from application.tools import Tool, ToolOutcome
    from domain.accounts import Account, Session


class Clock(Protocol):
    """The current time."""

    def now(self) -> datetime:
        """An aware datetime in UTC."""
        ...


class TaskStatus(StrEnum):
    ALL = "all"
    PENDING = "pending"
    COMPLETED = "completed"


class TaskSort(StrEnum):
    CREATED_AT = "created_at"
    DUE = "due"
    PRIORITY = "priority"
    TITLE = "title"


SortKey = int | str | None
"""The value a task sorts by (due epoch seconds, priority rank, lower-case title, or none
for creation order, where the task number alone orders)."""


@dataclass(frozen=True, slots=True)
class TaskQuery:
    """One page of a user's live tasks, filtered and ordered; everything precomputed.

    Due bounds are epoch seconds compared with a task's *effective due*: an instant's own
    epoch, or for an all-day date the end of that day shifted by ``zone_offset`` seconds
    (see ``application.due_keys``). ``after`` is the keyset position ``(sort key, number)``
    of the last task of the previous page.
    """

    owner_id: str
    limit: int
    status: TaskStatus = TaskStatus.ALL
    priority: Priority | None = None
    tag: str | None = None
    text: str | None = None
    due_before: int | None = None
    due_after: int | None = None
    zone_offset: int = 0
    sort: TaskSort = TaskSort.CREATED_AT
    descending: bool = False
    after: tuple[SortKey, int] | None = None


ID_MAX = 2**31 - 1
"""The largest task or conversation number a store keeps (a 32-bit signed integer column).
Numbers start at 1, so a number outside ``1..ID_MAX`` names nothing: not found, not an error."""


def storable_number(number: int) -> bool:
    """Whether ``number`` can name a stored task or conversation at all."""
    return 0 < number <= ID_MAX


class TaskRepository(Protocol):
    """Storage of tasks. Numbers are per owner, allocated by the store, never reused."""

    async def add(self, task: Task) -> Task:
        """Store a new task under its owner's next number (``task.number`` is ignored);
        return it with that number. Creates the owner's record on first use."""
        ...

    async def get(self, owner_id: str, number: int, *, lock: bool = False) -> Task | None:
        """The live (not trashed) task, or None. ``lock`` holds it until commit."""
        ...

    async def get_trashed(self, owner_id: str, number: int, *, lock: bool = False) -> Task | None:
        """The task if it is in the trash, or None."""
        ...

    async def update(self, task: Task) -> None:
        """Persist every field of an existing task."""
        ...

    async def page(self, query: TaskQuery) -> list[TaskView]:
        """Up to ``query.limit`` tasks matching the query, in its order, after its cursor.

        The read side: views built straight from storage, without a ``Task`` per row."""
        ...

    async def tag_counts(self, owner_id: str) -> list[tuple[str, int]]:
        """Each tag over the owner's live tasks with how many carry it, by name."""
        ...

    async def purge_trashed(self, trashed_before: datetime) -> int:
        """Delete for good every task, of any owner, moved to the trash before
        ``trashed_before``; return how many. Their numbers stay used (never reused)."""
        ...


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The first answer given to a create request carrying an ``Idempotency-Key``."""

    owner_id: str
    key: str
    fingerprint: str
    response: bytes
    created_at: datetime


class IdempotencyRecords(Protocol):
    """Remembered answers to requests that carried an idempotency key."""

    async def find(self, owner_id: str, key: str) -> IdempotencyRecord | None:
        """The stored record for this owner and key, whatever its age."""
        ...

    async def save(self, record: IdempotencyRecord) -> None:
        """Store the record, replacing an older one with the same owner and key.
        A concurrent save of the same key raises ``Conflict`` (at latest on commit)."""
        ...


class ConversationRepository(Protocol):
    """Storage of conversations and their messages. Numbers are per owner, never reused."""

    async def create(self, conversation: Conversation) -> Conversation:
        """Store a new conversation under its owner's next number; return it numbered."""
        ...

    async def get(self, owner_id: str, number: int) -> Conversation | None:
        """The conversation (without messages), or None."""
        ...

    async def recent(self, owner_id: str, limit: int, before: tuple[datetime, int] | None) -> list[Conversation]:
        """Newest (by ``updated_at``, then number) first, after the keyset position ``before``."""
        ...

    async def delete(self, owner_id: str, number: int) -> bool:
        """Delete the conversation and its messages; False when there was none."""
        ...

    async def add_message(self, owner_id: str, number: int, message: Message) -> Message:
        """Append a message (returned with its id) and bump the conversation's ``updated_at``."""
        ...

    async def recent_messages(self, owner_id: str, number: int, limit: int) -> list[Message]:
        """The last ``limit`` messages, oldest first."""
        ...

    async def messages(self, owner_id: str, number: int, limit: int, after_id: int | None) -> list[Message]:
        """Up to ``limit`` messages, oldest first, with ids greater than ``after_id``."""
        ...


class AccountRepository(Protocol):
    """Storage of built-in accounts (e-mail, name, password hash). E-mails are unique."""

    async def add(self, account: Account) -> None:
        """Store a new account and create its user record. An e-mail or id already taken
        raises ``Conflict`` (at latest on commit)."""
        ...

    async def by_email(self, email: str) -> Account | None:
        """The account with this normalised e-mail, or None."""
        ...

    async def by_id(self, user_id: str) -> Account | None:
        """The account of this user, or None."""
        ...

    async def set_password_hash(self, user_id: str, password_hash: str, at: datetime) -> None:
        """Replace the stored hash (a rehash with current parameters)."""
        ...


class SessionRepository(Protocol):
    """Storage of sign-in sessions. Only a hash of the session token is ever stored."""

    async def add(self, session: Session) -> None:
        """Store a new session."""
        ...

    async def by_token_hash(self, token_hash: str) -> Session | None:
        """The session with this token hash, expired or not, or None."""
        ...

    async def extend(self, session_id: str, expires_at: datetime, at: datetime) -> None:
        """Move a session's expiry (renewal on use)."""
        ...

    async def delete(self, token_hash: str) -> bool:
        """Revoke a session; False when there was none."""
        ...

    async def delete_expired(self, user_id: str, now: datetime) -> int:
        """Remove the user's sessions that expired before ``now``; how many went."""
        ...


class Transaction(Protocol):
    """One unit of work: repositories sharing a transaction."""

    @property
    def tasks(self) -> TaskRepository: ...

    @property
    def conversations(self) -> ConversationRepository: ...

    @property
    def idempotency(self) -> IdempotencyRecords: ...

    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    async def commit(self) -> None:
        """Make the work durable. Leaving the block without it rolls everything back."""
        ...


class UnitOfWork(Protocol):
    """Opens transactions. ``async with uow.begin() as tx: ...; await tx.commit()``."""

    def begin(self) -> AbstractAsyncContextManager[Transaction]:
        """A new transaction; connections are held only inside the block."""
        ...


class HealthProbe(Protocol):
    """Whether the storage answers and its schema is current."""

    async def ping(self) -> None:
        """Return when the database answered; raise ``StorageUnavailable`` otherwise."""
        ...

    async def schema_is_ready(self) -> bool:
        """True when this release can serve the schema: at its latest migration, or at a
        newer one it does not know (a newer release migrated first during a rollout)."""
        ...


@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller."""

    user_id: str


class TokenVerifier(Protocol):
    """Turns a bearer token into the caller it names."""

    async def verify(self, token: str) -> Principal:
        """The principal, or ``InvalidToken``; ``AuthUnavailable`` when keys can't be fetched."""
        ...


class TokenIssuer(Protocol):
    """The server's own issuer of tokens."""

    def issue(self, user_id: str, ttl_seconds: int) -> str:
        """A signed token for ``user_id`` valid for ``ttl_seconds``."""
        ...

    def public_jwks(self) -> dict[str, object]:
        """The issuer's public keys as a JWKS document."""
        ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing (argon2id). Runs off the event loop, a bounded number at once."""

    async def hash(self, password: str) -> str:
        """A self-describing hash of ``password`` (algorithm, parameters, salt)."""
        ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches. With ``None`` (no such account) a dummy hash is
        checked instead and the answer is False, so both cases take the same time."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than the current ones."""
        ...


class RateDecision(NamedTuple):
    """One counted (or refused) hit of a sliding-window limit, with what ``RateLimit-*``
    headers need: the limit, the hits left in the window, and the seconds until the oldest
    hit leaves it (``reset``). A refused hit is not counted; ``retry_after`` says when to come
    back. (A named tuple: one is made for every request, and it is the cheapest to make.)"""

    allowed: bool
    limit: int
    remaining: int
    reset: int
    retry_after: int = 0


class RateLimiter(Protocol):
    """Counts hits per key in a sliding window (no burst at a window boundary).

    One call does the whole check-and-count, so a shared store can do it atomically (e.g.
    one Redis script over a sorted set: drop hits older than the window, count, add if under
    the limit, read the oldest)."""

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        """Count one hit for ``key`` unless ``limit`` hits already fall in the last
        ``window_seconds``; then refuse it (not counted)."""
        ...


class ToolExecutor(Protocol):
    """The task tools bound to one caller. The caller's identity and time zone are bound
    here, so no tool argument can name another user."""

    @property
    def catalogue(self) -> tuple[Tool, ...]:
        """The tools the agent may offer the model (the one catalogue)."""
        ...

    async def call(self, name: str, arguments: Mapping[str, Any]) -> ToolOutcome:
        """Run a tool for the bound caller; failures come back as error outcomes."""
        ...


@dataclass(frozen=True, slots=True)
class ToolCallEvent:
    """The agent is about to run a tool (SSE ``tool_call``)."""

    call_id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ToolResultEvent:
    """A tool finished (SSE ``tool_result``); ``result`` is JSON-ready."""

    call_id: str
    name: str
    result: Any
    is_error: bool = False


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the reply text (SSE ``delta``); the deltas add up to the reply."""

    text: str


@dataclass(frozen=True, slots=True)
class AgentReply:
    """The last event of a turn: the whole reply and every tool call made, in order."""

    text: str
    tool_calls: tuple[ToolCallRecord, ...] = ()


AgentEvent = ToolCallEvent | ToolResultEvent | TextDelta | AgentReply


@dataclass(frozen=True, slots=True)
class AgentTurn:
    """What an agent gets for one turn: the bounded history (oldest first, without the new
    message), the new message, the user's clock and zone, and the tools bound to the user.
    ``stream`` asks for text deltas as they come (else one delta with the whole text is fine)."""

    history: tuple[Message, ...]
    message: str
    now: datetime
    zone: tzinfo
    tools: ToolExecutor
    stream: bool = False


class ChatAgent(Protocol):
    """Answers one chat turn, calling task tools through ``turn.tools`` only."""

    def run(self, turn: AgentTurn) -> AsyncIterator[AgentEvent]:
        """Events as they happen, ending with exactly one ``AgentReply``. Raises
        ``AgentUnavailable`` when the model cannot answer (unreachable, failing, circuit open)."""
        ...


__all__ = [
    "ID_MAX",
    "AccountRepository",
    "AgentEvent",
    "AgentReply",
    "AgentTurn",
    "ChatAgent",
    "Clock",
    "ConversationRepository",
    "HealthProbe",
    "IdempotencyRecord",
    "IdempotencyRecords",
    "PasswordHasher",
    "Principal",
    "RateDecision",
    "RateLimiter",
    "SessionRepository",
    "SortKey",
    "TaskQuery",
    "TaskRepository",
    "TaskSort",
    "TaskStatus",
    "TextDelta",
    "TokenIssuer",
    "TokenVerifier",
    "ToolCallEvent",
    "ToolExecutor",
    "ToolResultEvent",
    "Transaction",
    "UnitOfWork",
    "storable_number",
]

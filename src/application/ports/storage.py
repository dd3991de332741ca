"""Ports: storage (repositories, the unit of work, the health probe)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from application.ports.queries import TaskQuery
from domain.conversations import Conversation, Message
from domain.tasks import Task

if TYPE_CHECKING:
    from application.schemas import TaskView
    from domain.accounts import Account, Session


class TaskRepository(Protocol):
    """Storage of tasks. Numbers are per owner, allocated by the store, never reused, and
    distinct even when transactions of one owner add tasks at the same time."""

    async def add(self, task: Task) -> Task:
        """Store a new task under its owner's next number (``task.number`` is ignored);
        return it with that number. Creates the owner's record on first use."""
        ...

    async def get(self, owner_id: str, number: int, *, lock: bool = False) -> Task | None:
        """The live (not trashed) task, or None.

        ``lock=True`` says the caller will update the task in this transaction. The store
        must then never lose an update: until this transaction ends, no other transaction
        may change the task in between. A row lock does it (PostgreSQL, MariaDB: ``FOR
        UPDATE``, the other transaction waits); so does a store that runs one writing
        transaction at a time (SQLite), or one that checks at ``update``/``commit`` that the
        task is unchanged since it was read and raises ``Conflict`` otherwise."""
        ...

    async def get_trashed(self, owner_id: str, number: int, *, lock: bool = False) -> Task | None:
        """The task if it is in the trash, or None; ``lock`` as for ``get``."""
        ...

    async def update(self, task: Task) -> None:
        """Persist every field of an existing task (tags included: a tag filter or count in
        this transaction sees them at once). Without a ``lock`` read, the last writer wins."""
        ...

    async def page(self, query: TaskQuery) -> list[TaskView]:
        """Up to ``query.limit`` tasks matching the query, in its order, after its cursor.

        The order is the sort key (``application.task_list.sort_key``: due epoch, priority
        rank, or the code points of the case-folded title), then the number, both ascending
        or both descending; tasks without a due sort as ``NO_DUE_KEY`` (last ascending).
        ``query.after`` is a keyset position ``(key, number)``: the page starts strictly
        after it, so walking pages never repeats or skips a task that stays put. The read
        side: views built straight from storage, without a ``Task`` per row."""
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
    """Remembered answers to requests that carried an idempotency key.

    Two transactions using one key for the first time at once never both store an answer:
    the second either waits at ``find`` and then sees the first one's record, or finds none
    and its ``save`` (at latest its commit) raises ``Conflict``."""

    async def find(self, owner_id: str, key: str) -> IdempotencyRecord | None:
        """The stored record for this owner and key, whatever its age. A found record is
        this transaction's to replace: another transaction's ``find`` of it waits (or the
        store runs one writing transaction at a time) and then sees the replacement."""
        ...

    async def save(self, record: IdempotencyRecord) -> None:
        """Store the record, replacing an older one with the same owner and key."""
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
    """One unit of work: repositories sharing a transaction.

    Interactive: the caller reads, decides and writes across awaits inside one block. Its
    reads see its own writes; others see none of them before ``commit``, and all of them
    after; every read sees at least what other transactions committed before it started
    (READ COMMITTED or stronger). A store without interactive transactions meets this by
    keeping the block's writes aside and applying them at once on ``commit``."""

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
        """Make the work durable, all of it or none (``Conflict`` when it clashed with a
        concurrent transaction). Leaving the block without it, or by an exception, discards
        everything."""
        ...


class UnitOfWork(Protocol):
    """Opens transactions. ``async with uow.begin() as tx: ...; await tx.commit()``."""

    def begin(self) -> AbstractAsyncContextManager[Transaction]:
        """A new transaction; connections are held only inside the block. An unreachable
        database raises ``StorageUnavailable`` (a 503), at the latest on first use."""
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

"""The database schema, declared once for SQLAlchemy and Alembic (the domain never sees it).

Derived columns keep every store's behaviour identical to the in-memory reference:
``title_key`` (``str.casefold`` of the title) and ``search_text`` (``str.casefold`` of title and
description) sort and match the same way on PostgreSQL and SQLite, and ``task_tags`` holds
one row per tag of each *live* task, so tag filters and tag counts never see the trash.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from advanced_alchemy.base import create_registry
from advanced_alchemy.types import BigIntIdentity, DateTimeUTC
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

_registry = create_registry()

# Code-point order, as Python compares strings (PostgreSQL's default collation would not).
OrderedText = Text().with_variant(Text(collation="C"), "postgresql")
# advanced-alchemy's JsonB breaks on SQLAlchemy 2.1 (its Oracle variant): the same mapping by hand.
JsonB = JSON().with_variant(JSONB(), "postgresql")
_LIVE = text("deleted_at IS NULL")


class Base(DeclarativeBase):
    """Declarative base on advanced-alchemy's registry (naming convention, UTC datetimes)."""

    registry = _registry
    metadata = _registry.metadata


class UserRecord(Base):
    """A task owner, created on first write; allocates per-owner numbers."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    last_task_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_conversation_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)


class TaskRecord(Base):
    """One task; ``priority`` is the rank (low 0, medium 1, high 2); ``due_key`` is
    ``application.due_keys.utc_due_key`` of ``due_date`` or ``due_at``."""

    __tablename__ = "tasks"

    owner_id: Mapped[str] = mapped_column(Text, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    title_key: Mapped[str] = mapped_column(OrderedText)
    description: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(SmallInteger)
    due_date: Mapped[date | None] = mapped_column(Date)
    due_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    due_key: Mapped[int | None] = mapped_column(BigInteger)
    tags: Mapped[list[str]] = mapped_column(JsonB)
    recurrence: Mapped[str] = mapped_column(Text)
    completed: Mapped[bool] = mapped_column(Boolean)
    completed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)

    __table_args__ = (
        ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        *(
            Index(f"ix_tasks_owner_{name}", "owner_id", column, "number", postgresql_where=_LIVE, sqlite_where=_LIVE)
            for name, column in (
                ("completed", "completed"),
                ("priority", "priority"),
                ("due_key", "due_key"),
                ("title_key", "title_key"),
            )
        ),
    )


class TaskTagRecord(Base):
    """A tag of a live task: ``tag_key`` is the casefolded tag, ``name`` its spelling."""

    __tablename__ = "task_tags"

    owner_id: Mapped[str] = mapped_column(Text, primary_key=True)
    tag_key: Mapped[str] = mapped_column(OrderedText, primary_key=True)
    task_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(OrderedText)

    __table_args__ = (
        ForeignKeyConstraint(["owner_id", "task_number"], ["tasks.owner_id", "tasks.number"], ondelete="CASCADE"),
        Index("ix_task_tags_task", "owner_id", "task_number"),
    )


class IdempotencyKeyRecord(Base):
    """The first answer to a create request that carried an ``Idempotency-Key``."""

    __tablename__ = "idempotency_keys"

    owner_id: Mapped[str] = mapped_column(Text, primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(Text)
    response: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)


class ConversationRecord(Base):
    """A conversation, numbered per owner."""

    __tablename__ = "conversations"

    owner_id: Mapped[str] = mapped_column(Text, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC)

    __table_args__ = (
        ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        Index("ix_conversations_owner_updated", "owner_id", "updated_at", "number"),
    )


class MessageRecord(Base):
    """A message of a conversation; ``tool_calls`` is a list of serialised tool calls."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigIntIdentity, Identity(), primary_key=True)
    owner_id: Mapped[str] = mapped_column(Text)
    conversation_number: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    tool_calls: Mapped[list[dict[str, Any]]] = mapped_column(JsonB)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)

    __table_args__ = (
        ForeignKeyConstraint(
            ["owner_id", "conversation_number"],
            ["conversations.owner_id", "conversations.number"],
            ondelete="CASCADE",
        ),
        Index("ix_messages_conversation", "owner_id", "conversation_number", "id"),
        {"sqlite_autoincrement": True},
    )


class AccountRecord(Base):
    """A built-in account: the user's e-mail (normalised, unique), name and password hash."""

    __tablename__ = "accounts"

    user_id: Mapped[str] = mapped_column(Text, primary_key=True)
    email: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    email_verified: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC)

    __table_args__ = (ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),)


class SessionRecord(Base):
    """A sign-in session; only the SHA-256 of its token is stored."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    token_hash: Mapped[str] = mapped_column(Text, unique=True)
    user_id: Mapped[str] = mapped_column(Text, index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC)

    __table_args__ = (ForeignKeyConstraint(["user_id"], ["accounts.user_id"], ondelete="CASCADE"),)


metadata = Base.metadata
users = cast(Table, UserRecord.__table__)
tasks = cast(Table, TaskRecord.__table__)
task_tags = cast(Table, TaskTagRecord.__table__)
idempotency_keys = cast(Table, IdempotencyKeyRecord.__table__)
conversations = cast(Table, ConversationRecord.__table__)
messages = cast(Table, MessageRecord.__table__)
accounts = cast(Table, AccountRecord.__table__)
sessions = cast(Table, SessionRecord.__table__)

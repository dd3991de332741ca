"""The whole schema on MariaDB / MySQL: the tables and columns of
``adapters.persistence.schema.models``, in MariaDB's types.

Every table compares text by code point (``utf8mb4_bin``): ids are case-sensitive as on the
other backends, and ``title_key`` / ``tag_key`` / ``search_text`` (already case-folded by
the application) sort and match as Python compares strings. MariaDB has no partial indexes,
and index keys are bounded (3072 bytes): the title index covers a prefix of the key.

Revision ID: 0001
Revises:
Create Date: 2026-12-01 23:50:00.000000

"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
ID = sa.String(255)
KEY_TEXT = sa.String(600)  # a title of 200 characters folds to at most 600


def _time(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, mysql.DATETIME(fsp=6), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", ID, primary_key=True),
        sa.Column("last_task_number", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_conversation_number", sa.Integer(), server_default="0", nullable=False),
        _time("created_at"),
        **TABLE,
    )
    op.create_table(
        "tasks",
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_key", KEY_TEXT, nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        _time("due_at", nullable=True),
        sa.Column("due_key", sa.BigInteger(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("recurrence", sa.String(16), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        _time("completed_at", nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _time("deleted_at", nullable=True),
        sa.PrimaryKeyConstraint("owner_id", "number"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        **TABLE,
    )
    for name, column in (("completed", "completed"), ("priority", "priority"), ("due_key", "due_key")):
        op.create_index(f"ix_tasks_owner_{name}", "tasks", ["owner_id", column, "number"])
    op.create_index(
        "ix_tasks_owner_title_key", "tasks", ["owner_id", "title_key", "number"], mysql_length={"title_key": 400}
    )
    op.create_table(
        "task_tags",
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("tag_key", sa.String(200), nullable=False),
        sa.Column("task_number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "tag_key", "task_number"),
        sa.ForeignKeyConstraint(["owner_id", "task_number"], ["tasks.owner_id", "tasks.number"], ondelete="CASCADE"),
        **TABLE,
    )
    op.create_index("ix_task_tags_task", "task_tags", ["owner_id", "task_number"])
    op.create_table(
        "idempotency_keys",
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("key", ID, nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("response", mysql.LONGBLOB(), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("owner_id", "key"),
        **TABLE,
    )
    op.create_table(
        "conversations",
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("owner_id", "number"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        **TABLE,
    )
    op.create_index("ix_conversations_owner_updated", "conversations", ["owner_id", "updated_at", "number"])
    op.create_table(
        "messages",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("conversation_number", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("content", mysql.MEDIUMTEXT(), nullable=False),
        sa.Column("tool_calls", sa.JSON(), nullable=False),
        _time("created_at"),
        sa.ForeignKeyConstraint(
            ["owner_id", "conversation_number"],
            ["conversations.owner_id", "conversations.number"],
            ondelete="CASCADE",
        ),
        **TABLE,
    )
    op.create_index("ix_messages_conversation", "messages", ["owner_id", "conversation_number", "id"])
    op.create_table(
        "accounts",
        sa.Column("user_id", ID, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        **TABLE,
    )
    op.create_table(
        "sessions",
        sa.Column("id", ID, primary_key=True),
        sa.Column("token_hash", sa.String(128), nullable=False, unique=True),
        sa.Column("user_id", ID, nullable=False, index=True),
        _time("expires_at"),
        _time("created_at"),
        _time("updated_at"),
        sa.ForeignKeyConstraint(["user_id"], ["accounts.user_id"], ondelete="CASCADE"),
        **TABLE,
    )


def downgrade() -> None:
    for table in ("sessions", "accounts", "messages", "conversations", "idempotency_keys", "task_tags", "tasks"):
        op.drop_table(table)
    op.drop_table("users")

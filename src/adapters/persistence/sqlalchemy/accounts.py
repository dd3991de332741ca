"""Accounts and sessions on SQLAlchemy Core."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.schema.models import accounts, sessions
from adapters.persistence.schema.rows import (
    ACCOUNT_COLUMNS,
    SESSION_COLUMNS,
    account_from_row,
    account_values,
    session_from_row,
    session_values,
)
from adapters.persistence.sqlalchemy.dialect import SqlDialect
from adapters.persistence.sqlalchemy.engine import translated_errors
from domain.accounts import Account, Session

_ACCOUNT = select(*(accounts.c[name] for name in ACCOUNT_COLUMNS))
_BY_EMAIL = _ACCOUNT.where(accounts.c.email == bindparam("email"))
_BY_ID = _ACCOUNT.where(accounts.c.user_id == bindparam("user_id"))
_SET_HASH = (
    update(accounts)
    .where(accounts.c.user_id == bindparam("b_user_id"))
    .values(password_hash=bindparam("password_hash"), updated_at=bindparam("updated_at"))
)
_SESSION_BY_HASH = select(*(sessions.c[name] for name in SESSION_COLUMNS)).where(
    sessions.c.token_hash == bindparam("token_hash")
)
_EXTEND = (
    update(sessions)
    .where(sessions.c.id == bindparam("b_id"))
    .values(expires_at=bindparam("expires_at"), updated_at=bindparam("updated_at"))
)
_DELETE = delete(sessions).where(sessions.c.token_hash == bindparam("token_hash"))
_DELETE_EXPIRED = delete(sessions).where(
    sessions.c.user_id == bindparam("user_id"), sessions.c.expires_at < bindparam("now")
)


class _Repository:
    def __init__(self, connection: AsyncConnection, dialect: SqlDialect) -> None:
        self._conn = connection
        self._dialect = dialect

    async def _execute(self, stmt: Any, params: Any = None) -> Any:
        with translated_errors():
            return await self._conn.execute(stmt, params)


class SqlAccountRepository(_Repository):
    """``AccountRepository``: the account row and its user row (owner of tasks), together."""

    async def add(self, account: Account) -> None:
        with translated_errors():
            await self._dialect.add_owner(self._conn, account.user_id, account.created_at)
        await self._execute(insert(accounts), account_values(account))

    async def by_email(self, email: str) -> Account | None:
        row = (await self._execute(_BY_EMAIL, {"email": email})).mappings().first()
        return account_from_row(row) if row is not None else None

    async def by_id(self, user_id: str) -> Account | None:
        row = (await self._execute(_BY_ID, {"user_id": user_id})).mappings().first()
        return account_from_row(row) if row is not None else None

    async def set_password_hash(self, user_id: str, password_hash: str, at: datetime) -> None:
        await self._execute(_SET_HASH, {"b_user_id": user_id, "password_hash": password_hash, "updated_at": at})


class SqlSessionRepository(_Repository):
    """``SessionRepository`` on SQLAlchemy Core."""

    async def add(self, session: Session) -> None:
        await self._execute(insert(sessions), session_values(session))

    async def by_token_hash(self, token_hash: str) -> Session | None:
        row = (await self._execute(_SESSION_BY_HASH, {"token_hash": token_hash})).mappings().first()
        return session_from_row(row) if row is not None else None

    async def extend(self, session_id: str, expires_at: datetime, at: datetime) -> None:
        await self._execute(_EXTEND, {"b_id": session_id, "expires_at": expires_at, "updated_at": at})

    async def delete(self, token_hash: str) -> bool:
        return bool((await self._execute(_DELETE, {"token_hash": token_hash})).rowcount > 0)

    async def delete_expired(self, user_id: str, now: datetime) -> int:
        return int((await self._execute(_DELETE_EXPIRED, {"user_id": user_id, "now": now})).rowcount)

"""Accounts and sessions on a raw asyncpg connection (the PostgreSQL adapter)."""

from __future__ import annotations

from datetime import datetime

from adapters.persistence.asyncpg.repositories import Session as DbSession
from adapters.persistence.schema.rows import (
    ACCOUNT_COLUMNS,
    SESSION_COLUMNS,
    account_from_row,
    account_values,
    session_from_row,
    session_values,
)
from domain.accounts import Account, Session

_ACCOUNTS = ", ".join(ACCOUNT_COLUMNS)
_SESSIONS = ", ".join(SESSION_COLUMNS)
ADD_ACCOUNT = f"""
WITH u AS (
    INSERT INTO users (id, last_task_number, last_conversation_number, created_at) VALUES ($1, 0, 0, $6)
    ON CONFLICT (id) DO NOTHING
)
INSERT INTO accounts ({_ACCOUNTS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
"""  # noqa: S608 - constant column names; values are bound parameters
ACCOUNT_BY_EMAIL = f"SELECT {_ACCOUNTS} FROM accounts WHERE email = $1"  # noqa: S608
ACCOUNT_BY_ID = f"SELECT {_ACCOUNTS} FROM accounts WHERE user_id = $1"  # noqa: S608
REHASH_ACCOUNT = "UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE user_id = $1"
ADD_SESSION = f"INSERT INTO sessions ({_SESSIONS}) VALUES ($1, $2, $3, $4, $5, $6)"  # noqa: S608
SESSION_BY_HASH = f"SELECT {_SESSIONS} FROM sessions WHERE token_hash = $1"  # noqa: S608
EXTEND_SESSION = "UPDATE sessions SET expires_at = $2, updated_at = $3 WHERE id = $1"
DELETE_SESSION = "DELETE FROM sessions WHERE token_hash = $1"
DELETE_EXPIRED_SESSIONS = "DELETE FROM sessions WHERE user_id = $1 AND expires_at < $2"


def _count(status: str) -> int:
    """The row count of a command status such as ``DELETE 3``."""
    return int(status.rsplit(" ", 1)[-1])


class AsyncpgAccountRepository:
    """``AccountRepository`` on asyncpg: the account and its user row in one statement."""

    def __init__(self, session: DbSession) -> None:
        self._db = session

    async def add(self, account: Account) -> None:
        values = account_values(account)
        await self._db.run("execute", ADD_ACCOUNT, tuple(values[name] for name in ACCOUNT_COLUMNS), write=True)

    async def by_email(self, email: str) -> Account | None:
        row = await self._db.run("fetchrow", ACCOUNT_BY_EMAIL, (email,), write=False)
        return account_from_row(row) if row is not None else None

    async def by_id(self, user_id: str) -> Account | None:
        row = await self._db.run("fetchrow", ACCOUNT_BY_ID, (user_id,), write=False)
        return account_from_row(row) if row is not None else None

    async def set_password_hash(self, user_id: str, password_hash: str, at: datetime) -> None:
        await self._db.run("execute", REHASH_ACCOUNT, (user_id, password_hash, at), write=True)


class AsyncpgSessionRepository:
    """``SessionRepository`` on asyncpg."""

    def __init__(self, session: DbSession) -> None:
        self._db = session

    async def add(self, session: Session) -> None:
        values = session_values(session)
        await self._db.run("execute", ADD_SESSION, tuple(values[name] for name in SESSION_COLUMNS), write=True)

    async def by_token_hash(self, token_hash: str) -> Session | None:
        row = await self._db.run("fetchrow", SESSION_BY_HASH, (token_hash,), write=False)
        return session_from_row(row) if row is not None else None

    async def extend(self, session_id: str, expires_at: datetime, at: datetime) -> None:
        await self._db.run("execute", EXTEND_SESSION, (session_id, expires_at, at), write=True)

    async def delete(self, token_hash: str) -> bool:
        return _count(await self._db.run("execute", DELETE_SESSION, (token_hash,), write=True)) > 0

    async def delete_expired(self, user_id: str, now: datetime) -> int:
        return _count(await self._db.run("execute", DELETE_EXPIRED_SESSIONS, (user_id, now), write=True))

"""Repository contract: accounts and sessions (in-memory, SQLite, PostgreSQL both ways)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from adapters.persistence.contract.builders import T0
from application.errors import Conflict
from application.ports import UnitOfWork
from domain.accounts import Account, Session

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _account(email: str | None = None) -> Account:
    user_id = f"acct-{uuid.uuid4().hex[:12]}"
    return Account(user_id, email or f"{user_id}@example.com", "Ada", "$argon2id$hash", T0, T0)


def _session(account: Account, expires_in: timedelta = timedelta(days=7)) -> Session:
    token_hash = uuid.uuid4().hex * 2
    return Session(f"s-{uuid.uuid4().hex[:10]}", account.user_id, token_hash, T0 + expires_in, T0, T0)


async def _store(uow: UnitOfWork, account: Account, *sessions: Session) -> None:
    async with uow.begin() as tx:
        await tx.accounts.add(account)
        for session in sessions:
            await tx.sessions.add(session)
        await tx.commit()


async def test_accounts_round_trip_by_email_and_id(uow: UnitOfWork) -> None:
    account = _account()
    await _store(uow, account)
    async with uow.begin() as tx:
        assert await tx.accounts.by_email(account.email) == account
        assert await tx.accounts.by_id(account.user_id) == account
        assert await tx.accounts.by_email("nobody-" + account.email) is None
        assert await tx.accounts.by_id("nobody") is None


async def test_an_email_is_taken_once(uow: UnitOfWork) -> None:
    first = _account()
    await _store(uow, first)
    with pytest.raises(Conflict):
        await _store(uow, _account(email=first.email))
    async with uow.begin() as tx:
        assert await tx.accounts.by_email(first.email) == first


async def test_an_account_owns_tasks_like_any_user(uow: UnitOfWork) -> None:
    from adapters.persistence.contract.builders import add_titled

    account = _account()
    await _store(uow, account)
    (task,) = await add_titled(uow, account.user_id, "first task")
    assert task.number == 1


async def test_the_password_hash_can_be_replaced(uow: UnitOfWork) -> None:
    account = _account()
    await _store(uow, account)
    later = T0 + timedelta(days=1)
    async with uow.begin() as tx:
        await tx.accounts.set_password_hash(account.user_id, "$argon2id$new", later)
        await tx.commit()
    async with uow.begin() as tx:
        stored = await tx.accounts.by_id(account.user_id)
    assert stored is not None
    assert (stored.password_hash, stored.updated_at, stored.created_at) == ("$argon2id$new", later, T0)


async def test_sessions_are_found_by_token_hash_extended_and_revoked(uow: UnitOfWork) -> None:
    account = _account()
    session = _session(account)
    await _store(uow, account, session)
    async with uow.begin() as tx:
        assert await tx.sessions.by_token_hash(session.token_hash) == session
        assert await tx.sessions.by_token_hash("0" * 64) is None

    later = T0 + timedelta(days=2)
    async with uow.begin() as tx:
        await tx.sessions.extend(session.id, later + timedelta(days=7), later)
        await tx.commit()
    async with uow.begin() as tx:
        extended = await tx.sessions.by_token_hash(session.token_hash)
        assert extended is not None and (extended.expires_at, extended.updated_at) == (later + timedelta(days=7), later)
        assert await tx.sessions.delete(session.token_hash)
        assert not await tx.sessions.delete(session.token_hash)
        await tx.commit()
    async with uow.begin() as tx:
        assert await tx.sessions.by_token_hash(session.token_hash) is None


async def test_only_the_users_expired_sessions_are_dropped(uow: UnitOfWork) -> None:
    ada, grace = _account(), _account()
    old, fresh = _session(ada, timedelta(hours=1)), _session(ada)
    theirs = _session(grace, timedelta(hours=1))
    await _store(uow, ada, old, fresh)
    await _store(uow, grace, theirs)
    async with uow.begin() as tx:
        assert await tx.sessions.delete_expired(ada.user_id, T0 + timedelta(hours=2)) == 1
        await tx.commit()
    async with uow.begin() as tx:
        assert await tx.sessions.by_token_hash(old.token_hash) is None
        assert await tx.sessions.by_token_hash(fresh.token_hash) == fresh
        assert await tx.sessions.by_token_hash(theirs.token_hash) == theirs


async def test_nothing_is_kept_without_a_commit(uow: UnitOfWork) -> None:
    account = _account()
    async with uow.begin() as tx:
        await tx.accounts.add(account)
        await tx.sessions.add(_session(account))
    async with uow.begin() as tx:
        assert await tx.accounts.by_id(account.user_id) is None

"""The account use cases on in-memory stores, a fast hasher and the in-process limiter."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from adapters.limits import InProcessRateLimiter
from application.account_schemas import SignInRequest, SignUpRequest
from application.accounts import (
    TOKEN_TTL_SECONDS,
    CurrentSession,
    IssueSessionToken,
    SignIn,
    SignOut,
    SignUp,
    hash_session_token,
)
from application.errors import EmailTaken, InvalidCredentials, NotSignedIn, RateLimited, ValidationError
from application.limits import AuthAttemptLimits
from tests.fakes import FastPasswordHasher, FixedClock, InMemoryUnitOfWork


class RecordingIssuer:
    def __init__(self) -> None:
        self.issued: list[tuple[str, int]] = []

    def issue(self, user_id: str, ttl_seconds: int) -> str:
        self.issued.append((user_id, ttl_seconds))
        return f"jwt-for-{user_id}"

    def public_jwks(self) -> dict[str, object]:
        return {"keys": []}


@dataclass
class Accounts:
    uow: InMemoryUnitOfWork
    clock: FixedClock
    hasher: FastPasswordHasher
    sign_up: SignUp
    sign_in: SignIn
    sign_out: SignOut
    current: CurrentSession
    token: IssueSessionToken
    issuer: RecordingIssuer


def _accounts(uow: InMemoryUnitOfWork, clock: FixedClock, per_email: int = 0, per_ip: int = 0) -> Accounts:
    hasher = FastPasswordHasher()
    limits = AuthAttemptLimits(InProcessRateLimiter(clock), per_email, per_ip)
    current = CurrentSession(uow, clock)
    issuer = RecordingIssuer()
    return Accounts(
        uow, clock, hasher, SignUp(uow, clock, hasher, limits), SignIn(uow, clock, hasher, limits), SignOut(uow),
        current, IssueSessionToken(current, issuer), issuer,
    )  # fmt: skip


@pytest.fixture
def accounts(uow: InMemoryUnitOfWork, clock: FixedClock) -> Accounts:
    return _accounts(uow, clock)


def _up(email: str = "Ada@Example.com ", password: str = "correct horse", name: str = " Ada ") -> SignUpRequest:
    return SignUpRequest(email=email, password=password, name=name)


def _in(email: str = "ada@example.com", password: str = "correct horse") -> SignInRequest:
    return SignInRequest(email=email, password=password)


async def test_sign_up_normalises_the_email_and_stores_only_hashes(accounts: Accounts) -> None:
    signed = await accounts.sign_up.execute(_up(), "10.0.0.1")

    account = signed.account
    assert (account.email, account.name, account.email_verified) == ("ada@example.com", "Ada", False)
    assert account.user_id != account.email and len(account.user_id) >= 20
    stored = accounts.uow.state.accounts[account.user_id]
    assert "correct horse" not in stored.password_hash
    assert list(accounts.uow.state.sessions) == [hash_session_token(signed.token)]
    assert signed.session.expires_at - signed.session.created_at == signed.session.expires_at - accounts.clock.now()
    assert (signed.session.expires_at - accounts.clock.now()).days == 7
    assert signed.quota is None  # limits off


async def test_an_email_has_one_account(accounts: Accounts) -> None:
    await accounts.sign_up.execute(_up(), None)
    with pytest.raises(EmailTaken):
        await accounts.sign_up.execute(_up(email="ADA@example.com"), None)
    assert len(accounts.uow.state.accounts) == 1


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (_up(password="short"), "password"),
        (_up(password="x" * 129), "password"),
        (_up(email="not-an-email"), "email"),
        (_up(email="a@b"), "email"),
        (_up(name="n" * 101), "name"),
    ],
)
async def test_sign_up_rejects_bad_input_naming_the_field(
    accounts: Accounts, request_: SignUpRequest, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await accounts.sign_up.execute(request_, None)
    assert caught.value.errors[0].field == field
    assert accounts.uow.state.accounts == {}


async def test_sign_in_gives_a_new_session(accounts: Accounts) -> None:
    first = await accounts.sign_up.execute(_up(), None)
    accounts.clock.advance(minutes=5)

    signed = await accounts.sign_in.execute(_in(email=" ADA@example.com"), None)

    assert signed.account.user_id == first.account.user_id
    assert signed.token != first.token
    assert len(accounts.uow.state.sessions) == 2


async def test_unknown_email_and_wrong_password_get_the_same_answer_after_a_hash_check(accounts: Accounts) -> None:
    await accounts.sign_up.execute(_up(), None)
    accounts.hasher.checked.clear()

    with pytest.raises(InvalidCredentials) as wrong:
        await accounts.sign_in.execute(_in(password="wrong horse"), None)
    with pytest.raises(InvalidCredentials) as unknown:
        await accounts.sign_in.execute(_in(email="nobody@example.com"), None)

    assert str(wrong.value) == str(unknown.value)
    assert len(accounts.hasher.checked) == 2
    assert accounts.hasher.checked[1] is None  # the dummy check for the unknown e-mail
    with pytest.raises(ValidationError):
        await accounts.sign_in.execute(_in(password="p" * 129), None)


async def test_sign_in_rehashes_a_password_made_with_old_parameters(accounts: Accounts) -> None:
    signed = await accounts.sign_up.execute(_up(), None)
    accounts.hasher.version = "v2"

    await accounts.sign_in.execute(_in(), None)

    assert accounts.uow.state.accounts[signed.account.user_id].password_hash.startswith("fast-v2$")


async def test_sign_in_drops_the_users_expired_sessions(accounts: Accounts) -> None:
    old = await accounts.sign_up.execute(_up(), None)
    accounts.clock.advance(days=8)

    new = await accounts.sign_in.execute(_in(), None)

    assert list(accounts.uow.state.sessions) == [hash_session_token(new.token)]
    with pytest.raises(NotSignedIn):
        await accounts.current.execute(old.token)


async def test_the_current_session_is_renewed_at_most_once_a_day(accounts: Accounts) -> None:
    signed = await accounts.sign_up.execute(_up(), None)
    accounts.clock.advance(hours=3)
    same = await accounts.current.execute(signed.token)
    assert not same.renewed
    assert same.session.expires_at == signed.session.expires_at

    accounts.clock.advance(days=6)
    renewed = await accounts.current.execute(signed.token)
    assert renewed.renewed
    assert renewed.session.expires_at == accounts.clock.now() + (signed.session.expires_at - signed.session.created_at)
    accounts.clock.advance(days=6)  # past the first expiry, within the renewed one
    assert (await accounts.current.execute(signed.token)).account.email == "ada@example.com"


@pytest.mark.parametrize("token", [None, "", "unknown-token", "x" * 500])
async def test_no_valid_session_is_not_signed_in(accounts: Accounts, token: str | None) -> None:
    with pytest.raises(NotSignedIn):
        await accounts.current.execute(token)


async def test_sign_out_revokes_the_session_and_is_idempotent(accounts: Accounts) -> None:
    signed = await accounts.sign_up.execute(_up(), None)

    await accounts.sign_out.execute(signed.token)
    await accounts.sign_out.execute(signed.token)
    await accounts.sign_out.execute(None)

    with pytest.raises(NotSignedIn):
        await accounts.current.execute(signed.token)


async def test_the_session_token_becomes_a_15_minute_jwt_for_the_user(accounts: Accounts) -> None:
    signed = await accounts.sign_up.execute(_up(), None)

    state = await accounts.token.execute(signed.token)

    assert state.jwt == f"jwt-for-{signed.account.user_id}"
    assert accounts.issuer.issued == [(signed.account.user_id, TOKEN_TTL_SECONDS)]
    assert TOKEN_TTL_SECONDS == 15 * 60


async def test_attempts_are_limited_per_email_and_per_ip(uow: InMemoryUnitOfWork, clock: FixedClock) -> None:
    accounts = _accounts(uow, clock, per_email=2, per_ip=3)
    await accounts.sign_up.execute(_up(), "10.0.0.1")
    second = await accounts.sign_in.execute(_in(), "10.0.0.2")
    assert second.quota is not None
    assert (second.quota.limit, second.quota.remaining) == (2, 0)  # the e-mail's limit is the tighter one

    with pytest.raises(RateLimited) as by_email:
        await accounts.sign_in.execute(_in(), "10.0.0.3")
    assert by_email.value.quota is not None and by_email.value.quota.limit == 2
    assert by_email.value.retry_after == 60

    for n in range(2):
        with pytest.raises(InvalidCredentials) as failed:
            await accounts.sign_in.execute(_in(email=f"other{n}@example.com"), "10.0.0.1")
        assert failed.value.quota is not None
    with pytest.raises(RateLimited) as by_ip:
        await accounts.sign_in.execute(_in(email="third@example.com"), "10.0.0.1")
    assert by_ip.value.quota is not None and by_ip.value.quota.limit == 3

    clock.advance(seconds=61)
    assert (await accounts.sign_in.execute(_in(), "10.0.0.1")).account.email == "ada@example.com"


async def test_a_taken_email_answer_carries_the_quota(uow: InMemoryUnitOfWork, clock: FixedClock) -> None:
    accounts = _accounts(uow, clock, per_email=5, per_ip=0)
    await accounts.sign_up.execute(_up(), "10.0.0.1")
    with pytest.raises(EmailTaken) as caught:
        await accounts.sign_up.execute(_up(), "10.0.0.1")
    assert caught.value.quota is not None and caught.value.quota.remaining == 3


class YieldingHasher(FastPasswordHasher):
    """Hashing takes a turn of the event loop, as a real (threaded) hash does."""

    async def hash(self, password: str) -> str:
        await asyncio.sleep(0)
        return await super().hash(password)


async def test_a_concurrent_sign_up_with_the_same_email_is_taken(uow: InMemoryUnitOfWork, clock: FixedClock) -> None:
    limits = AuthAttemptLimits(InProcessRateLimiter(clock), 0, 0)
    sign_up = SignUp(uow, clock, YieldingHasher(), limits)

    results = await asyncio.gather(sign_up.execute(_up(), None), sign_up.execute(_up(), None), return_exceptions=True)

    assert sum(isinstance(r, EmailTaken) for r in results) == 1
    assert len(uow.state.accounts) == 1
